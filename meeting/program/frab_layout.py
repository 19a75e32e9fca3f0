"""Lay a ProgramDocument out as a frab schedule: days, rooms and events with every value spelt.

The XML and the JSON exports both serialise this one layout, so they cannot drift apart.
Cancelled sessions are left out (frab has no cancelled state); a session without a room
goes into a room with an empty name, which imports back as "no room".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meeting.enums import SessionStatus
from meeting.errors import InvalidInput
from meeting.program.document import ProgramDocument, RoomDoc, SessionDoc
from meeting.program.frab_mapping import (
    HEX_COLOR,
    acronym_for,
    event_slug,
    format_duration,
    meeting_url,
    session_url,
    stable_guid,
)
from meeting.program.validation import check_program

TIMESLOT = "00:05"
# both schemas: the XSD's `[a-z][a-z0-9-]+` and JSON's `^[a-z0-9_-]+[a-z0-9]$`
_TRACK_SLUG = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")
_ROOM_SLUG = re.compile(r"[a-z0-9-]+[a-z0-9]")


@dataclass(frozen=True)
class FrabPerson:
    """A speaker: frab id = position in the document's speakers + 1."""

    id: int
    guid: str
    name: str


@dataclass(frozen=True)
class FrabEvent:
    """One session, every field already in frab's spelling (local times, HH:MM, names)."""

    id: int
    guid: str
    date: str
    end: str
    start: str
    duration: str
    room: str
    slug: str
    url: str
    title: str
    track: str
    type: str
    abstract: str
    persons: tuple[FrabPerson, ...]


@dataclass(frozen=True)
class FrabRoom:
    """A room with the day's events; slug only when both schemas accept it."""

    name: str
    guid: str
    slug: str
    events: tuple[FrabEvent, ...] = ()


_NO_ROOM = FrabRoom("", "", "")


@dataclass(frozen=True)
class FrabDay:
    """One meeting day (index 1..n) from local midnight on."""

    index: int
    date: str
    start: str
    end: str
    rooms: tuple[FrabRoom, ...]


@dataclass(frozen=True)
class FrabTrack:
    """A track; slug and colour are "" when a schema would reject them."""

    name: str
    slug: str
    color: str


@dataclass(frozen=True)
class FrabSchedule:
    """Everything a frab XML or c3voc JSON file says, as the strings they say it with."""

    version: str
    acronym: str
    title: str
    start: str
    end: str
    time_zone_name: str
    url: str
    tracks: tuple[FrabTrack, ...]
    rooms: tuple[FrabRoom, ...]
    days: tuple[FrabDay, ...]


def layout_schedule(
    doc: ProgramDocument,
    *,
    version: str,
    base_url: str,
    event_ids: Mapping[str, int] | None = None,
) -> FrabSchedule:
    """Lay out a valid `doc` (else InvalidInput); ValueError for a bad base URL or event ids."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
    problems = check_program(doc)
    if problems:
        raise InvalidInput(problems)
    meeting = doc.meeting
    zone = ZoneInfo(meeting.timezone)
    sessions = [s for s in doc.sessions if s.status is not SessionStatus.CANCELLED]
    events = _Events(doc, base_url, zone, _event_ids(doc, sessions, event_ids))
    rooms = {r.slug: _room(r, base_url, meeting.slug) for r in doc.rooms}
    by_day: dict[date, list[SessionDoc]] = {}
    for session in sessions:
        by_day.setdefault(session.start.astimezone(zone).date(), []).append(session)
    days = [
        _day(index, day, by_day.get(day, []), rooms, events)
        for index, day in enumerate(_dates(meeting.start_date, meeting.end_date), start=1)
    ]
    return FrabSchedule(
        version=version,
        acronym=acronym_for(meeting.slug),
        title=meeting.title,
        start=meeting.start_date.isoformat(),
        end=meeting.end_date.isoformat(),
        time_zone_name=meeting.timezone,
        url=meeting_url(base_url, meeting.slug) + "/",
        tracks=tuple(
            FrabTrack(
                t.name,
                t.slug if _TRACK_SLUG.fullmatch(t.slug) else "",
                t.color if HEX_COLOR.fullmatch(t.color) else "",
            )
            for t in doc.tracks
        ),
        rooms=tuple(rooms.values()),
        days=tuple(days),
    )


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day(
    index: int,
    day: date,
    sessions: list[SessionDoc],
    rooms: dict[str, FrabRoom],
    events: _Events,
) -> FrabDay:
    """One day from local midnight to the next (or to its last session's end, if later)."""
    zone = events.zone
    sessions = sorted(sessions, key=lambda s: (s.start, s.code))
    start = datetime.combine(day, time(), tzinfo=zone)
    end = max(
        [datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)] + [s.end for s in sessions]
    )
    day_rooms = []
    for slug, room in [*rooms.items(), (None, _NO_ROOM)]:
        room_events = tuple(events.event(s, room.name) for s in sessions if s.room == slug)
        if room_events:
            day_rooms.append(replace(room, events=room_events))
    return FrabDay(
        index=index,
        date=day.isoformat(),
        start=start.isoformat(timespec="seconds"),
        end=end.astimezone(zone).isoformat(timespec="seconds"),
        rooms=tuple(day_rooms),
    )


