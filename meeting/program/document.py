"""ProgramDocument: the plain data every program format parses into and serialises from.

Times are aware UTC datetimes; formats convert from and to the meeting's local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from meeting.enums import Audience, SessionKind, SessionStatus, SpeakerRole
from meeting.errors import Problem


@dataclass(frozen=True)
class MeetingDoc:
    slug: str
    title: str
    timezone: str
    start_date: date
    end_date: date
    virtual: bool = True
    short_title: str = ""
    venue: str = ""
    url: str = ""
    description: str = ""


@dataclass(frozen=True)
class TrackDoc:
    slug: str
    name: str
    color: str = ""
    description: str = ""


@dataclass(frozen=True)
class RoomDoc:
    slug: str
    name: str
    stream_url: str = ""


@dataclass(frozen=True)
class SpeakerDoc:
    key: str
    name: str
    degrees: str = ""
    affiliation: str = ""
    bio: str = ""


@dataclass(frozen=True)
class SessionSpeakerDoc:
    speaker: str
    role: SpeakerRole = SpeakerRole.SPEAKER


@dataclass(frozen=True)
class SessionDoc:
    code: str
    title: str
    kind: SessionKind
    start: datetime
    end: datetime
    room: str | None = None
    tracks: tuple[str, ...] = ()
    audience: Audience = Audience.EVERYONE
    capacity: int | None = None
    status: SessionStatus = SessionStatus.SCHEDULED
    parent: str | None = None
    description: str = ""
    stream_url: str = ""
    recording_url: str = ""
    speakers: tuple[SessionSpeakerDoc, ...] = ()


@dataclass(frozen=True)
class ProgramDocument:
    """One meeting's whole program, independent of any file format or database."""

    meeting: MeetingDoc
    tracks: tuple[TrackDoc, ...] = ()
    rooms: tuple[RoomDoc, ...] = ()
    speakers: tuple[SpeakerDoc, ...] = ()
    sessions: tuple[SessionDoc, ...] = ()


@dataclass(frozen=True)
class ParsedProgram:
    """A parsed document plus what the parser had to repair on the way (warnings)."""

    document: ProgramDocument
    format: str
    warnings: list[Problem] = field(default_factory=list)
