"""Who signed up for a speed-mentoring session, as mentors (non-trainees) and mentees."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.agenda.models import AgendaEntry
from meeting.enums import AgendaState
from meeting.networking import Mentee, Mentor
from meeting.program.models import Meeting, Session
from meeting.program.queries import find_session


@dataclass(frozen=True)
class MentoringRoster:
    session: Session
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    names: dict[int, str]


def mentoring_roster(db: DbSession, meeting: Meeting, code: str) -> MentoringRoster:
    """Confirmed sign-ups: trainees are mentees, everyone else a mentor; interests are topics."""
    session = find_session(db, meeting, code)
    people = db.scalars(
        select(User)
        .join(AgendaEntry, AgendaEntry.user_id == User.id)
        .where(AgendaEntry.session_id == session.id, AgendaEntry.state == AgendaState.CONFIRMED)
        .order_by(AgendaEntry.id)
    ).all()
    mentors = tuple(
        Mentor(u.id, frozenset(u.interests or [])) for u in people if not u.career_stage.is_trainee
    )
    mentees = tuple(
        Mentee(u.id, tuple(u.interests or [])) for u in people if u.career_stage.is_trainee
    )
    return MentoringRoster(session, mentors, mentees, {u.id: u.name for u in people})
