"""Read calendars back with two independent parsers: icalendar and ical (Home Assistant's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar


@dataclass(frozen=True)
class SeenEvent:
    """What a calendar client keys on and shows, with times as UTC instants."""

    uid: str
    sequence: int
    status: str
    start: datetime
    end: datetime
    summary: str


def instant(value: date | datetime | None) -> datetime:
    """A timed value as a UTC instant (all-day or missing values fail the test)."""
    assert isinstance(value, datetime)
    assert value.tzinfo is not None
    return value.astimezone(UTC)


def read_with_icalendar(body: bytes) -> list[SeenEvent]:
    calendar = Calendar.from_ical(body)
    return [
        SeenEvent(
            uid=event.uid,
            sequence=event.sequence,
            status=str(event.status),
            start=instant(event.start),
            end=instant(event.end),
            summary=event.summary or "",
        )
        for event in calendar.events
    ]


def read_with_ical(body: bytes) -> list[SeenEvent]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return [
        SeenEvent(
            uid=event.uid or "",
            sequence=event.sequence or 0,
            status=str(event.status.value if event.status else ""),
            start=instant(event.dtstart),
            end=instant(event.dtend),
            summary=event.summary or "",
        )
        for event in calendar.events
    ]


def read_with_both(body: bytes) -> list[SeenEvent]:
    """The events as both parsers see them; fails when they disagree."""
    first, second = read_with_icalendar(body), read_with_ical(body)
    assert first == second
    return first
