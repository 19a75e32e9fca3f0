"""One session as a VEVENT: required properties, escaping and folding, status, reminders, cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Alarm, Event

from meeting.calendars.events import (
    PUBLIC,
    CalendarContext,
    EventCache,
    EventPerson,
    EventRef,
    EventVariant,
    SessionEvent,
    cached_vevents,
    vevent_bytes,
)
from meeting.enums import SessionKind, SpeakerRole
from tests.calendars.readers import instant
from tests.factories import pacific

pytestmark = pytest.mark.unit

CONTEXT = CalendarContext("test-2020", "America/Los_Angeles", "https://meeting.test")
CHANGED = datetime(2020, 11, 20, 12, 0, tzinfo=UTC)


def make_event(**overrides: Any) -> SessionEvent:
    values: dict[str, Any] = {
        "code": "PLEN-01",
        "title": "Plenary Scientific Session",
        "kind": SessionKind.PLENARY,
        "start": pacific(5, 9),
        "end": pacific(5, 10, 30),
        "room": "Channel 1",
        "tracks": ("Lymphoma",),
        "people": (
            EventPerson("Lachelle Weeks", "MD, PhD", "Dana-Farber", SpeakerRole.CHAIR),
            EventPerson("Jürgen Müller", "MD", "Charité; Berlin", SpeakerRole.SPEAKER),
        ),
        "description": "The year's most important abstracts.",
        "cancelled": False,
        "revision": 0,
        "changed_at": CHANGED,
    }
    return SessionEvent(**{**values, **overrides})


def parsed(event: SessionEvent, variant: EventVariant = PUBLIC) -> Event:
    found = Event.from_ical(vevent_bytes(event, CONTEXT, variant))
    assert isinstance(found, Event)
    return found


def lines_starting(body: bytes, prefix: bytes) -> list[bytes]:
    return [line for line in body.split(b"\r\n") if line.startswith(prefix)]


def test_vevent_says_what_clients_need() -> None:
    vevent = parsed(make_event(revision=3))

    assert {
        "uid": vevent.uid,
        "sequence": vevent.sequence,
        "dtstamp": vevent.stamp,
        "last-modified": vevent.last_modified,
        "dtstart": instant(vevent.start),
        "dtend": instant(vevent.end),
        "summary": vevent.summary,
        "location": vevent.location,
        "url": vevent.url,
        "categories": vevent.categories,
        "status": str(vevent.status),
        "transparency": str(vevent.transparency),
    } == {
        "uid": "PLEN-01@test-2020.meeting",
        "sequence": 3,
        "dtstamp": CHANGED,
        "last-modified": CHANGED,
        "dtstart": datetime(2020, 12, 5, 17, 0, tzinfo=UTC),
        "dtend": datetime(2020, 12, 5, 18, 30, tzinfo=UTC),
        "summary": "Plenary Scientific Session",
        "location": "Channel 1",
        "url": "https://meeting.test/m/test-2020/sessions/PLEN-01",
        "categories": ["Plenary", "Lymphoma"],
        "status": "CONFIRMED",
        "transparency": "OPAQUE",
    }


def test_times_are_in_the_meeting_zone_and_stamps_in_utc() -> None:
    body = vevent_bytes(make_event(), CONTEXT, PUBLIC)

    assert lines_starting(body, b"DT") + lines_starting(body, b"LAST-MODIFIED") == [
        b"DTSTART;TZID=America/Los_Angeles:20201205T090000",
        b"DTEND;TZID=America/Los_Angeles:20201205T103000",
        b"DTSTAMP:20201120T120000Z",
        b"LAST-MODIFIED:20201120T120000Z",
    ]


def test_description_lists_speakers_and_links() -> None:
    vevent = parsed(make_event())

    assert (vevent.description or "").split("\n") == [
        "The year's most important abstracts.",
        "",
        "Speakers:",
        "Lachelle Weeks, MD, PhD (chair) — Dana-Farber",
        "Jürgen Müller, MD — Charité; Berlin",
        "",
        "Session page: https://meeting.test/m/test-2020/sessions/PLEN-01",
        "Live room: https://meeting.test/m/test-2020/live/PLEN-01",
    ]


def test_text_is_escaped_and_survives_a_round_trip() -> None:
    title = 'Lachelle Weeks, MD, PhD; Müller \\ "quoted"\nsecond line'

    body = vevent_bytes(make_event(title=title), CONTEXT, PUBLIC)

    assert lines_starting(body, b"SUMMARY") == [
        'SUMMARY:Lachelle Weeks\\, MD\\, PhD\\; Müller \\\\ "quoted"\\nsecond line'.encode()
    ]
    assert parsed(make_event(title=title)).summary == title


def test_lines_are_crlf_and_folded_at_75_octets_between_characters() -> None:
    long_text = "Ünïcödé Müller, Weeks; " * 20

    body = vevent_bytes(make_event(description=long_text), CONTEXT, PUBLIC)

    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert [line for line in lines if len(line) > 75] == []
    assert [line for line in lines if b"\n" in line or b"\r" in line] == []
    for line in lines:
        line.decode("utf-8")  # a fold never splits a character
    assert (parsed(make_event(description=long_text)).description or "").split("\n\n")[0] == (
        long_text.strip()
    )


def test_cancelled_session_is_cancelled_transparent_and_without_reminder() -> None:
    vevent = parsed(make_event(cancelled=True), EventVariant(reminder_minutes=10))

    assert (
        str(vevent.status),
        vevent.summary,
        str(vevent.transparency),
        vevent.subcomponents,
    ) == ("CANCELLED", "Cancelled: Plenary Scientific Session", "TRANSPARENT", [])


def test_waitlisted_entry_is_tentative() -> None:
    vevent = parsed(make_event(), EventVariant(tentative=True))

    assert str(vevent.status) == "TENTATIVE"


def test_reminder_is_a_display_alarm_before_the_start() -> None:
    vevent = parsed(make_event(), EventVariant(reminder_minutes=15))

    alarms = [
        (a.ACTION, a.TRIGGER, a.description) for a in vevent.subcomponents if isinstance(a, Alarm)
    ]
    assert alarms == [
        ("DISPLAY", timedelta(minutes=-15), "Plenary Scientific Session starts in 15 minutes")
    ]


def test_bytes_do_not_depend_on_when_they_are_built() -> None:
    first = vevent_bytes(make_event(), CONTEXT, PUBLIC)

    second = vevent_bytes(make_event(), CONTEXT, PUBLIC)

    assert first == second


class CountingLoader:
    """A fake loader that remembers which sessions it was asked for."""

    def __init__(self, events: dict[int, SessionEvent]) -> None:
        self.events = events
        self.asked: list[list[int]] = []

    def __call__(self, ids: list[int]) -> dict[int, SessionEvent]:
        self.asked.append(ids)
        return {i: self.events[i] for i in ids}


def ref(session_id: int, event: SessionEvent, variant: EventVariant = PUBLIC) -> EventRef:
    return EventRef(session_id, event.code, event.revision, variant, event.start, event.end)


def test_cache_builds_a_vevent_once_per_revision_and_variant() -> None:
    plenary, workshop = make_event(), make_event(code="WS-101", title="Workshop")
    loader = CountingLoader({1: plenary, 2: workshop})
    cache = EventCache()
    refs = [ref(1, plenary), ref(2, workshop)]

    first = cached_vevents(refs, CONTEXT, cache, loader)
    again = cached_vevents(refs, CONTEXT, cache, loader)
    moved = make_event(code="WS-101", title="Workshop", revision=1, start=pacific(5, 8))
    loader.events[2] = moved
    after_move = cached_vevents([ref(1, plenary), ref(2, moved)], CONTEXT, cache, loader)
    tentative = cached_vevents(
        [ref(1, plenary, EventVariant(tentative=True))], CONTEXT, cache, loader
    )

    assert loader.asked == [[1, 2], [2]]  # the tentative variant reuses what was loaded
    assert again == first
    assert after_move[0] == first[0]
    assert after_move[1] != first[1]
    assert lines_starting(tentative[0], b"STATUS") == [b"STATUS:TENTATIVE"]


def test_cache_forgets_the_least_recently_used() -> None:
    cache = EventCache(max_entries=2)
    keys = [(CONTEXT, code, 0, PUBLIC) for code in ("A", "B", "C")]

    for key in keys:
        cache.put(key, key[1].encode())

    assert [cache.get(key) for key in keys] == [None, b"B", b"C"]
