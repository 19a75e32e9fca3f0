"""The command line: import (dry run, problems, re-import), export round trip, generate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from meeting.agenda.service import add_to_agenda
from meeting.cli import main
from meeting.config import SCHEDULES_DIR
from meeting.db import SessionFactory, transaction
from meeting.enums import SessionKind
from meeting.program.models import Meeting
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_session, make_user, pacific

pytestmark = pytest.mark.integration

SAMPLE = SCHEDULES_DIR / "ash-2020.yaml"


@pytest.fixture
def run(database_url: str, tmp_path: Path) -> object:
    env = {
        "MEETING_DATABASE_URL": database_url,
        "MEETING_VAR_DIR": str(tmp_path / "var"),
        "MEETING_DEFAULT_MEETING": "",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_import_then_reimport_reports_created_then_unchanged(run: object) -> None:
    assert callable(run)

    first = run("import", str(SAMPLE))
    second = run("import", str(SAMPLE))

    assert first.exit_code == 0
    assert "Imported ash-2020 (yaml): " in first.output
    assert ", 0 updated, 0 cancelled, 0 unchanged." in first.output
    assert second.output.splitlines() == [
        "Imported ash-2020 (yaml): 0 created, 0 updated, 0 cancelled, 124 unchanged."
    ]


def test_dry_run_writes_nothing(run: object, tmp_path: Path) -> None:
    assert callable(run)

    dry = run("import", "--dry-run", str(SAMPLE))
    export = run("export", "--format", "yaml")

    assert "Dry run: nothing was written." in dry.output
    assert export.exit_code == 1


def test_invalid_file_lists_every_problem_and_writes_nothing(run: object, tmp_path: Path) -> None:
    assert callable(run)
    bad = tmp_path / "bad.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("kind: plenary", "kind: plenery", 1).replace(
            "room: channel-1", "room: channel-99", 1
        ),
        encoding="utf-8",
    )

    result = run("import", str(bad))
    export = run("export", "--format", "yaml")

    assert result.exit_code == 1
    assert "2 problems; nothing was imported." in result.output
    assert "'plenery' is not one of" in result.output
    assert export.exit_code == 1


def test_yaml_export_import_export_is_byte_identical(
    run: object, tmp_path: Path, database_url: str
) -> None:
    assert callable(run)
    run("import", str(SAMPLE))
    first = tmp_path / "first.yaml"
    run("export", "--format", "yaml", "-o", str(first))

    other_db = tmp_path / "other.sqlite3"
    env = {"MEETING_DATABASE_URL": f"sqlite:///{other_db}", "MEETING_VAR_DIR": str(tmp_path / "v2")}
    runner = CliRunner()
    runner.invoke(main, ["import", str(first)], env=env, catch_exceptions=False)
    second = tmp_path / "second.yaml"
    runner.invoke(
        main, ["export", "--format", "yaml", "-o", str(second)], env=env, catch_exceptions=False
    )

    assert second.read_bytes() == first.read_bytes()


def test_frab_xml_export_imports_back_with_the_same_codes(run: object, tmp_path: Path) -> None:
    assert callable(run)
    run("import", str(SAMPLE))
    exported = tmp_path / "schedule.xml"
    run("export", "--format", "frab-xml", "-o", str(exported))

    result = run("import", "--dry-run", str(exported))

    assert result.exit_code == 0
    assert "(frab-xml)" in result.output


def test_generate_is_deterministic_and_importable(run: object, tmp_path: Path) -> None:
    assert callable(run)
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"

    run("generate", "--sessions", "120", "-o", str(one))
    run("generate", "--sessions", "120", "-o", str(two))
    result = run("import", str(one))

    assert one.read_bytes() == two.read_bytes()
    assert "Imported synthetic (yaml): 120 created" in result.output


def test_mentoring_plan_prints_the_rotation(run: object, db_factory: SessionFactory) -> None:
    assert callable(run)
    mentoring = make_session(
        code="MENTOR",
        title="Speed mentoring",
        kind=SessionKind.MENTORING,
        start=pacific(5, 13),
        end=pacific(5, 14),
        capacity=10,
    )
    program = make_program()
    import_document(db_factory, replace(program, sessions=(*program.sessions, mentoring)))
    with transaction(db_factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        people = [make_user(db, name=f"Mentor {i}", career_stage="faculty") for i in range(2)]
        people += [make_user(db, name=f"Fellow {i}", career_stage="fellow") for i in range(2)]
        for person in people:
            add_to_agenda(db, person, meeting, "MENTOR", NOW)

    result = run(
        "mentoring", "plan", "MENTOR", "--rounds", "2", "--minutes", "10", "--meeting", "test-2020"
    )

    lines = result.output.splitlines()
    assert lines[0] == (
        "Speed mentoring: 2 rounds of 10 minutes, from Sat 05 Dec 2020 13:00 (America/Los_Angeles)"
    )
    assert [line for line in lines if line.startswith("Round")] == [
        "Round 1  13:00-13:10",
        "Round 2  13:10-13:20",
    ]
    pairs = [
        tuple(line.split()[:4])
        for line in lines
        if line.startswith("  Mentor ") and "Mentee" not in line
    ]
    assert len(pairs) == 4
    assert len(set(pairs)) == 4  # no pair twice


def test_mentoring_plan_needs_both_sides(run: object, db_factory: SessionFactory) -> None:
    assert callable(run)
    import_document(db_factory, make_program())

    result = run("mentoring", "plan", "WS-101", "--meeting", "test-2020")

    assert result.exit_code == 1
    assert "WS-101 has 0 mentors and 0 mentees signed up" in result.output
