"""Read a meeting's program back out of the database as a ProgramDocument (for exports)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from meeting.program.document import (
    MeetingDoc,
    ProgramDocument,
    RoomDoc,
    SessionDoc,
    SessionSpeakerDoc,
    SpeakerDoc,
    TrackDoc,
)
from meeting.program.models import Meeting, Session, SessionSpeaker, Speaker, Track, VirtualRoom


def load_program_document(db: DbSession, meeting: Meeting) -> ProgramDocument:
    """The whole program in file order, with cancelled sessions kept as cancelled."""
    tracks = db.scalars(
        select(Track).where(Track.meeting_id == meeting.id).order_by(Track.position, Track.id)
    ).all()
    rooms = db.scalars(
        select(VirtualRoom)
        .where(VirtualRoom.meeting_id == meeting.id)
        .order_by(VirtualRoom.position, VirtualRoom.id)
    ).all()
    speakers = db.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id)
        .order_by(Speaker.position, Speaker.id)
    ).all()
    sessions = db.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.position, Session.id)
        .options(
            selectinload(Session.tracks),
            selectinload(Session.room),
            selectinload(Session.speakers).selectinload(SessionSpeaker.speaker),
        )
    ).all()
    code_by_id = {s.id: s.code for s in sessions}
    return ProgramDocument(
        meeting=MeetingDoc(
            slug=meeting.slug,
            title=meeting.title,
            timezone=meeting.timezone,
            start_date=meeting.start_date,
            end_date=meeting.end_date,
            virtual=meeting.virtual,
            short_title=meeting.short_title,
            venue=meeting.venue,
            url=meeting.url,
            description=meeting.description,
        ),
        tracks=tuple(TrackDoc(t.slug, t.name, t.color, t.description) for t in tracks),
        rooms=tuple(RoomDoc(r.slug, r.name, r.stream_url) for r in rooms),
        speakers=tuple(
            SpeakerDoc(s.key, s.name, s.degrees, s.affiliation, s.bio) for s in speakers
        ),
        sessions=tuple(
            SessionDoc(
                code=s.code,
                title=s.title,
                kind=s.kind,
                start=s.start_at,
                end=s.end_at,
                room=s.room.slug if s.room else None,
                tracks=tuple(t.slug for t in s.tracks),
                audience=s.audience,
                capacity=s.capacity,
                status=s.status,
                parent=code_by_id.get(s.parent_id) if s.parent_id else None,
                description=s.description,
                stream_url=s.stream_url,
                recording_url=s.recording_url,
                speakers=tuple(SessionSpeakerDoc(row.speaker.key, row.role) for row in s.speakers),
            )
            for s in sessions
        ),
    )
