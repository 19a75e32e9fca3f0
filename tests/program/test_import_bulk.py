"""The importer's bulk paths: unchanged sessions write nothing, changed ones exactly their rows."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine, event, func, select

from meeting.config import SCHEDULES_DIR
from meeting.db import SessionFactory, transaction
from meeting.enums import ChangeKind, SpeakerRole
from meeting.generate import generate_program
from meeting.program.document import ProgramDocument, SessionSpeakerDoc
from meeting.program.models import ChangeLogEntry, Meeting, Session
from meeting.program.queries import session_details
from meeting.program.reader import load_program_document
from meeting.program.session_rows import load_sessions
from meeting.program.snapshots import Names, snapshot_of_doc, snapshot_of_session
from meeting.program.yaml_format import parse_program_yaml
from tests.conftest import import_document
from tests.factories import make_program, with_session

pytestmark = pytest.mark.integration


def retitled(program: ProgramDocument, every: int) -> ProgramDocument:
    """Every `every`-th session gets " (updated)" in its title and " Updated." in its text."""
    sessions = tuple(
        replace(s, title=f"{s.title} (updated)", description=f"{s.description} Updated.")
        if i % every == 0
        else s
        for i, s in enumerate(program.sessions)
    )
    return replace(program, sessions=sessions)


def stored_program(factory: SessionFactory) -> ProgramDocument:
    with transaction(factory, write=False) as db:
        return load_program_document(db, db.scalars(select(Meeting)).one())


def change_rows(factory: SessionFactory) -> list[tuple[int, str]]:
    with transaction(factory, write=False) as db:
        rows = db.execute(
            select(ChangeLogEntry.version_id, ChangeLogEntry.kind).order_by(ChangeLogEntry.id)
        )
        return [(version, str(kind)) for version, kind in rows]


def test_reimport_of_an_unchanged_program_writes_no_session_and_no_change(
    db_factory: SessionFactory,
) -> None:
    program = generate_program(60, seed=7)
    import_document(db_factory, program)
    with transaction(db_factory, write=False) as db:
        stamps = dict(db.execute(select(Session.code, Session.updated_at)).all())
        version = db.scalar(select(Meeting.schedule_version))

    summary = import_document(db_factory, program)

    with transaction(db_factory, write=False) as db:
        after = dict(db.execute(select(Session.code, Session.updated_at)).all())
        assert db.scalar(select(Meeting.schedule_version)) == version
        assert db.scalar(select(func.count(ChangeLogEntry.id))) == 60
    assert (summary.unchanged, summary.updated, summary.version) == (60, 0, None)
    assert after == stamps


def test_fifty_changed_sessions_give_fifty_change_rows_in_one_version(
    db_factory: SessionFactory,
) -> None:
    program = generate_program(200, seed=3)
    import_document(db_factory, program)
    changed = retitled(program, every=4)

    summary = import_document(db_factory, changed)

    rows = change_rows(db_factory)[200:]
    assert (summary.updated, summary.unchanged, summary.version) == (50, 150, 2)
    assert [kind for _version, kind in rows] == [ChangeKind.DETAILS_CHANGED.value] * 50
    assert len({version for version, _kind in rows}) == 1
    assert stored_program(db_factory) == changed


def test_change_rows_hold_the_fields_before_and_after(db_factory: SessionFactory) -> None:
    program = generate_program(8, seed=5)
    import_document(db_factory, program)
    first = program.sessions[0]

    import_document(db_factory, retitled(program, every=8))

    with transaction(db_factory, write=False) as db:
        entry = db.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id.desc())).first()
    assert entry is not None
    assert (entry.before, entry.after) == (
        {"title": first.title, "description": first.description},
        {"title": f"{first.title} (updated)", "description": f"{first.description} Updated."},
    )


def test_reordered_sessions_move_without_a_change(db_factory: SessionFactory) -> None:
    program = make_program()
    import_document(db_factory, program)
    reordered = replace(program, sessions=tuple(reversed(program.sessions)))

    summary = import_document(db_factory, reordered)

    assert (summary.unchanged, summary.version) == (len(program.sessions), None)
    assert [s.code for s in stored_program(db_factory).sessions] == [
        s.code for s in reordered.sessions
    ]


def test_tracks_listed_in_another_order_are_no_change(db_factory: SessionFactory) -> None:
    program = with_session(make_program(), "LYM-201", tracks=("lymphoma", "careers"))
    import_document(db_factory, program)

    summary = import_document(
        db_factory, with_session(program, "LYM-201", tracks=("careers", "lymphoma"))
    )

    assert (summary.updated, summary.version) == (0, None)


def test_new_child_of_a_new_parent_is_linked(db_factory: SessionFactory) -> None:
    program = make_program()
    import_document(db_factory, replace(program, sessions=program.sessions[:1]))

    import_document(db_factory, program)

    assert stored_program(db_factory) == program


def test_new_version_is_set_on_the_meeting_object_for_its_watchers(
    db_factory: SessionFactory,
) -> None:
    program = make_program()
    import_document(db_factory, program)
    seen: list[int] = []

    def watch(_target: Meeting, value: int, _old: object, _initiator: object) -> None:
        seen.append(value)

    event.listen(Meeting.schedule_version, "set", watch)
    try:
        import_document(db_factory, with_session(program, "LYM-201", title="Retitled"))
    finally:
        event.remove(Meeting.schedule_version, "set", watch)

    assert seen == [2]


def test_stored_rows_give_the_snapshots_the_orm_objects_give(
    db_factory: SessionFactory,
) -> None:
    sample = parse_program_yaml((SCHEDULES_DIR / "ash-2020.yaml").read_text(encoding="utf-8"))
    import_document(db_factory, sample.document)

    with transaction(db_factory, write=False) as db:
        meeting = db.scalars(select(Meeting)).one()
        stored = load_sessions(db, meeting.id)
        objects = db.scalars(select(Session).options(*session_details())).all()
        codes = {s.id: s.code for s in objects}
        names = Names(
            rooms={s.room.slug: s.room.name for s in objects if s.room},
            tracks={t.slug: t.name for s in objects for t in s.tracks},
            speakers={
                row.speaker.key: (row.speaker.name, row.speaker.degrees, row.speaker.affiliation)
                for s in objects
                for row in s.speakers
            },
        )
        expected = {s.code: snapshot_of_session(s, codes) for s in objects}
    assert {code: snapshot_of_doc(s.doc, names) for code, s in stored.items()} == expected
    assert any(s.doc.parent for s in stored.values())


def tables_written(engine: Engine, factory: SessionFactory, program: ProgramDocument) -> set[str]:
    """The tables the import of `program` inserts into, updates or deletes from."""
    written: set[str] = set()

    def note(*args: object) -> None:
        words = str(args[2]).split()
        if words[0] in {"INSERT", "DELETE"}:
            written.add(words[2])
        elif words[0] == "UPDATE":
            written.add(words[1])

    event.listen(engine, "before_cursor_execute", note)
    try:
        import_document(factory, program)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return written


def test_retitled_sessions_keep_their_track_and_speaker_rows(
    engine: Engine, db_factory: SessionFactory
) -> None:
    program = generate_program(60, seed=7)
    import_document(db_factory, program)

    written = tables_written(engine, db_factory, retitled(program, every=3))

    assert written == {"session", "meeting", "schedule_version", "change_log_entry"}
    assert stored_program(db_factory) == retitled(program, every=3)


def test_changed_tracks_and_speakers_of_a_changed_session_are_stored(
    db_factory: SessionFactory,
) -> None:
    program = make_program()
    import_document(db_factory, program)
    first = program.sessions[0]
    speakers = (*reversed(first.speakers), SessionSpeakerDoc("aokafor", SpeakerRole.HOST))
    cases = [
        with_session(program, first.code, speakers=speakers),
        with_session(program, first.code, speakers=speakers, tracks=("careers",)),
        with_session(program, first.code, speakers=(), tracks=()),
    ]

    stored = []
    for case in cases:
        import_document(db_factory, case)
        stored.append(stored_program(db_factory))

    assert stored == cases


def test_a_new_meeting_title_alone_opens_a_schedule_version(db_factory: SessionFactory) -> None:
    program = generate_program(20, seed=3)
    import_document(db_factory, program)
    with transaction(db_factory, write=False) as db:
        version = db.scalars(select(Meeting.schedule_version)).one()
    renamed = replace(program, meeting=replace(program.meeting, title="Annual Meeting (renamed)"))

    summary = import_document(db_factory, renamed)

    with transaction(db_factory, write=False) as db:
        meeting = db.scalars(select(Meeting)).one()
        assert (meeting.title, meeting.schedule_version) == (
            "Annual Meeting (renamed)",
            version + 1,
        )
    assert (summary.updated, summary.version) == (0, version + 1)
    assert import_document(db_factory, renamed).version is None  # the same again: no version
