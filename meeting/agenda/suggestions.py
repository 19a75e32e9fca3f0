"""Suggestions for my agenda: my interests and what people with overlapping agendas chose.

The ranking is pure over loaded data; `load_suggestions` does the reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased, selectinload

from meeting.accounts.models import Invitation, User
from meeting.accounts.rules import check_eligibility
from meeting.agenda.models import AgendaEntry
from meeting.enums import SessionStatus
from meeting.program.models import Meeting, Session, SessionSpeaker

NIGHT_STARTS = time(23, 0)
NIGHT_ENDS = time(7, 0)


@dataclass(frozen=True)
class Suggestion:
    session: Session
    reasons: tuple[str, ...]
    night_time: bool
    """Starts between 23:00 and 07:00 for me: offer the recording instead."""


def is_night_time(start: datetime, zone: ZoneInfo) -> bool:
    local = start.astimezone(zone).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def rank_suggestions(
    candidates: Sequence[Session],
    *,
    interests: set[str],
    co_attendance: dict[int, int],
    mine: Sequence[Session],
    eligible: Callable[[Session], bool],
    zone: ZoneInfo,
    now: datetime,
    limit: int = 8,
) -> list[Suggestion]:
    """Interest matches and popular-with-people-like-me first; never a clash or a refusal."""
    my_ids = {s.id for s in mine}
    scored = []
    for session in candidates:
        if session.id in my_ids or session.status == SessionStatus.CANCELLED:
            continue
        if session.end_at <= now or not eligible(session):
            continue
        if any(s.start_at < session.end_at and session.start_at < s.end_at for s in mine):
            continue
        matched = sorted(t.name for t in session.tracks if t.slug in interests)
        together = co_attendance.get(session.id, 0)
        if not matched and not together:
            continue
        reasons = [f"Matches your interest in {', '.join(matched)}"] if matched else []
        if together:
            people = "person" if together == 1 else "people"
            reasons.append(f"Chosen by {together} {people} with sessions in common with you")
        score = (len(matched) * 3 + together, -session.start_at.timestamp())
        scored.append(
            (score, Suggestion(session, tuple(reasons), is_night_time(session.start_at, zone)))
        )
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [suggestion for _score, suggestion in scored[:limit]]


def load_suggestions(
    db: DbSession,
    user: User,
    meeting: Meeting,
    mine: Sequence[Session],
    zone: ZoneInfo,
    now: datetime,
) -> list[Suggestion]:
    candidates = db.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id, Session.status == SessionStatus.SCHEDULED)
        .options(
            selectinload(Session.tracks),
            selectinload(Session.room),
            selectinload(Session.speakers).selectinload(SessionSpeaker.speaker),
        )
    ).all()
    invited = set(db.scalars(select(Invitation.session_id).where(Invitation.user_id == user.id)))
    return rank_suggestions(
        candidates,
        interests=set(user.interests or []),
        co_attendance=_co_attendance(db, user, [s.id for s in mine]),
        mine=[s for s in mine if s.status != SessionStatus.CANCELLED],
        eligible=lambda s: check_eligibility(user, s, invited=s.id in invited).allowed,
        zone=zone,
        now=now,
    )


def _co_attendance(db: DbSession, user: User, my_session_ids: list[int]) -> dict[int, int]:
    """How many other people who share a session with me chose each session."""
    if not my_session_ids:
        return {}
    shared = aliased(AgendaEntry)
    other = aliased(AgendaEntry)
    rows = db.execute(
        select(other.session_id, func.count(func.distinct(other.user_id)))
        .join(shared, shared.user_id == other.user_id)
        .where(shared.session_id.in_(my_session_ids), shared.user_id != user.id)
        .group_by(other.session_id)
    ).all()
    return {session_id: count for session_id, count in rows}
