"""Adding to and removing from agendas: seats up to capacity, then an ordered waitlist.

Never over capacity under concurrency: each change locks the session row first
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the writer's BEGIN IMMEDIATE already
serialises), then counts and writes inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.accounts.service import may_attend
from meeting.agenda.models import AgendaEntry, Notice
from meeting.enums import AgendaState, NoticeKind
from meeting.errors import Refused
from meeting.freshness.journal import record_feed_change
from meeting.program.models import Meeting, Session
from meeting.program.queries import find_session


@dataclass(frozen=True)
class AgendaResult:
    """The entry's state after the change, and the waitlist position when waitlisted."""

    code: str
    state: AgendaState | None
    position: int | None = None
    promoted_user_id: int | None = None
    title: str = field(default="", compare=False)


def add_to_agenda(
    db: DbSession, user: User, meeting: Meeting, code: str, now: datetime
) -> AgendaResult:
    """Take a seat if one is free, else join the end of the waitlist (idempotent)."""
    session = find_session(db, meeting, code, lock=True)
    existing = db.scalar(
        select(AgendaEntry).where(
            AgendaEntry.user_id == user.id, AgendaEntry.session_id == session.id
        )
    )
    if existing is not None:
        return AgendaResult(
            code, existing.state, waitlist_position(db, existing), title=session.title
        )
    eligibility = may_attend(db, user, session)
    if not eligibility.allowed:
        raise Refused(eligibility.reason)
    state = AgendaState.CONFIRMED
    if session.capacity is not None and _confirmed_count(db, session.id) >= session.capacity:
        state = AgendaState.WAITLISTED
    entry = AgendaEntry(
        user_id=user.id,
        session_id=session.id,
        state=state,
        added_at=now,
        added_version=meeting.schedule_version,
    )
    db.add(entry)
    db.flush()
    record_feed_change(db, [user.id])
    return AgendaResult(code, state, waitlist_position(db, entry), title=session.title)


def remove_from_agenda(
    db: DbSession, user: User, meeting: Meeting, code: str, now: datetime
) -> AgendaResult:
    """Leave the session; a freed seat goes to the first on the waitlist, who is told."""
    session = find_session(db, meeting, code, lock=True)
    entry = db.scalar(
        select(AgendaEntry).where(
            AgendaEntry.user_id == user.id, AgendaEntry.session_id == session.id
        )
    )
    if entry is None:
        return AgendaResult(code, None, title=session.title)
    freed_seat = entry.state == AgendaState.CONFIRMED
    db.delete(entry)
    db.flush()
    record_feed_change(db, [user.id])
    promoted = promote_waitlist(db, session, now) if freed_seat else []
    return AgendaResult(
        code, None, promoted_user_id=promoted[0] if promoted else None, title=session.title
    )


def promote_waitlist(db: DbSession, session: Session, now: datetime) -> list[int]:
    """Fill free seats from the waitlist in order; returns the promoted users' ids."""
    if session.capacity is None:
        free = None
    else:
        free = session.capacity - _confirmed_count(db, session.id)
        if free <= 0:
            return []
    waiting = db.scalars(
        select(AgendaEntry)
        .where(AgendaEntry.session_id == session.id, AgendaEntry.state == AgendaState.WAITLISTED)
        .order_by(AgendaEntry.id)
        .limit(free)
    ).all()
    for entry in waiting:
        entry.state = AgendaState.CONFIRMED
        db.add(
            Notice(
                user_id=entry.user_id,
                session_id=session.id,
                kind=NoticeKind.PROMOTED,
                details={"title": session.title},
                created_at=now,
            )
        )
    db.flush()
    promoted = [entry.user_id for entry in waiting]
    record_feed_change(db, promoted)
    return promoted


def _confirmed_count(db: DbSession, session_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AgendaEntry)
            .where(AgendaEntry.session_id == session_id, AgendaEntry.state == AgendaState.CONFIRMED)
        )
        or 0
    )


def waitlist_position(db: DbSession, entry: AgendaEntry) -> int | None:
    """1-based place in the waitlist, or None when confirmed."""
    if entry.state != AgendaState.WAITLISTED:
        return None
    ahead = (
        db.scalar(
            select(func.count())
            .select_from(AgendaEntry)
            .where(
                AgendaEntry.session_id == entry.session_id,
                AgendaEntry.state == AgendaState.WAITLISTED,
                AgendaEntry.id < entry.id,
            )
        )
        or 0
    )
    return ahead + 1
