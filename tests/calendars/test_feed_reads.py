"""A cold feed's reads: session timings once per schedule version, one meeting's entries only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from meeting.agenda.service import add_to_agenda
from meeting.calendars.agenda_feed import agenda_refs
from meeting.calendars.feed_reads import ScheduleTimings, agendas_of, feed_meeting
from meeting.calendars.preferences import FeedSettings
from meeting.db import SessionFactory, transaction
from meeting.db.reads import read_connection
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.conftest import NOW, import_document
from tests.factories import make_meeting, make_user, pacific, with_session
from tests.web.test_fast_lane import counted_queries

pytestmark = pytest.mark.integration


def test_timings_are_read_once_per_schedule_version(
    engine: Engine, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    timings = ScheduleTimings()
    with read_connection(engine) as conn:
        meeting = feed_meeting(conn, "test-2020")
        first = timings.of(conn, meeting)
        with counted_queries() as statements:
            again = timings.of(conn, meeting)
    moved = with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16, 30))
    import_document(db_factory, moved)
    with read_connection(engine) as conn:
        after = timings.of(conn, feed_meeting(conn, "test-2020"))

    assert again is first
    assert statements == []
    by_code = {t.code: t for t in after.values()}
    assert by_code["LYM-201"].start == pacific(6, 15)
    assert by_code["LYM-201"].revision == 1


def test_a_feed_holds_only_its_own_meetings_sessions(
    engine: Engine, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    other = dataclasses.replace(program, meeting=make_meeting(slug="test-2019", title="2019"))
    import_document(db_factory, other)
    with transaction(db_factory) as db:
        user = make_user(db)
        meetings = {m.slug: m for m in db.scalars(select(Meeting))}
        add_to_agenda(db, user, meetings["test-2020"], "LYM-201", NOW)
        add_to_agenda(db, user, meetings["test-2019"], "PLEN-01", NOW)
        user_id = user.id
    timings = ScheduleTimings()

    with read_connection(engine) as conn:
        meeting = feed_meeting(conn, "test-2020")
        entries = agendas_of(conn, [user_id, user_id + 1])
        refs, expires_at = agenda_refs(
            timings.of(conn, meeting), entries[user_id], FeedSettings(), datetime.now(UTC)
        )

    assert len(entries[user_id]) == 2
    assert entries[user_id + 1] == []  # asked for, with an empty agenda
    assert [ref.code for ref in refs] == ["LYM-201"]
    assert expires_at is None
