"""Assemble a ProgramDocument from the events of a frab XML or c3voc JSON schedule.

Published schedules are rarely schema-clean: whatever can be repaired is repaired here and
reported as a warning; whatever cannot is collected, and all of it is raised together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meeting.errors import InvalidInput, Problem
from meeting.program.document import (
    MeetingDoc,
    ParsedProgram,
    ProgramDocument,
    RoomDoc,
    SessionDoc,
    SessionSpeakerDoc,
    SpeakerDoc,
    TrackDoc,
)
from meeting.program.frab_mapping import (
    HEX_COLOR,
    MAX_CODE,
    SLUG_PATTERN,
    derive_code,
    is_code,
    kind_from_type,
    parse_duration,
    person_key,
    slugify,
    unique_slug,
)
from meeting.program.validation import check_program

SHORTEST_SESSION = timedelta(minutes=5)
"""What a session with no, zero or negative duration is given."""
_SHORT_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{3}")


@dataclass(frozen=True)
class RawPerson:
    """A person of an event as the file names them (frab id, hub guid or pretalx code)."""

    name: str
    id: str = ""
    guid: str = ""
    code: str = ""
    bio: str = ""


@dataclass(frozen=True)
class RawEvent:
    """One event as the file spells it (all text), with where it is for messages."""

    location: str
    line: int | None = None
    id: str = ""
    date: str = ""
    day: str = ""
    day_start: str = ""
    start: str = ""
    duration: str = ""
    end: str = ""
    room: str = ""
    title: str = ""
    type: str = ""
    track: str = ""
    abstract: str = ""
    description: str = ""
    url: str = ""
    slug: str = ""
    persons: tuple[RawPerson, ...] = ()


@dataclass(frozen=True)
class RawTrack:
    """A track the conference defines up front (name, optional slug and colour)."""

    name: str
    slug: str = ""
    color: str = ""


@dataclass(frozen=True)
class RawConference:
    """The conference header as the file spells it, with where it is for messages."""

    location: str
    line: int | None = None
    acronym: str = ""
    title: str = ""
    start: str = ""
    end: str = ""
    days: str = ""
    time_zone_name: str = ""
    url: str = ""
    tracks: tuple[RawTrack, ...] = ()
    rooms: tuple[str, ...] = ()


@dataclass
class _Report:
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def assemble_program(
    conference: RawConference, events: Sequence[RawEvent], *, source_format: str
) -> ParsedProgram:
    """Build and check the document; raise InvalidInput listing every unrepairable problem."""
    report = _Report()
    zone = _zone(conference, report)
    slug, title = _identity(conference, report)
    builder = _Builder(conference, zone, report)
    sessions: list[SessionDoc] = []
    for ev in _first_of_each_id(events, report):
        session = builder.session(ev)
        if session is not None:
            sessions.append(session)
    dates = _dates(conference, zone, sessions, report)
    if report.problems or dates is None:
        raise InvalidInput(report.problems)
    url = conference.url.strip()
    doc = ProgramDocument(
        meeting=MeetingDoc(
            slug=slug,
            title=title,
            timezone=zone.key,
            start_date=dates[0],
            end_date=dates[1],
            url=url if url.startswith(("http://", "https://")) else "",
        ),
        tracks=tuple(builder.tracks.docs),
        rooms=tuple(builder.rooms.docs),
        speakers=tuple(builder.speakers.docs),
        sessions=tuple(sessions),
    )
    problems = check_program(doc)
    if problems:
        raise InvalidInput(problems)
    return ParsedProgram(doc, source_format, report.warnings)


def _zone(conference: RawConference, report: _Report) -> ZoneInfo:
    name = conference.time_zone_name.strip()
    at, line = conference.location, conference.line
    if not name:
        message = "no time_zone_name; times are read as UTC"
        report.warnings.append(Problem(message, at, line, field="time_zone_name"))
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {name!r}"
        report.problems.append(Problem(message, at, line, field="time_zone_name"))
        return ZoneInfo("UTC")


def _identity(conference: RawConference, report: _Report) -> tuple[str, str]:
    acronym, title = conference.acronym.strip(), " ".join(conference.title.split())
    at = conference.location
    if acronym:
        slug = slugify(acronym, fallback="meeting")
    elif title:
        slug = slugify(title, fallback="meeting")
        report.warnings.append(
            Problem(f"no acronym; the slug {slug!r} is made from the title", at, conference.line)
        )
    else:
        report.problems.append(Problem("the conference has neither acronym nor title", at))
        return "meeting", "meeting"
    if not title:
        report.warnings.append(Problem("no title; the acronym is used", at, conference.line))
        title = acronym
    return slug, title


def _first_of_each_id(events: Sequence[RawEvent], report: _Report) -> Iterable[RawEvent]:
    seen: set[str] = set()
    for ev in events:
        if ev.id and ev.id in seen:
            message = f"event id {ev.id} appears again; the first one is kept"
            report.warnings.append(Problem(message, ev.location, ev.line))
            continue
        seen.add(ev.id)
        yield ev


def _dates(
    conference: RawConference, zone: ZoneInfo, sessions: list[SessionDoc], report: _Report
) -> tuple[date, date] | None:
    days = sorted({s.start.astimezone(zone).date() for s in sessions})
    start = _conference_date(conference, "start", zone, report)
    end = _conference_date(conference, "end", zone, report)
    at, line = conference.location, conference.line
    if start is None or end is None:
        if not days:
            report.problems.append(Problem("no conference start/end and no events", at, line))
            return None
        if start is None:
            start = days[0]
            report.warnings.append(Problem(f"start {start} taken from the events", at, line))
        if end is None:
            end = days[-1]
            report.warnings.append(Problem(f"end {end} taken from the events", at, line))
    declared = conference.days.strip()
    count = int(declared) if declared.isascii() and declared.isdigit() else 0
    if count > 0 and (end - start).days == count:
        # classic frab writes the day after the last one (31C3: 27-31 Dec for 4 days)
        end -= timedelta(days=1)
        message = f"end {conference.end} read as exclusive ({declared} days): the last day is {end}"
        report.warnings.append(Problem(message, at, line, field="end"))
    if end < start:
        report.problems.append(
            Problem(f"the conference ends ({end}) before it starts ({start})", at)
        )
        return None
    if days and (days[0] < start or days[-1] > end):
        outside = sum(1 for s in sessions if not start <= s.start.astimezone(zone).date() <= end)
        wider = (min(start, days[0]), max(end, days[-1]))
        message = (
            f"{outside} session(s) start outside the conference's {start} to {end}; "
            f"the meeting's dates are widened to {wider[0]} to {wider[1]}"
        )
        report.warnings.append(Problem(message, at, line))
        return wider
    return start, end


def _conference_date(
    conference: RawConference, name: str, zone: ZoneInfo, report: _Report
) -> date | None:
    text = (conference.start if name == "start" else conference.end).strip()
    if not text:
        return None
    parsed = _parse_datetime(text)
    if parsed is None:
        message = f"{name} {text!r} is neither a date nor a date-time"
        report.warnings.append(Problem(message, conference.location, conference.line, field=name))
        return None
    return parsed.astimezone(zone).date() if parsed.tzinfo else parsed.date()


class _Builder:
    """Turns events into sessions, collecting rooms, tracks, speakers and codes on the way."""

    def __init__(self, conference: RawConference, zone: ZoneInfo, report: _Report) -> None:
        self.zone, self.report = zone, report
        self.tracks = _Tracks(conference, report)
        self.rooms = _Rooms(conference.rooms)
        self.speakers = _Speakers()
        self.codes: set[str] = set()

    def session(self, ev: RawEvent) -> SessionDoc | None:
        code = self._code(ev)
        start = self._start(ev, code)
        end = self._end(ev, start, code) if start is not None else None
        if code is None or start is None or end is None:
            return None
        title = " ".join(ev.title.split())
        if not title:
            self._warn(ev, code, "no title; the code is used")
            title = code
        track = " ".join(ev.track.split())
        return SessionDoc(
            code=code,
            title=title,
            kind=kind_from_type(ev.type),
            start=start,
            end=end,
            room=self.rooms.slug_for(ev.room),
            tracks=(self.tracks.slug_for(track),) if track else (),
            description=_join_texts(ev.abstract, ev.description),
            speakers=self._speakers(ev, code),
        )

    def _code(self, ev: RawEvent) -> str | None:
        code = derive_code(ev.url.strip(), ev.slug.strip(), ev.id)
        if code is None:
            message = "no id, slug or URL to take a session code from"
            self.report.problems.append(Problem(message, ev.location, ev.line))
            return None
        if code in self.codes:
            candidate, n = f"{code[: MAX_CODE - len(ev.id) - 1]}-{ev.id}", 1
            while candidate in self.codes or not is_code(candidate):
                n += 1
                candidate = f"{code[: MAX_CODE - len(str(n)) - 1]}-{n}"
            self._warn(ev, candidate, f"code {code!r} is taken by an earlier event; renamed")
            code = candidate
        self.codes.add(code)
        return code

    def _start(self, ev: RawEvent, code: str | None) -> datetime | None:
        parsed = _parse_datetime(ev.date)
        if parsed is not None:
            if parsed.tzinfo is None:
                self._warn(ev, code, f"date {ev.date} has no UTC offset; read as {self.zone.key}")
                parsed = parsed.replace(tzinfo=self.zone)
            return parsed.astimezone(UTC)
        day, at = _parse_date(ev.day), _parse_time(ev.start)
        if day is None or at is None:
            message = "no parseable date, nor a day date and start time"
            self.report.problems.append(Problem(message, ev.location, ev.line, code, "date"))
            return None
        local = datetime.combine(day, at, tzinfo=self.zone)
        day_start = _parse_datetime(ev.day_start)
        if day_start is not None and day_start.tzinfo is not None and local < day_start:
            local += timedelta(days=1)  # frab days run past midnight: 01:00 is the next date
        if ev.date.strip():
            self._warn(ev, code, f"date {ev.date!r} is not ISO 8601; the day and start are used")
        return local.astimezone(UTC)

    def _end(self, ev: RawEvent, start: datetime, code: str | None) -> datetime | None:
        end = _parse_datetime(ev.end)
        if ev.duration.strip():
            duration = parse_duration(ev.duration)
            if duration is None:
                message = f"duration {ev.duration!r} is not HH:MM"
                self.report.problems.append(
                    Problem(message, ev.location, ev.line, code, "duration")
                )
                return None
        elif end is not None and end.tzinfo is not None:
            duration = end - start
        else:
            self._warn(ev, code, "no duration; the session is given 5 minutes")
            return start + SHORTEST_SESSION
        if duration <= timedelta(0):
            self._warn(ev, code, f"duration {duration} is not positive; given 5 minutes")
            duration = SHORTEST_SESSION
        return start + duration

    def _speakers(self, ev: RawEvent, code: str) -> tuple[SessionSpeakerDoc, ...]:
        keys: list[str] = []
        for person in ev.persons:
            key = self.speakers.key_for(person)
            if key is None:
                self._warn(ev, code, "a person without a name is left out")
            elif key not in keys:
                keys.append(key)
        return tuple(SessionSpeakerDoc(key) for key in keys)

    def _warn(self, ev: RawEvent, code: str | None, message: str) -> None:
        self.report.warnings.append(Problem(message, ev.location, ev.line, code))


class _Rooms:
    def __init__(self, names: Iterable[str]) -> None:
        self.docs: list[RoomDoc] = []
        self._slugs: dict[str, str] = {}
        self._taken: set[str] = set()
        for name in names:
            self.slug_for(name)

    def slug_for(self, name: str) -> str | None:
        """The room's slug, creating the room on first sight; None for an empty name."""
        name = " ".join(name.split())
        if not name:
            return None
        if name not in self._slugs:
            self._slugs[name] = unique_slug(slugify(name, fallback="room"), self._taken)
            self.docs.append(RoomDoc(self._slugs[name], name))
        return self._slugs[name]


