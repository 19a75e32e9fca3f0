"""Whole calendars: a VCALENDAR head, the VTIMEZONE and VEVENTs spliced in as bytes.

Every part is serialized by `icalendar` (folded at 75 octets, CRLF, escaped); this module
only concatenates whole components, which is what lets a feed be assembled from cached
VEVENTs instead of rebuilding every event on every request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText

from meeting import __version__
from meeting.calendars.events import CalendarContext, EventRef, SessionEvent
from meeting.calendars.vtimezone import vtimezone_bytes

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = f"-//meeting//meeting {__version__}//EN"
REFRESH_INTERVAL = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class CalendarHead:
    """What a calendar says about itself (RFC 7986 NAME, DESCRIPTION, URL)."""

    name: str
    description: str
    url: str


@dataclass(frozen=True)
class RenderedCalendar:
    """A calendar's bytes and when they last changed (the ETag is made from the bytes)."""

    body: bytes
    last_modified: datetime


def assemble_calendar(
    head: CalendarHead, context: CalendarContext, years: tuple[int, int], vevents: Sequence[bytes]
) -> bytes:
    """The VCALENDAR: head, then the meeting zone's VTIMEZONE (when an event uses it), events.

    `years` are the first and last local years the events touch, so the VTIMEZONE covers
    every one of them.
    """
    return b"".join(calendar_parts(head, context, years, vevents))


def calendar_parts(
    head: CalendarHead, context: CalendarContext, years: tuple[int, int], vevents: Sequence[bytes]
) -> tuple[bytes, ...]:
    """`assemble_calendar` unjoined: each piece is a cached object other calendars share too."""
    parts = [_head_bytes(head)]
    if vevents:
        parts.append(vtimezone_bytes(context.zone, *years))
        parts.extend(vevents)
    parts.append(_END)
    return tuple(parts)


@lru_cache(maxsize=1024)
def _head_bytes(head: CalendarHead) -> bytes:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", head.name)
    # X- properties are TEXT (RFC 5545 §3.8.8.2) but icalendar writes unknown ones raw.
    calendar.add("x-wr-calname", vText(head.name))
    calendar.add("description", head.description)
    calendar.add("x-wr-caldesc", vText(head.description))
    calendar.add("url", head.url)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    body = bytes(calendar.to_ical())
    if not body.endswith(_END):  # pragma: no cover - icalendar always ends so
        raise ValueError("unexpected VCALENDAR serialization")
    return body[: -len(_END)]


def event_years(
    zone: str, spans: Sequence[tuple[datetime, datetime]], default: tuple[int, int]
) -> tuple[int, int]:
    """First and last local years of the spans (and of `default`, the meeting's dates).

    Local time only moves forward with the instant, so the earliest and latest instants
    alone decide it: two conversions, not two per event.
    """
    if not spans:
        return default
    tz = ZoneInfo(zone)
    instants = [moment for span in spans for moment in span]
    first, last = min(instants).astimezone(tz).year, max(instants).astimezone(tz).year
    return min(first, default[0]), max(last, default[1])


def ref_spans(refs: Sequence[EventRef]) -> list[tuple[datetime, datetime]]:
    return [(ref.start, ref.end) for ref in refs]


def event_spans(events: Sequence[SessionEvent]) -> list[tuple[datetime, datetime]]:
    return [(event.start, event.end) for event in events]
