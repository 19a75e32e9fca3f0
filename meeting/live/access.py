"""Who may enter a live room, and as what (the same eligibility rules as the agenda)."""

from __future__ import annotations

from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.accounts.service import may_attend
from meeting.enums import Role
from meeting.errors import Refused
from meeting.live.connection import Member
from meeting.live.rooms import RoomInfo
from meeting.program.models import Meeting, Session
from meeting.program.queries import find_session


def enter_room(db: DbSession, meeting: Meeting, code: str, user: User) -> tuple[RoomInfo, Member]:
    """The room and the member, or NotFound / Refused with the reason."""
    return admit(db, find_session(db, meeting, code), user)


def admit(db: DbSession, session: Session, user: User) -> tuple[RoomInfo, Member]:
    """The room of an already loaded session and the member, or Refused with the reason."""
    eligibility = may_attend(db, user, session)
    if not eligibility.allowed:
        raise Refused(eligibility.reason)
    info = RoomInfo(session.id, session.code, session.title, session.start_at, session.end_at)
    member = Member(user.id, user.name, moderator=user.role in {Role.MODERATOR, Role.ORGANIZER})
    return info, member
