"""Calendar tables: each attendee's secret feed token and their calendar preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from meeting.db.base import Base, utcnow

DEFAULT_KEEP_CANCELLED_DAYS = 7


class FeedToken(Base):
    """The one live token of an attendee's agenda feed; only its SHA-256 is stored.

    The token is derived from `secret_key` and `nonce` (see calendars/tokens.py), so the
    agenda page can show the link again while the database alone cannot rebuild it.
    `feed_etag`/`feed_changed_at` remember when the feed's bytes last changed, which is
    what the feed's Last-Modified must say (agenda removals leave no other trace).
    """

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    feed_etag: Mapped[str] = mapped_column(String(80), default="")
    feed_changed_at: Mapped[datetime | None]


class CalendarPreference(Base):
    """How an attendee's feed behaves: reminder before each session, cancelled-session grace."""

    __tablename__ = "calendar_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    reminder_minutes: Mapped[int | None]
    """None: no VALARM; else one of 5, 10, 15, 30."""
    keep_cancelled_days: Mapped[int] = mapped_column(default=DEFAULT_KEEP_CANCELLED_DAYS)
    """Days a cancelled session stays in the feed (as STATUS:CANCELLED) after cancellation."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
