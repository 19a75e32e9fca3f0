"""Who may enter a live room, and as what (the same eligibility rules as the agenda)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import Invitation, User
from meeting.accounts.rules import check_eligibility
from meeting.enums import Role
from meeting.errors import NotFound, Refused
from meeting.live.connection import Member
from meeting.live.rooms import RoomInfo
from meeting.program.models import Meeting, Session


def enter_room(db: DbSession, meeting: Meeting, code: str, user: User) -> tuple[RoomInfo, Member]:
    """The room and the member, or NotFound / Refused with the reason."""
    session = db.scalar(
        select(Session).where(Session.meeting_id == meeting.id, Session.code == code)
    )
    if session is None:
        raise NotFound(f"There is no session with the code {code!r} in {meeting.title}.")
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
    info = RoomInfo(session.id, session.code, session.title, session.start_at, session.end_at)
    member = Member(user.id, user.name, moderator=user.role in {Role.MODERATOR, Role.ORGANIZER})
    return info, member
