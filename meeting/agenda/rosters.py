"""Who signed up for a speed-mentoring session, as mentors (non-trainees) and mentees."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.agenda.models import AgendaEntry
from meeting.enums import AgendaState
from meeting.errors import NotFound
from meeting.networking import Mentee, Mentor
from meeting.program.models import Meeting, Session


@dataclass(frozen=True)
class MentoringRoster:
    session: Session
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    names: dict[int, str]


def mentoring_roster(db: DbSession, meeting: Meeting, code: str) -> MentoringRoster:
    """Confirmed sign-ups: trainees are mentees, everyone else a mentor; interests are topics."""
    session = db.scalar(
        select(Session).where(Session.meeting_id == meeting.id, Session.code == code)
    )
    if session is None:
        raise NotFound(f"There is no session with the code {code!r} in {meeting.title}.")
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
