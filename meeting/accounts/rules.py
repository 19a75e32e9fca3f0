"""Who may join which session: pure predicates returning the reason when not."""

from __future__ import annotations

from dataclasses import dataclass

from meeting.accounts.models import User
from meeting.enums import Audience, SessionKind, SessionStatus
from meeting.program.models import Session


@dataclass(frozen=True)
class Eligibility:
    """Allowed, or refused with a reason an attendee can act on."""

    allowed: bool
    reason: str = ""


ALLOWED = Eligibility(True)


def check_eligibility(user: User, session: Session, *, invited: bool) -> Eligibility:
    """The session's audience rule applied to this user (organizers may join anything)."""
    if session.status == SessionStatus.CANCELLED:
        return Eligibility(False, "This session has been cancelled.")
    if user.role == "organizer":
        return ALLOWED
    if (
        session.audience == Audience.TRAINEES
        and not user.career_stage.is_trainee
        and session.kind != SessionKind.MENTORING  # the mentors of a trainee rotation
    ):
        return Eligibility(
            False,
            "This event is for trainees only (medical students, residents and fellows); "
            f"your profile says {user.career_stage.label.lower()}.",
        )
    if session.audience == Audience.MEMBERS and not user.is_member:
        return Eligibility(False, "This event is for society members only.")
    if session.audience == Audience.INVITE_ONLY and not invited:
        return Eligibility(
            False, "This event is by invitation only, and you have not been invited."
        )
    return ALLOWED
