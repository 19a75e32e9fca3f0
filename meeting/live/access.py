"""Who may enter a live room, and as what (the same eligibility rules as the agenda)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import Invitation, User
from meeting.accounts.rules import check_eligibility
from meeting.accounts.service import may_attend
from meeting.enums import Audience, Role
from meeting.errors import MeetingError, Refused
from meeting.live.connection import Member
from meeting.live.rooms import RoomInfo
from meeting.program.models import Meeting, Session
from meeting.program.queries import find_session, get_meeting

DIRECTORY_SECONDS = 30.0
Admitted = tuple[RoomInfo, Member]


def enter_room(db: DbSession, meeting: Meeting, code: str, user: User) -> Admitted:
    """The room and the member, or NotFound / Refused with the reason."""
    return admit(db, find_session(db, meeting, code), user)


def admit(db: DbSession, session: Session, user: User) -> Admitted:
    """The room of an already loaded session and the member, or Refused with the reason."""
    eligibility = may_attend(db, user, session)
    if not eligibility.allowed:
        raise Refused(eligibility.reason)
    return _room_and_member(session, user)


class RoomDirectory:
    """(meeting slug, room code) -> session id, remembered for a while.

    The lookup is the same for every arrival; who may enter is still decided afresh each
    time from the current rows. An entry expires so that a new default meeting is seen.
    """

    def __init__(self, seconds: float = DIRECTORY_SECONDS) -> None:
        self.seconds = seconds
        self._ids: dict[tuple[str | None, str, str], tuple[int, float]] = {}

    def find(self, door: Door, now: float) -> int | None:
        found = self._ids.get((door.slug, door.default_slug, door.code))
        return found[0] if found is not None and found[1] > now else None

    def remember(self, door: Door, session_id: int, now: float) -> None:
        self._ids[(door.slug, door.default_slug, door.code)] = (session_id, now + self.seconds)


@dataclass(frozen=True)
class Door:
    """Which room was asked for: a code in a meeting (by slug, else the default one)."""

    slug: str | None
    default_slug: str
    code: str


def admit_many(
    db: DbSession, directory: RoomDirectory, door: Door, user_ids: Sequence[int], now: float
) -> list[Admitted | MeetingError]:
    """Everyone arriving at one room, decided together: the room once, the people in one
    query, invitations in another only for an invite-only room."""
    try:
        session = _find_room(db, directory, door, now)
    except MeetingError as error:
        return [error for _ in user_ids]
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(set(user_ids))))}
    invited: set[int] = set()
    if session.audience == Audience.INVITE_ONLY:
        invited = set(
            db.scalars(
                select(Invitation.user_id).where(
                    Invitation.session_id == session.id, Invitation.user_id.in_(set(user_ids))
                )
            )
        )
    decided: list[Admitted | MeetingError] = []
    for user_id in user_ids:
        user = users.get(user_id)
        if user is None:
            decided.append(Refused("sign in first"))
            continue
        eligibility = check_eligibility(user, session, invited=user_id in invited)
        if eligibility.allowed:
            decided.append(_room_and_member(session, user))
        else:
            decided.append(Refused(eligibility.reason))
    return decided


def _find_room(db: DbSession, directory: RoomDirectory, door: Door, now: float) -> Session:
    session_id = directory.find(door, now)
    session = db.get(Session, session_id) if session_id is not None else None
    if session is None:
        meeting = get_meeting(db, door.slug, door.default_slug)
        session = find_session(db, meeting, door.code)
        directory.remember(door, session.id, now)
    return session


def _room_and_member(session: Session, user: User) -> Admitted:
    info = RoomInfo(session.id, session.code, session.title, session.start_at, session.end_at)
    member = Member(user.id, user.name, moderator=user.role in {Role.MODERATOR, Role.ORGANIZER})
    return info, member
