"""Registering, signing in (throttled per account and per address), adding users, inviting."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import Invitation, LoginFailure, User
from meeting.accounts.passwords import (
    MIN_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from meeting.accounts.rules import Eligibility, check_eligibility
from meeting.enums import CareerStage, Role
from meeting.errors import InvalidInput, NotFound, Problem, TooManyRequests
from meeting.program.models import Meeting, Session
from meeting.program.queries import find_session
from meeting.timezones import parse_zone

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


@dataclass(frozen=True)
class Registration:
    """What the sign-up form asks for, before validation."""

    email: str
    name: str
    password: str
    career_stage: str
    timezone: str = ""
    is_member: bool = False
    interests: list[str] = field(default_factory=list)


def validate_registration(form: Registration) -> list[Problem]:
    problems = []
    if not EMAIL_PATTERN.match(form.email.strip()):
        problems.append(Problem("Enter an email address like name@example.org.", field="email"))
    if not form.name.strip() or len(form.name) > 200:  # noqa: PLR2004
        problems.append(Problem("Enter your name (at most 200 characters).", field="name"))
    if len(form.password) < MIN_LENGTH:
        problems.append(
            Problem(f"Choose a password of at least {MIN_LENGTH} characters.", field="password")
        )
    if form.career_stage not in {s.value for s in CareerStage}:
        problems.append(Problem("Choose your career stage.", field="career_stage"))
    if form.timezone:
        try:
            parse_zone(form.timezone)
        except InvalidInput:
            problems.append(Problem("Choose a time zone from the list.", field="timezone"))
    return problems


def register(db: DbSession, form: Registration, *, role: Role = Role.ATTENDEE) -> User:
    """Create an account; InvalidInput lists every problem (including a taken email)."""
    problems = validate_registration(form)
    email = form.email.strip().lower()
    if not problems and db.scalar(select(User.id).where(User.email == email)) is not None:
        problems.append(Problem("An account with this email already exists.", field="email"))
    if problems:
        raise InvalidInput(problems)
    user = User(
        email=email,
        name=form.name.strip(),
        password_hash=hash_password(form.password),
        career_stage=CareerStage(form.career_stage),
        is_member=form.is_member,
        timezone=form.timezone,
        interests=list(form.interests),
        role=role,
    )
    db.add(user)
    db.flush()
    return user


def authenticate(
    db: DbSession, email: str, password: str, *, address: str, now: datetime
) -> User | None:
    """The user, or None after recording the failure (commit it!); throttled per account
    and per address with TooManyRequests."""
    email = email.strip().lower()
    keys = (f"email:{email}", f"ip:{address}")
    since = now - THROTTLE_WINDOW
    db.execute(delete(LoginFailure).where(LoginFailure.at < since))
    failures = dict(
        db.execute(
            select(LoginFailure.key, func.count())
            .where(LoginFailure.key.in_(keys), LoginFailure.at >= since)
            .group_by(LoginFailure.key)
        ).all()
    )
    if (
        failures.get(keys[0], 0) >= MAX_FAILURES_PER_ACCOUNT
        or failures.get(keys[1], 0) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyRequests("Too many failed sign-ins. Wait 15 minutes and try again.")
    user = db.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else dummy_hash(), password) or not user:
        db.add_all(LoginFailure(key=key, at=now) for key in keys)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def get_user(db: DbSession, user_id: int) -> User | None:
    return db.get(User, user_id)


def user_zone(user: User | None, meeting: Meeting) -> ZoneInfo:
    if user is not None and user.timezone:
        return ZoneInfo(user.timezone)
    return ZoneInfo(meeting.timezone)


def invite(db: DbSession, meeting: Meeting, email: str, code: str) -> Invitation:
    """Let one user into one invite-only session (idempotent)."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"There is no account for {email}.")
    session = find_session(db, meeting, code)
    existing = db.scalar(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.session_id == session.id)
    )
    if existing is not None:
        return existing
    invitation = Invitation(user_id=user.id, session_id=session.id)
    db.add(invitation)
    db.flush()
    return invitation


def may_attend(db: DbSession, user: User, session: Session) -> Eligibility:
    """The session's audience rule for this user, invitations included."""
    invited = (
        db.scalar(
            select(Invitation.id).where(
                Invitation.user_id == user.id, Invitation.session_id == session.id
            )
        )
        is not None
    )
    return check_eligibility(user, session, invited=invited)
