"""Live-room storage: the numbered event log per room, questions, votes, polls, mutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meeting.db.base import Base, utcnow


class RoomCounter(Base):
    """The last event id handed out in a room; locked to number events without gaps."""

    __tablename__ = "room_counter"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(default=0)


class RoomEvent(Base):
    """Everything that happened in a room, in order; resume replays from here."""

    __tablename__ = "room_event"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    hidden: Mapped[bool] = mapped_column(default=False)
    """A chat message a moderator removed: kept for the record, never shown again."""
    audience: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    """User ids the event is for (a breakout group's chat); None means everyone here."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(1000))
    votes: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(default=False)
    answered: Mapped[bool] = mapped_column(default=False)
    dismissed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upvote(Base):
    __tablename__ = "upvote"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )


class Poll(Base):
    __tablename__ = "poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class Ballot(Base):
    """One person's vote in one poll; changeable while the poll is open."""

    __tablename__ = "ballot"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[int]


class Mute(Base):
    """A person a moderator silenced in one room."""

    __tablename__ = "mute"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TableSeat(Base):
    """Where one person sits in a round-table lobby: one table at a time."""

    __tablename__ = "table_seat"

    parent_session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    table_session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    seated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoomActivity(Base):
    """A timed activity running in a room: speed-mentoring rounds or mingle breakouts."""

    __tablename__ = "room_activity"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(default=0)
    """0-based index of the round being played."""
    rounds: Mapped[int] = mapped_column(default=0)
    """How many rounds in all (0: until a moderator stops it)."""
    round_minutes: Mapped[int]
    round_ends_at: Mapped[datetime]
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