class _Events:
    def __init__(
        self, doc: ProgramDocument, base_url: str, zone: ZoneInfo, ids: dict[str, int]
    ) -> None:
        self.meeting_slug = doc.meeting.slug
        self.base_url = base_url
        self.zone = zone
        self.ids = ids
        self.tracks = {t.slug: t.name for t in doc.tracks}
        prefix = meeting_url(base_url, self.meeting_slug)
        self.persons = {
            s.key: FrabPerson(i, stable_guid(f"{prefix}/speakers/{s.key}"), s.name)
            for i, s in enumerate(doc.speakers, start=1)
        }
        self.slugs: set[str] = set()

    def event(self, session: SessionDoc, room_name: str) -> FrabEvent:
        start = session.start.astimezone(self.zone)
        url = session_url(self.base_url, self.meeting_slug, session.code)
        return FrabEvent(
            id=self.ids[session.code],
            guid=stable_guid(url),
            date=start.isoformat(timespec="seconds"),
            end=session.end.astimezone(self.zone).isoformat(timespec="seconds"),
            start=start.strftime("%H:%M"),
            duration=format_duration(session.end - session.start),
            room=room_name,
            slug=self._slug(session.code),
            url=url,
            title=session.title,
            track=self.tracks[session.tracks[0]] if session.tracks else "",
            type=session.kind.value,
            abstract=session.description,
            persons=tuple(self.persons[s.speaker] for s in session.speakers),
        )

    def _slug(self, code: str) -> str:
        """Unique per schedule: codes differing only in case or `.`/`_` would collide."""
        base = slug = event_slug(self.meeting_slug, code)
        n = 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}_{n}"
        self.slugs.add(slug)
        return slug


def _room(room: RoomDoc, base_url: str, meeting_slug: str) -> FrabRoom:
    guid = stable_guid(f"{meeting_url(base_url, meeting_slug)}/rooms/{room.slug}")
    return FrabRoom(room.name, guid, room.slug if _ROOM_SLUG.fullmatch(room.slug) else "")


def _event_ids(
    doc: ProgramDocument, sessions: list[SessionDoc], given: Mapping[str, int] | None
) -> dict[str, int]:
    """The caller's ids, or each session's 1-based position (cancelling one renumbers none)."""
    if given is None:
        return {s.code: i for i, s in enumerate(doc.sessions, start=1)}
    missing = [s.code for s in sessions if s.code not in given]
    if missing:
        raise ValueError(f"event_ids has no id for {', '.join(missing[:5])}")
    ids = [given[s.code] for s in sessions]
    if any(i < 1 for i in ids) or len(set(ids)) != len(ids):
        raise ValueError("event ids must be positive and unique")
    return {s.code: given[s.code] for s in sessions}
