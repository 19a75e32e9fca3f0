"""Accounts: users, invitations to invite-only sessions, and failed logins (for throttling)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meeting.db.base import Base, Timestamped, str_enum, utcnow
from meeting.enums import CareerStage, Role


class User(Timestamped, Base):
    """An attendee, moderator or organizer; the email is stored lower-cased."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    career_stage: Mapped[CareerStage] = mapped_column(str_enum(CareerStage))
    is_member: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="")
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Track slugs the attendee cares about (suggestions use them)."""
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.ATTENDEE)


class Invitation(Base):
    """Permission for one user to join one invite-only session."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("user_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """One failed sign-in, kept briefly so throttling works across worker processes."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    """`email:<address>` or `ip:<address>`."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
