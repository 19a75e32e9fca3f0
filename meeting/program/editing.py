"""Organizers' edits to one session (move, re-room, cancel, restore, retitle), change-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.enums import SessionStatus
from meeting.errors import InvalidInput, Problem
from meeting.program.changes import Change, diff_session, log_changes, open_version
from meeting.program.models import Meeting, Session, VirtualRoom
from meeting.program.queries import find_session, session_details
from meeting.program.snapshots import snapshot_of_session


@dataclass(frozen=True)
class SessionEdit:
    """Fields to change; None leaves a field as it is (room "" means no room)."""

    start: datetime | None = None
    end: datetime | None = None
    room: str | None = None
    status: SessionStatus | None = None
    title: str | None = None


def edit_session(
    db: DbSession, meeting: Meeting, code: str, edit: SessionEdit, *, source: str, now: datetime
) -> tuple[Session, list[Change]]:
    """Apply the edit; when anything changed, bump the schedule version and log it."""
    session = find_session(db, meeting, code, *session_details(), lock=True)
    codes = _parent_code(db, session)
    before = snapshot_of_session(session, codes)
    _apply(db, meeting, session, edit, now)
    changes = diff_session(before, snapshot_of_session(session, codes))
    if changes:
        session.revision += 1
        version = open_version(db, meeting, source=source, now=now)
        log_changes(db, version, session.id, changes, now)
    db.flush()
    return session, changes


def _apply(
    db: DbSession, meeting: Meeting, session: Session, edit: SessionEdit, now: datetime
) -> None:
    start = edit.start or session.start_at
    end = edit.end or session.end_at
    if edit.start and not edit.end:
        end = start + (session.end_at - session.start_at)
    if end <= start:
        raise InvalidInput([Problem("end must be after start", "end", field="end")])
    session.start_at, session.end_at = start.astimezone(UTC), end.astimezone(UTC)
    if edit.room is not None:
        session.room = _room(db, meeting, edit.room)
    if edit.title is not None:
        if not edit.title.strip():
            raise InvalidInput([Problem("the title cannot be empty", "title", field="title")])
        session.title = edit.title.strip()
    if edit.status is not None and edit.status != session.status:
        session.status = edit.status
        session.cancelled_at = now if edit.status == SessionStatus.CANCELLED else None


def _room(db: DbSession, meeting: Meeting, slug: str) -> VirtualRoom | None:
    if not slug:
        return None
    room = db.scalar(
        select(VirtualRoom).where(VirtualRoom.meeting_id == meeting.id, VirtualRoom.slug == slug)
    )
    if room is None:
        raise InvalidInput([Problem(f"unknown room {slug!r}", "room", field="room")])
    return room


def _parent_code(db: DbSession, session: Session) -> dict[int, str]:
    if session.parent_id is None:
        return {}
    code = db.scalar(select(Session.code).where(Session.id == session.parent_id))
    return {session.parent_id: code} if code else {}
