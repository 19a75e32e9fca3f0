"""Personal agendas: entries (confirmed or waitlisted, in order) and personal notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meeting.db.base import Base, str_enum, utcnow
from meeting.enums import AgendaState, NoticeKind
from meeting.program.models import Session


class AgendaEntry(Base):
    """A session in someone's agenda; waitlisted entries are served in `id` order."""

    __tablename__ = "agenda_entry"
    __table_args__ = (
        UniqueConstraint("user_id", "session_id"),
        Index("ix_agenda_entry_session_state", "session_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    state: Mapped[AgendaState] = mapped_column(str_enum(AgendaState))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_version: Mapped[int] = mapped_column(default=0)
    """The meeting's schedule version when added: later change-log rows are 'changed since'."""

    session: Mapped[Session] = relationship(lazy="raise")


class Notice(Base):
    """Something an attendee should be told (off the waitlist, moved, cancelled)."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