class _Tracks:
    def __init__(self, conference: RawConference, report: _Report) -> None:
        self.docs: list[TrackDoc] = []
        self._slugs: dict[str, str] = {}
        self._taken: set[str] = set()
        for track in conference.tracks:
            self._define(track)
            if _color(track.color) is None:
                message = f"track {track.name!r}: colour {track.color!r} is not #rrggbb; dropped"
                report.warnings.append(Problem(message, conference.location, conference.line))

    def slug_for(self, name: str) -> str:
        return self._slugs.get(name) or self._define(RawTrack(name))

    def _define(self, track: RawTrack) -> str:
        name = " ".join(track.name.split())
        if not name or name in self._slugs:
            return self._slugs.get(name, "")
        given = track.slug.strip()
        slug = given if SLUG_PATTERN.fullmatch(given) else slugify(name, fallback="track")
        self._slugs[name] = unique_slug(slug, self._taken)
        self.docs.append(TrackDoc(self._slugs[name], name, _color(track.color) or ""))
        return self._slugs[name]


class _Speakers:
    def __init__(self) -> None:
        self.docs: list[SpeakerDoc] = []
        self._keys: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()

    def key_for(self, person: RawPerson) -> str | None:
        """The person's key, creating the speaker on first sight; None without a name."""
        name = " ".join(person.name.split())
        if not name:
            return None
        identity = _person_identity(person, name)
        if identity not in self._keys:
            base = person_key(person.id.strip(), person.guid.strip(), person.code.strip(), name)
            self._keys[identity] = unique_slug(base, self._taken)
            self.docs.append(SpeakerDoc(self._keys[identity], name, bio=person.bio.strip()))
        return self._keys[identity]


def _person_identity(person: RawPerson, name: str) -> tuple[str, str]:
    if person.id.strip().isdigit():
        return "id", str(int(person.id))
    if person.guid.strip():
        return "guid", person.guid.strip().lower()
    if person.code.strip():
        return "code", person.code.strip()
    return "name", name


def _color(text: str) -> str | None:
    """`#rrggbb` (short `#rgb` expanded), "" for none, None when it is no colour at all."""
    text = text.strip()
    if _SHORT_HEX_COLOR.fullmatch(text):
        text = "#" + "".join(c * 2 for c in text[1:])
    if not text or HEX_COLOR.fullmatch(text):
        return text
    return None


def _join_texts(*parts: str) -> str:
    kept: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in kept:
            kept.append(part)
    return "\n\n".join(kept)


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


def _parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
