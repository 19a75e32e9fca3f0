"""Apply a validated ProgramDocument to the database in one transaction, by session code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from meeting.enums import SessionStatus
from meeting.errors import Problem
from meeting.program.changes import Change, Snapshot, diff_session, log_changes, open_version
from meeting.program.document import MeetingDoc, ParsedProgram, ProgramDocument, SessionDoc
from meeting.program.models import (
    Meeting,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    VirtualRoom,
)
from meeting.program.snapshots import Names, names_of_doc, snapshot_of_doc, snapshot_of_session

Progress = Callable[[int, int], None]
"""Called with (done, total) as sessions are applied."""


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    meeting: str
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    version: int | None = None
    warnings: list[Problem] = field(default_factory=list)


def import_program(
    db: DbSession,
    parsed: ParsedProgram,
    *,
    source: str,
    now: datetime,
    progress: Progress | None = None,
) -> ImportSummary:
    """Create or update the meeting so it matches the document; cancel what it no longer has.

    The caller owns the transaction: commit applies everything, rollback (a dry run) nothing.
    """
    doc = parsed.document
    before = _current_names(db, doc.meeting.slug)
    after = names_of_doc(doc)
    meeting = _upsert_meeting(db, doc.meeting)
    summary = ImportSummary(meeting=meeting.slug, warnings=list(parsed.warnings))
    tracks = _upsert_tracks(db, meeting, doc)
    rooms = _upsert_rooms(db, meeting, doc)
    speakers = _upsert_speakers(db, meeting, doc)
    db.flush()

    existing = _load_sessions(db, meeting)
    lookup = _Lookup(existing, tracks, rooms, speakers)
    pending: list[tuple[Session, list[Change]]] = []
    total = len(doc.sessions)
    for position, item in enumerate(doc.sessions):
        session = existing.get(item.code)
        old = snapshot_of_session(session, lookup.code_by_id, before) if session else None
        changes = diff_session(old, snapshot_of_doc(item, after))
        if session is None:
            session = Session(meeting_id=meeting.id, code=item.code, revision=0)
            db.add(session)
            existing[item.code] = session
            summary.created += 1
        elif changes:
            session.revision += 1
            summary.updated += 1
        else:
            summary.unchanged += 1
        session.position = position
        if changes:
            lookup.apply(session, item, now)
            pending.append((session, changes))
        if progress is not None:
            progress(position + 1, total)

    pending += _cancel_missing(doc, existing, lookup.code_by_id, before, now, summary)
    db.flush()
    _link_parents(doc, existing)
    if pending:
        version = open_version(db, meeting, source=source, now=now)
        for session, changes in pending:
            log_changes(db, version, session.id, changes, now)
        summary.version = version.number
    db.flush()
    return summary


class _Lookup:
    """Slug/key/code <-> row maps an import needs to turn documents into rows."""

    def __init__(
        self,
        sessions: dict[str, Session],
        tracks: dict[str, Track],
        rooms: dict[str, VirtualRoom],
        speakers: dict[str, Speaker],
    ) -> None:
        self.sessions = sessions
        self.tracks = tracks
        self.rooms = rooms
        self.speakers = speakers
        self.code_by_id = {s.id: s.code for s in sessions.values()}

    def apply(self, session: Session, item: SessionDoc, now: datetime) -> None:
        was_cancelled = session.status == SessionStatus.CANCELLED
        session.title = item.title
        session.kind = item.kind
        session.start_at = item.start
        session.end_at = item.end
        session.room = self.rooms[item.room] if item.room else None
        session.audience = item.audience
        session.capacity = item.capacity
        session.status = item.status
        if item.status == SessionStatus.CANCELLED and not was_cancelled:
            session.cancelled_at = now
        elif item.status == SessionStatus.SCHEDULED:
            session.cancelled_at = None
        session.description = item.description
        session.stream_url = item.stream_url
        session.recording_url = item.recording_url
        session.tracks = [self.tracks[slug] for slug in item.tracks]
        self._apply_speakers(session, item)

    def _apply_speakers(self, session: Session, item: SessionDoc) -> None:
        # Update rows in place: replacing them would insert before deleting the same key.
        current = {row.speaker.key: row for row in session.speakers} if session.id else {}
        rows = []
        for position, ref in enumerate(item.speakers):
            row = current.pop(ref.speaker, None) or SessionSpeaker(
                speaker=self.speakers[ref.speaker]
            )
            row.role = ref.role
            row.position = position
            rows.append(row)
        session.speakers = rows


def _cancel_missing(
    doc: ProgramDocument,
    existing: dict[str, Session],
    code_by_id: dict[int, str],
    before: Names,
    now: datetime,
    summary: ImportSummary,
) -> list[tuple[Session, list[Change]]]:
    """Sessions that left the file are cancelled, never deleted, and the import warns."""
    wanted = {s.code for s in doc.sessions}
    cancelled = []
    for code, session in existing.items():
        if code in wanted or session.status == SessionStatus.CANCELLED:
            continue
        old = snapshot_of_session(session, code_by_id, before)
        session.status = SessionStatus.CANCELLED
        session.cancelled_at = now
        session.revision += 1
        cancelled.append((session, diff_session(old, snapshot_of_session(session, code_by_id))))
        summary.cancelled += 1
        summary.warnings.append(
            Problem("not in the file: cancelled (kept, not deleted)", session=code)
        )
    return cancelled


def _current_names(db: DbSession, slug: str) -> Names:
    """Display names as stored before this import renames anything."""
    meeting_id = db.scalar(select(Meeting.id).where(Meeting.slug == slug))
    if meeting_id is None:
        return Names()
    rooms = db.execute(
        select(VirtualRoom.slug, VirtualRoom.name).where(VirtualRoom.meeting_id == meeting_id)
    ).all()
    tracks = db.execute(select(Track.slug, Track.name).where(Track.meeting_id == meeting_id)).all()
    speakers = db.execute(
        select(Speaker.key, Speaker.name, Speaker.degrees, Speaker.affiliation).where(
            Speaker.meeting_id == meeting_id
        )
    ).all()
    return Names(
        rooms=dict(rooms),
        tracks=dict(tracks),
        speakers={
            key: (name, degrees, affiliation) for key, name, degrees, affiliation in speakers
        },
    )


def _link_parents(doc: ProgramDocument, sessions: dict[str, Session]) -> None:
    for item in doc.sessions:
        parent = sessions[item.parent] if item.parent else None
        sessions[item.code].parent_id = parent.id if parent else None


def _load_sessions(db: DbSession, meeting: Meeting) -> dict[str, Session]:
    rows = db.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id)
        .options(
            selectinload(Session.tracks),
            selectinload(Session.speakers).selectinload(SessionSpeaker.speaker),
            selectinload(Session.room),
        )
    )
    return {s.code: s for s in rows}


def _upsert_meeting(db: DbSession, doc: MeetingDoc) -> Meeting:
    meeting = db.scalar(select(Meeting).where(Meeting.slug == doc.slug))
    if meeting is None:
        meeting = Meeting(slug=doc.slug, schedule_version=0)
        db.add(meeting)
    for name in (
        "title",
        "short_title",
        "timezone",
        "start_date",
        "end_date",
        "virtual",
        "venue",
        "url",
        "description",
    ):
        setattr(meeting, name, getattr(doc, name))
    db.flush()
    return meeting


def _upsert_tracks(db: DbSession, meeting: Meeting, doc: ProgramDocument) -> dict[str, Track]:
    rows = {t.slug: t for t in db.scalars(select(Track).where(Track.meeting_id == meeting.id))}
    for position, item in enumerate(doc.tracks):
        row = rows.get(item.slug) or Track(meeting_id=meeting.id, slug=item.slug)
        row.name, row.color, row.description = item.name, item.color, item.description
        row.position = position
        rows[item.slug] = row
        db.add(row)
    return rows


def _upsert_rooms(db: DbSession, meeting: Meeting, doc: ProgramDocument) -> dict[str, VirtualRoom]:
    query = select(VirtualRoom).where(VirtualRoom.meeting_id == meeting.id)
    rows = {r.slug: r for r in db.scalars(query)}
    for position, item in enumerate(doc.rooms):
        row = rows.get(item.slug) or VirtualRoom(meeting_id=meeting.id, slug=item.slug)
        row.name, row.stream_url, row.position = item.name, item.stream_url, position
        rows[item.slug] = row
        db.add(row)
    return rows


def _upsert_speakers(db: DbSession, meeting: Meeting, doc: ProgramDocument) -> dict[str, Speaker]:
    rows = {s.key: s for s in db.scalars(select(Speaker).where(Speaker.meeting_id == meeting.id))}
    for position, item in enumerate(doc.speakers):
        row = rows.get(item.key) or Speaker(meeting_id=meeting.id, key=item.key)
        row.name, row.degrees = item.name, item.degrees
        row.affiliation, row.bio, row.position = item.affiliation, item.bio, position
        rows[item.key] = row
        db.add(row)
    return rows


__all__ = ["ImportSummary", "Progress", "Snapshot", "import_program"]
