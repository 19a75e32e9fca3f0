"""One session as a VEVENT, and a cache of the serialized VEVENTs keyed by revision.

A VEVENT's bytes depend only on the session at one revision, the calendar context and
the variant (status for the attendee, reminder), so they are built once and reused by
every feed that holds the session. Nothing in them depends on the time of the request:
DTSTAMP and LAST-MODIFIED are the time of the session's latest change-log row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event

from meeting.enums import SessionKind, SpeakerRole


class EventStatus(StrEnum):
    """The STATUS a VEVENT carries (RFC 5545 §3.8.1.11)."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


REMINDER_CHOICES = (5, 10, 15, 30)
"""Minutes before a session an attendee may be reminded (None: no reminder)."""


@dataclass(frozen=True)
class EventPerson:
    """A speaker as a calendar shows them: name with degrees, role, affiliation."""

    name: str
    degrees: str
    affiliation: str
    role: SpeakerRole

    def line(self) -> str:
        name = f"{self.name}, {self.degrees}" if self.degrees else self.name
        role = "" if self.role == SpeakerRole.SPEAKER else f" ({self.role.value})"
        where = f" — {self.affiliation}" if self.affiliation else ""
        return f"{name}{role}{where}"


@dataclass(frozen=True)
class SessionEvent:
    """Everything a VEVENT says about one session at one revision (plain data, no ORM)."""

    code: str
    title: str
    kind: SessionKind
    start: datetime
    end: datetime
    room: str
    tracks: tuple[str, ...]
    people: tuple[EventPerson, ...]
    description: str
    cancelled: bool
    revision: int
    changed_at: datetime
    """When the session last changed (its latest change-log row): DTSTAMP, LAST-MODIFIED."""


@dataclass(frozen=True)
class CalendarContext:
    """What every event of one meeting's calendars shares."""

    meeting_slug: str
    zone: str
    base_url: str

    def uid(self, code: str) -> str:
        """The event's UID: session code + meeting slug, so it never changes for a session.

        Codes are stable across re-imports (sessions are upserted by code), and neither
        the feed, the export nor the attendee goes into it, so every calendar that holds
        a session names it the same way and clients update rather than duplicate it.
        """
        return f"{code}@{self.meeting_slug}.meeting"

    def session_url(self, code: str) -> str:
        return f"{self.base_url}/m/{self.meeting_slug}/sessions/{code}"

    def live_url(self, code: str) -> str:
        return f"{self.base_url}/m/{self.meeting_slug}/live/{code}"


@dataclass(frozen=True)
class EventVariant:
    """Per-attendee parts of a VEVENT: the agenda state's STATUS and the reminder."""

    tentative: bool = False
    """A waitlisted agenda entry: STATUS:TENTATIVE (unless the session is cancelled)."""
    reminder_minutes: int | None = None


@lru_cache(maxsize=64)
def event_variant(tentative: bool, reminder_minutes: int | None) -> EventVariant:
    """The one shared instance of a variant: cache keys holding it compare by identity."""
    return EventVariant(tentative, reminder_minutes)


PUBLIC = EventVariant()


def event_status(event: SessionEvent, variant: EventVariant) -> EventStatus:
    if event.cancelled:
        return EventStatus.CANCELLED
    return EventStatus.TENTATIVE if variant.tentative else EventStatus.CONFIRMED


def build_vevent(event: SessionEvent, context: CalendarContext, variant: EventVariant) -> Event:
    """The VEVENT of one session; SEQUENCE is the session's revision (RFC 5545 §3.8.7.4)."""
    zone = ZoneInfo(context.zone)
    status = event_status(event, variant)
    vevent = Event()
    vevent.add("uid", context.uid(event.code))
    vevent.add("dtstamp", event.changed_at)
    vevent.add("last-modified", event.changed_at)
    vevent.add("sequence", event.revision)
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("summary", f"Cancelled: {event.title}" if event.cancelled else event.title)
    vevent.add("description", _description(event, context))
    vevent.add("location", event.room or "Online")
    vevent.add("url", context.session_url(event.code))
    vevent.add("categories", [event.kind.label, *event.tracks])
    vevent.add("status", status.value)
    vevent.add("transp", "TRANSPARENT" if event.cancelled else "OPAQUE")
    if variant.reminder_minutes is not None and not event.cancelled:
        vevent.add_component(_alarm(event, variant.reminder_minutes))
    return vevent


