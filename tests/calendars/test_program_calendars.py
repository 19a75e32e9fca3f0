"""The program as a calendar: times across DST, UIDs across re-imports, SEQUENCE, cancellations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from sqlalchemy import select

from meeting.calendars.events import CalendarContext
from meeting.calendars.program_calendars import render_program_calendar
from meeting.cli import main
from meeting.db import SessionFactory, transaction
from meeting.enums import SessionStatus
from meeting.exports import render_meeting_export
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.calendars.readers import SeenEvent, read_with_both
from tests.conftest import NOW, import_document
from tests.factories import make_meeting, make_program, make_session, pacific, with_session

BASE_URL = "https://meeting.test"
LATER = NOW + timedelta(hours=2)


def dst_program(zone: str) -> tuple[ProgramDocument, list[datetime]]:
    """Sessions at 10:00 local on both sides of both 2020/21 changes (northern and southern)."""
    tz = ZoneInfo(zone)
    days = [date(2020, 10, 3), date(2020, 10, 31), date(2020, 11, 2), date(2021, 3, 13)]
    days += [date(2021, 3, 15), date(2021, 4, 10)]
    starts = [datetime(d.year, d.month, d.day, 10, 0, tzinfo=tz) for d in days]
    sessions = tuple(
        make_session(
            code=f"S{i}", start=s.astimezone(UTC), end=(s + timedelta(hours=1)).astimezone(UTC)
        )
        for i, s in enumerate(starts)
    )
    meeting = make_meeting(timezone=zone, start_date=days[0], end_date=days[-1])
    return make_program(meeting=meeting, sessions=sessions), starts


def embedded_zone_starts(body: bytes) -> list[datetime]:
    """DTSTARTs read through the calendar's own VTIMEZONE, as ical.js and vobject do."""
    calendar = Calendar.from_ical(body)
    zone = calendar.timezones[0].to_tz(lookup_tzid=False)
    starts = [event.start for event in calendar.events]
    # Keep the wall-clock time as written, swap icalendar's own zone for the embedded one.
    return [s.replace(tzinfo=zone).astimezone(UTC) for s in starts if isinstance(s, datetime)]


@pytest.mark.unit
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Berlin", "Australia/Sydney"])
def test_instants_are_right_on_both_sides_of_daylight_saving_changes(zone: str) -> None:
    doc, starts = dst_program(zone)
    context = CalendarContext("test-2020", zone, BASE_URL)

    body = render_program_calendar(doc, context, {}, NOW)

    expected = [start.astimezone(UTC) for start in starts]
    assert [event.start for event in read_with_both(body)] == expected
    assert embedded_zone_starts(body) == expected


def program_calendar(db_factory: SessionFactory) -> list[SeenEvent]:
    with transaction(db_factory, write=False) as db:
        meeting = db.scalars(select(Meeting)).one()
        body, _modified = render_meeting_export(db, meeting, "ics", BASE_URL)
    return read_with_both(body)


def by_uid(events: list[SeenEvent]) -> dict[str, SeenEvent]:
    return {event.uid: event for event in events}


@pytest.mark.integration
def test_uids_survive_reimport_and_a_move_raises_the_sequence(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    before = program_calendar(db_factory)

    moved = with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16, 30))
    import_document(db_factory, moved, now=LATER)
    after = by_uid(program_calendar(db_factory))

    assert sorted(after) == sorted(event.uid for event in before)
    assert (
        after["LYM-201@test-2020.meeting"].sequence,
        after["LYM-201@test-2020.meeting"].start,
    ) == (
        1,
        datetime(2020, 12, 6, 23, 0, tzinfo=UTC),
    )
    assert after["PLEN-01@test-2020.meeting"].sequence == 0


@pytest.mark.integration
def test_cancelled_session_stays_as_cancelled(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    import_document(
        db_factory, with_session(program, "PLEN-01", status=SessionStatus.CANCELLED), now=LATER
    )

    plenary = by_uid(program_calendar(db_factory))["PLEN-01@test-2020.meeting"]

    assert (plenary.status, plenary.sequence, plenary.summary) == (
        "CANCELLED",
        1,
        "Cancelled: Plenary Scientific Session",
    )


@pytest.mark.integration
def test_dtstamp_is_the_time_of_the_last_change(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    import_document(
        db_factory, with_session(program, "LATE-01", title="Evening Session"), now=LATER
    )
    with transaction(db_factory, write=False) as db:
        meeting = db.scalars(select(Meeting)).one()
        body, modified = render_meeting_export(db, meeting, "ics", BASE_URL)

    stamps = {e.uid: (e.stamp, e.last_modified) for e in Calendar.from_ical(body).events}
    assert (stamps["LATE-01@test-2020.meeting"], stamps["PLEN-01@test-2020.meeting"]) == (
        (LATER, LATER),
        (NOW, NOW),
    )
    assert modified == LATER


@pytest.mark.integration
def test_cli_exports_the_program_calendar(
    database_url: str, tmp_path: Path, program: ProgramDocument
) -> None:
    env = {"MEETING_DATABASE_URL": database_url, "MEETING_VAR_DIR": str(tmp_path / "var")}
    output = tmp_path / "program.ics"

    result = CliRunner().invoke(
        main, ["export", "--format", "ics", "-o", str(output)], env=env, catch_exceptions=False
    )

    assert result.exit_code == 0
    assert sorted(e.uid for e in read_with_both(output.read_bytes())) == sorted(
        f"{s.code}@test-2020.meeting" for s in program.sessions
    )
