"""Adding to and removing from agendas: seats up to capacity, then an ordered waitlist.

Never over capacity under concurrency: each change locks the session row first
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the writer's BEGIN IMMEDIATE already
serialises), then counts and writes inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import Invitation, User
from meeting.accounts.rules import check_eligibility
from meeting.agenda.models import AgendaEntry, Notice
from meeting.enums import AgendaState, NoticeKind
from meeting.errors import NotFound, Refused
from meeting.program.models import Meeting, Session


@dataclass(frozen=True)
class AgendaResult:
    """The entry's state after the change, and the waitlist position when waitlisted."""

    code: str
    state: AgendaState | None
    position: int | None = None
    promoted_user_id: int | None = None


def add_to_agenda(
    db: DbSession, user: User, meeting: Meeting, code: str, now: datetime
) -> AgendaResult:
    """Take a seat if one is free, else join the end of the waitlist (idempotent)."""
    session = _locked_session(db, meeting, code)
    existing = db.scalar(
        select(AgendaEntry).where(
            AgendaEntry.user_id == user.id, AgendaEntry.session_id == session.id
        )
    )
    if existing is not None:
        return AgendaResult(code, existing.state, _position(db, existing))
    invited = (
        db.scalar(
            select(Invitation.id).where(
                Invitation.user_id == user.id, Invitation.session_id == session.id
            )
        )
        is not None
    )
    eligibility = check_eligibility(user, session, invited=invited)
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
    return AgendaResult(code, state, _position(db, entry))


def remove_from_agenda(
    db: DbSession, user: User, meeting: Meeting, code: str, now: datetime
) -> AgendaResult:
    """Leave the session; a freed seat goes to the first on the waitlist, who is told."""
    session = _locked_session(db, meeting, code)
    entry = db.scalar(
        select(AgendaEntry).where(
            AgendaEntry.user_id == user.id, AgendaEntry.session_id == session.id
        )
    )
    if entry is None:
        return AgendaResult(code, None)
    freed_seat = entry.state == AgendaState.CONFIRMED
    db.delete(entry)
    db.flush()
    promoted = promote_waitlist(db, session, now) if freed_seat else []
    return AgendaResult(code, None, promoted_user_id=promoted[0] if promoted else None)


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
    return [entry.user_id for entry in waiting]


def _locked_session(db: DbSession, meeting: Meeting, code: str) -> Session:
    session = db.scalar(
        select(Session)
        .where(Session.meeting_id == meeting.id, Session.code == code)
        .with_for_update()
    )
    if session is None:
        raise NotFound(f"There is no session with the code {code!r} in {meeting.title}.")
    return session


def _confirmed_count(db: DbSession, session_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AgendaEntry)
            .where(AgendaEntry.session_id == session_id, AgendaEntry.state == AgendaState.CONFIRMED)
        )
        or 0
    )


def _position(db: DbSession, entry: AgendaEntry) -> int | None:
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


def session_title(db: DbSession, meeting: Meeting, code: str) -> str:
    title = db.scalar(
        select(Session.title).where(Session.meeting_id == meeting.id, Session.code == code)
    )
    return title or code