def _description(event: SessionEvent, context: CalendarContext) -> str:
    parts = []
    if event.cancelled:
        parts.append("This session has been cancelled.")
    if event.description:
        parts.append(event.description.strip())
    if event.people:
        parts.append("Speakers:\n" + "\n".join(person.line() for person in event.people))
    links = [f"Session page: {context.session_url(event.code)}"]
    if not event.cancelled:
        links.append(f"Live room: {context.live_url(event.code)}")
    parts.append("\n".join(links))
    return "\n\n".join(parts)


def _alarm(event: SessionEvent, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{event.title} starts in {minutes} minutes")
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


EventKey = tuple[CalendarContext, str, int, EventVariant]
"""(context, session code, revision, variant): everything a cached VEVENT depends on."""

SourceKey = tuple[CalendarContext, str, int]
"""(context, session code, revision): everything a session's SessionEvent depends on."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Bounded(Generic[K, V]):
    """A bounded mapping that forgets the oldest entry first.

    Oldest-first rather than least-recently-used: a hit is then a bare dict lookup (safe
    without a lock), and every feed assembly makes a few dozen of them.
    """

    def __init__(self, max_entries: int) -> None:
        self._entries: dict[K, V] = {}
        self._max_entries = max_entries

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        self._entries.pop(key, None)
        self._entries[key] = value
        while len(self._entries) > self._max_entries:
            del self._entries[next(iter(self._entries))]


class EventCache:
    """Serialized VEVENTs by (context, code, revision, variant), and the SessionEvents
    they are built from by (context, code, revision); oldest out.

    A session's revision rises with every change to it, so a changed session misses
    and is loaded once, then built once per variant, while the rest of a feed comes from
    here. Thread-safe: handlers run in a thread pool.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self._bytes: _Bounded[EventKey, bytes] = _Bounded(max_entries)
        self._sources: _Bounded[SourceKey, SessionEvent] = _Bounded(max_entries // 4 or 1)
        self._lock = threading.Lock()

    def get(self, key: EventKey) -> bytes | None:
        return self._bytes.get(key)

    def put(self, key: EventKey, body: bytes) -> None:
        with self._lock:
            self._bytes.put(key, body)

    def get_source(self, key: SourceKey) -> SessionEvent | None:
        return self._sources.get(key)

    def put_source(self, key: SourceKey, event: SessionEvent) -> None:
        with self._lock:
            self._sources.put(key, event)


def event_key(
    context: CalendarContext, code: str, revision: int, variant: EventVariant
) -> EventKey:
    return (context, code, revision, variant)


def vevent_bytes(event: SessionEvent, context: CalendarContext, variant: EventVariant) -> bytes:
    return bytes(build_vevent(event, context, variant).to_ical())


@dataclass(frozen=True)
class EventRef:
    """A session a feed holds, known cheaply (no speakers loaded) so the cache can be asked."""

    session_id: int
    code: str
    revision: int
    variant: EventVariant
    start: datetime
    end: datetime


def cached_vevents(
    refs: Iterable[EventRef],
    context: CalendarContext,
    cache: EventCache,
    load: Callable[[list[int]], dict[int, SessionEvent]],
) -> list[bytes]:
    """The VEVENT bytes of `refs` in order: from the cache, building only the misses.

    `load` reads the full details of the sessions that are not cached either, in one go.
    """
    refs = list(refs)
    found: dict[int, bytes] = {}
    sources: dict[int, SessionEvent] = {}
    for index, ref in enumerate(refs):
        body = cache.get(event_key(context, ref.code, ref.revision, ref.variant))
        if body is not None:
            found[index] = body
            continue
        source = cache.get_source((context, ref.code, ref.revision))
        if source is not None:
            sources[ref.session_id] = source
    unknown = sorted(
        {r.session_id for i, r in enumerate(refs) if i not in found and r.session_id not in sources}
    )
    if unknown:
        for session_id, source in load(unknown).items():
            # Filed under the revision actually read: a change between the two reads must
            # not put new bytes under the old revision.
            cache.put_source((context, source.code, source.revision), source)
            sources[session_id] = source
    for index, ref in enumerate(refs):
        source = sources.get(ref.session_id)
        if index in found or source is None:  # None: deleted between the two reads
            continue
        body = vevent_bytes(source, context, ref.variant)
        cache.put(event_key(context, source.code, source.revision, ref.variant), body)
        found[index] = body
    return [found[index] for index in range(len(refs)) if index in found]
