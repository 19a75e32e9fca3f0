"""Importing programs: create, update in place by code, cancel what vanished, log every change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting.db import SessionFactory, transaction
from meeting.enums import ChangeKind, SessionStatus
from meeting.program.document import ProgramDocument
from meeting.program.models import ChangeLogEntry, Meeting, ScheduleVersion, Session
from meeting.program.reader import load_program_document
from meeting.program.yaml_format import render_program_yaml
from tests.conftest import NOW, import_document
from tests.factories import make_program, pacific, with_session, without_session

pytestmark = pytest.mark.integration


def sessions_by_code(factory: SessionFactory) -> dict[str, Session]:
    with transaction(factory, write=False) as db:
        return {s.code: s for s in db.scalars(select(Session))}


def change_log(factory: SessionFactory) -> list[tuple[int, str, str]]:
    with transaction(factory, write=False) as db:
        rows = db.execute(
            select(ScheduleVersion.number, Session.code, ChangeLogEntry.kind)
            .join(ScheduleVersion, ScheduleVersion.id == ChangeLogEntry.version_id)
            .join(Session, Session.id == ChangeLogEntry.session_id)
            .order_by(ChangeLogEntry.id)
        )
        return [(n, code, str(kind)) for n, code, kind in rows]


def test_first_import_creates_everything_as_version_1(db_factory: SessionFactory) -> None:
    summary = import_document(db_factory, make_program())

    assert (summary.created, summary.updated, summary.cancelled, summary.unchanged) == (8, 0, 0, 0)
    assert summary.version == 1
    assert (
        sessions_by_code(db_factory)["LUNCH-T1"].parent_id
        == sessions_by_code(db_factory)["LUNCH"].id
    )
    assert [kind for _n, _c, kind in change_log(db_factory)] == ["created"] * 8


def test_reimporting_the_same_program_changes_nothing(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    before = sessions_by_code(db_factory)

    summary = import_document(db_factory, program)

    assert (summary.created, summary.updated, summary.unchanged, summary.version) == (0, 0, 8, None)
    after = sessions_by_code(db_factory)
    assert {c: s.id for c, s in after.items()} == {c: s.id for c, s in before.items()}


def test_moved_session_is_updated_in_place_with_a_logged_move(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    old_id = sessions_by_code(db_factory)["LYM-201"].id
    moved = with_session(program, "LYM-201", start=pacific(7, 9), end=pacific(7, 10), room="ch2")

    summary = import_document(db_factory, moved, now=NOW + timedelta(hours=1))

    session = sessions_by_code(db_factory)["LYM-201"]
    assert (summary.updated, summary.version) == (1, 2)
    assert (session.id, session.start_at, session.revision) == (old_id, pacific(7, 9), 1)
    assert change_log(db_factory)[-2:] == [
        (2, "LYM-201", ChangeKind.MOVED.value),
        (2, "LYM-201", ChangeKind.ROOM_CHANGED.value),
    ]


def test_move_records_before_and_after(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    import_document(
        db_factory, with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16))
    )

    with transaction(db_factory, write=False) as db:
        entry = db.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id.desc())).first()
    assert entry is not None
    assert (entry.before, entry.after) == (
        {"start": "2020-12-06T21:00:00+00:00", "end": "2020-12-06T22:30:00+00:00"},
        {"start": "2020-12-06T23:00:00+00:00", "end": "2020-12-07T00:00:00+00:00"},
    )


def test_missing_session_is_cancelled_not_deleted_with_a_warning(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    summary = import_document(db_factory, without_session(program, "REC-01"))

    session = sessions_by_code(db_factory)["REC-01"]
    assert (summary.cancelled, session.status, session.cancelled_at) == (
        1,
        SessionStatus.CANCELLED,
        NOW,
    )
    assert [str(w) for w in summary.warnings] == [
        "session REC-01: not in the file: cancelled (kept, not deleted)"
    ]
    assert change_log(db_factory)[-1] == (2, "REC-01", "cancelled")


def test_cancelled_session_comes_back_when_it_reappears(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    import_document(db_factory, without_session(program, "REC-01"))

    summary = import_document(db_factory, program)

    assert (summary.updated, sessions_by_code(db_factory)["REC-01"].status) == (
        1,
        SessionStatus.SCHEDULED,
    )
    assert change_log(db_factory)[-1] == (3, "REC-01", "restored")


def test_speaker_changes_update_rows_in_place(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    original = program.sessions[0]
    swapped = with_session(program, "PLEN-01", speakers=tuple(reversed(original.speakers)))

    summary = import_document(db_factory, swapped)

    with transaction(db_factory, write=False) as db:
        document = load_program_document(db, db.scalars(select(Meeting)).one())
    assert summary.updated == 1
    assert document.sessions[0].speakers == tuple(reversed(original.speakers))


def test_export_import_export_round_trips_exactly(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    with transaction(db_factory, write=False) as db:
        first = render_program_yaml(load_program_document(db, db.scalars(select(Meeting)).one()))

    assert first == render_program_yaml(make_program())


def test_renaming_a_speaker_changes_every_session_they_are_in(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    speakers = tuple(
        replace(s, name="Jürgen K. Müller") if s.key == "jmuller" else s for s in program.speakers
    )

    summary = import_document(db_factory, replace(program, speakers=speakers))

    revisions = {code: s.revision for code, s in sessions_by_code(db_factory).items()}
    assert (summary.updated, summary.unchanged) == (2, 6)
    assert (revisions["PLEN-01"], revisions["WS-101"], revisions["LYM-201"]) == (1, 1, 0)
