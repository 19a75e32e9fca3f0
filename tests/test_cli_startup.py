"""Commands load only what they use: `meeting import` starts without the web app, Alembic
or the other commands' domain modules."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from meeting.cli import COMMANDS, main
from meeting.config import SCHEDULES_DIR
from meeting.db import create_db_engine
from meeting.db.migrate import upgrade_database
from meeting.exports import EXPORTERS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "alembic",
    "jsonschema",
    "starlette",
    "jinja2",
    "icalendar",
    "rich",
    "meeting.web",
    "meeting.exports",
)
OTHER_COMMANDS = (
    "meeting.accounts",
    "meeting.agenda",
    "meeting.demo",
    "meeting.generate",
    "meeting.networking",
    "meeting.program.queries",
    "meeting.serving",
)
"""What the commands other than `import` work with."""
OTHER_COMMAND_MODULES = tuple(
    sorted(
        module
        for module in {target.split(":")[0] for target in COMMANDS.values()}
        if module != "meeting.cli.importing"
    )
)


def modules_loaded_by(
    args: list[str], env: dict[str, str], watched: tuple[str, ...] = HEAVY
) -> list[str]:
    """Run `meeting ARGS` in a fresh interpreter; the `watched` modules it imported."""
    code = (
        "import json, sys\n"
        "from meeting.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {watched!r}\n"
        "print(json.dumps(sorted({h for h in heavy for m in sys.modules "
        "if m == h or m.startswith(h + '.')})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_help_loads_nothing_heavy() -> None:
    assert modules_loaded_by(["--help"], {}) == []


def test_help_loads_nothing_the_commands_work_with() -> None:
    assert modules_loaded_by(["--help"], {}, OTHER_COMMANDS) == []


def up_to_date_database(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'meeting.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return {"MEETING_DATABASE_URL": url, "MEETING_VAR_DIR": str(tmp_path / "var")}


def test_import_into_an_up_to_date_database_loads_nothing_heavy(tmp_path: Path) -> None:
    env = up_to_date_database(tmp_path)

    loaded = modules_loaded_by(["import", str(SCHEDULES_DIR / "ash-2020.yaml")], env)

    assert loaded == []


def test_import_loads_nothing_the_other_commands_use(tmp_path: Path) -> None:
    env = up_to_date_database(tmp_path)

    loaded = modules_loaded_by(
        ["import", str(SCHEDULES_DIR / "ash-2020.yaml")],
        env,
        OTHER_COMMANDS + OTHER_COMMAND_MODULES,
    )

    assert loaded == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_command_loads_under_its_name(name: str) -> None:
    command = main.get_command(click.Context(main), name)

    assert command is not None
    assert command.name == name


def test_export_formats_come_from_the_registry() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])

    assert f"[{'|'.join(sorted(EXPORTERS))}]" in result.output


def test_unknown_export_format_lists_the_registry() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "pdf"])

    names = ", ".join(repr(name) for name in sorted(EXPORTERS))
    assert (result.exit_code, f"'pdf' is not one of {names}." in result.output) == (2, True)


def test_import_leaves_the_garbage_collector_on(tmp_path: Path) -> None:
    env = {
        "MEETING_DATABASE_URL": f"sqlite:///{tmp_path / 'meeting.sqlite3'}",
        "MEETING_VAR_DIR": str(tmp_path / "var"),
    }

    result = CliRunner().invoke(main, ["import", str(SCHEDULES_DIR / "ash-2020.yaml")], env=env)

    assert (result.exit_code, gc.isenabled()) == (0, True)
