"""SessionEvents from the database or from a ProgramDocument (the same values either way)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session as DbSession

from meeting.calendars.events import CalendarContext, EventPerson, SessionEvent
from meeting.enums import SessionKind, SessionStatus, SpeakerRole
from meeting.program.document import ProgramDocument, SessionDoc, SpeakerDoc
from meeting.program.models import (
    ChangeLogEntry,
    Meeting,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    VirtualRoom,
    session_track,
)


@dataclass(frozen=True)
class EventStamp:
    """A session's revision and the time of its latest change (DTSTAMP, LAST-MODIFIED)."""

    revision: int
    changed_at: datetime


class NamedMeeting(Protocol):
    """A Meeting, or the plain facts a feed reads of one."""

    @property
    def slug(self) -> str: ...

    @property
    def timezone(self) -> str: ...


def calendar_context(meeting: NamedMeeting, base_url: str) -> CalendarContext:
    return _shared_context(meeting.slug, meeting.timezone, base_url)


@lru_cache(maxsize=256)
def _shared_context(slug: str, zone: str, base_url: str) -> CalendarContext:
    """One instance per context, so the event cache's keys compare by identity."""
    return CalendarContext(meeting_slug=slug, zone=zone, base_url=base_url)


def load_event_stamps(db: DbSession, meeting: Meeting) -> dict[str, EventStamp]:
    """Session code -> stamp for a whole meeting, in one query."""
    latest = (
        select(ChangeLogEntry.session_id, func.max(ChangeLogEntry.created_at).label("at"))
        .where(ChangeLogEntry.meeting_id == meeting.id)
        .group_by(ChangeLogEntry.session_id)
        .subquery()
    )
    rows = db.execute(
        select(Session.code, Session.revision, Session.created_at, latest.c.at)
        .outerjoin(latest, latest.c.session_id == Session.id)
        .where(Session.meeting_id == meeting.id)
    ).all()
    return {
        code: EventStamp(revision, _aware(at) or created) for code, revision, created, at in rows
    }


def load_session_events(
    db: DbSession | Connection, session_ids: Iterable[int]
) -> dict[int, SessionEvent]:
    """Session id -> SessionEvent, in three column queries (no ORM objects: this is the
    cache-miss path of every feed, right after a change)."""
    ids = list(session_ids)
    if not ids:
        return {}
    changed = (
        select(func.max(ChangeLogEntry.created_at))
        .where(ChangeLogEntry.session_id == Session.id)
        .correlate(Session)
        .scalar_subquery()
    )
    rows = db.execute(
        select(
            Session.id,
            Session.code,
            Session.title,
            Session.kind,
            Session.start_at,
            Session.end_at,
            VirtualRoom.name,
            Session.description,
            Session.status,
            Session.revision,
            Session.created_at,
            changed.label("changed_at"),
        )
        .outerjoin(VirtualRoom, VirtualRoom.id == Session.room_id)
        .where(Session.id.in_(ids))
    ).all()
    tracks: dict[int, list[str]] = {}
    for session_id, name in db.execute(
        select(session_track.c.session_id, Track.name)
        .join(Track, Track.id == session_track.c.track_id)
        .where(session_track.c.session_id.in_(ids))
        .order_by(Track.position, Track.id)
    ):
        tracks.setdefault(session_id, []).append(name)
    people: dict[int, list[EventPerson]] = {}
    for session_id, name, degrees, affiliation, role in db.execute(
        select(
            SessionSpeaker.session_id,
            Speaker.name,
            Speaker.degrees,
            Speaker.affiliation,
            SessionSpeaker.role,
        )
        .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
        .where(SessionSpeaker.session_id.in_(ids))
        .order_by(SessionSpeaker.position)
    ):
        people.setdefault(session_id, []).append(
            EventPerson(name, degrees, affiliation, SpeakerRole(role))
        )
    return {
        row.id: SessionEvent(
            code=row.code,
            title=row.title,
            kind=SessionKind(row.kind),
            start=row.start_at,
            end=row.end_at,
            room=row.name or "",
            tracks=tuple(tracks.get(row.id, ())),
            people=tuple(people.get(row.id, ())),
            description=row.description,
            cancelled=row.status == SessionStatus.CANCELLED,
            revision=row.revision,
            changed_at=_aware(row.changed_at) or row.created_at,
        )
        for row in rows
    }


def document_events(
    doc: ProgramDocument, stamps: Mapping[str, EventStamp], fallback: datetime
) -> list[SessionEvent]:
    """The document's sessions in time order; sessions without a stamp get `fallback`."""
    rooms = {room.slug: room.name for room in doc.rooms}
    tracks = {track.slug: track.name for track in doc.tracks}
    speakers = {speaker.key: speaker for speaker in doc.speakers}
    ordered = sorted(enumerate(doc.sessions), key=lambda pair: (pair[1].start, pair[0]))
    return [
        _document_event(item, rooms, tracks, speakers, stamps.get(item.code), fallback)
        for _position, item in ordered
    ]


def _document_event(
    item: SessionDoc,
    rooms: Mapping[str, str],
    tracks: Mapping[str, str],
    speakers: Mapping[str, SpeakerDoc],
    stamp: EventStamp | None,
    fallback: datetime,
) -> SessionEvent:
    people = [
        EventPerson(
            speakers[ref.speaker].name,
            speakers[ref.speaker].degrees,
            speakers[ref.speaker].affiliation,
            ref.role,
        )
        for ref in item.speakers
    ]
    return SessionEvent(
        code=item.code,
        title=item.title,
        kind=item.kind,
        start=item.start,
        end=item.end,
        room=rooms.get(item.room, "") if item.room else "",
        tracks=tuple(tracks.get(slug, slug) for slug in item.tracks),
        people=tuple(people),
        description=item.description,
        cancelled=item.status == SessionStatus.CANCELLED,
        revision=stamp.revision if stamp else 0,
        changed_at=stamp.changed_at if stamp else fallback,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates may come back naive on SQLite; the stored values are UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
