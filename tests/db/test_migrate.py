"""The migration check: a database at head costs one query; anything else runs Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from meeting.db import create_db_engine
from meeting.db.migrate import (
    _revision_identifiers,
    alembic_config,
    head_revisions,
    is_at_head,
    upgrade_database,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def scripts(url: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(url))


def tables(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def test_head_read_from_the_scripts_is_alembics_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'any.sqlite3'}"

    assert head_revisions() == frozenset(scripts(url).get_heads())


SCRIPT_BODY = "\n\ndef upgrade() -> None:\n    op.drop_table('x')\n"


@pytest.mark.parametrize(
    ("source", "identifiers"),
    [
        ("revision = 'b'\ndown_revision = 'a'\n" + SCRIPT_BODY, ("b", ("a",))),
        ("revision: str = 'b'\ndown_revision: str | None = None\n" + SCRIPT_BODY, ("b", ())),
        ("revision = 'c'\ndown_revision = ('a', 'b')\n" + SCRIPT_BODY, ("c", ("a", "b"))),
        # Assigned again after the first definition: the last assignment counts.
        ("revision = 'b'\ndown_revision = 'a'\n" + SCRIPT_BODY + "revision = 'z'\n", ("z", ("a",))),
        # A definition-like line inside the docstring does not cut the header short.
        ('"""Add x.\ndef not_code\n"""\nrevision = \'b\'\ndown_revision = None\n', ("b", ())),
        # ...nor inside a string after the identifiers.
        ('revision = \'b\'\ndown_revision = None\nNOTE = """\ndef not_code\n"""\n', ("b", ())),
        ("revision = make_id()\ndown_revision = None\n" + SCRIPT_BODY, None),
        ("down_revision = None\n" + SCRIPT_BODY, None),
    ],
)
def test_revision_identifiers_are_read_as_the_script_sets_them(
    source: str, identifiers: tuple[str, tuple[str, ...]] | None
) -> None:
    assert _revision_identifiers(source) == identifiers


def test_migrated_database_is_at_head(engine: Engine) -> None:
    assert is_at_head(engine) is True


def test_new_database_is_not_at_head_until_upgraded(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")

    before = is_at_head(engine)
    upgrade_database(engine)

    assert (before, is_at_head(engine)) == (False, True)
    engine.dispose()


def test_database_behind_head_is_upgraded_like_a_full_upgrade(tmp_path: Path) -> None:
    full = create_db_engine(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    upgrade_database(full)
    behind = create_db_engine(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    first = scripts(str(behind.url)).get_base()
    assert isinstance(first, str)
    upgrade_database(behind, first)

    stale = is_at_head(behind)
    upgrade_database(behind)

    assert (stale, is_at_head(behind), tables(behind)) == (False, True, tables(full))
    full.dispose()
    behind.dispose()


def test_upgrade_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "head.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    code = (
        "import sys\n"
        "from meeting.db import create_db_engine\n"
        "from meeting.db.migrate import upgrade_database\n"
        f"upgrade_database(create_db_engine('sqlite:///{path}'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout == "[]\n"
