"""The change journal: one row per attendee whose personal feed changed, read by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from meeting.db.base import Base, utcnow


class FeedChange(Base):
    """An attendee's agenda, feed settings or feed token changed (their feed must re-render).

    Schedule changes need no row: every process polls the meetings' schedule versions.
    Rows are pruned after a day; a process that falls further behind drops its cache.
    """

    __tablename__ = "feed_change"
    __table_args__ = (
        Index("ix_feed_change_changed_at", "changed_at"),
        {"sqlite_autoincrement": True},  # ids never reused: readers resume after the last seen
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
