"""Program tables: meetings, sessions, tracks, rooms, speakers, schedule versions, change log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meeting.db.base import Base, Timestamped, str_enum, utcnow
from meeting.enums import Audience, ChangeKind, SessionKind, SessionStatus, SpeakerRole


class Meeting(Timestamped, Base):
    """One edition of the annual meeting; a deployment holds several."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    short_title: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    virtual: Mapped[bool] = mapped_column(default=True)
    venue: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    schedule_version: Mapped[int] = mapped_column(default=0)


session_track = Table(
    "session_track",
    Base.metadata,
    Column("session_id", ForeignKey("session.id", ondelete="CASCADE"), primary_key=True),
    Column("track_id", ForeignKey("track.id", ondelete="CASCADE"), primary_key=True),
)


class Track(Base):
    """A topic that groups sessions (lymphoma, careers, …)."""

    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("meeting_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    color: Mapped[str] = mapped_column(String(7), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class VirtualRoom(Base):
    """A channel sessions stream in; parallel sessions are in different rooms."""

    __tablename__ = "virtual_room"
    __table_args__ = (UniqueConstraint("meeting_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    stream_url: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(default=0)


class Speaker(Base):
    """A person on the program, known within one meeting by a stable key."""

    __tablename__ = "speaker"
    __table_args__ = (UniqueConstraint("meeting_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    degrees: Mapped[str] = mapped_column(String(100), default="")
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Session(Timestamped, Base):
    """A scheduled session; identified for good by (meeting, code)."""

    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("meeting_id", "code"),
        Index("ix_session_meeting_start", "meeting_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    room_id: Mapped[int | None] = mapped_column(ForeignKey("virtual_room.id", ondelete="SET NULL"))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.EVERYONE)
    capacity: Mapped[int | None]
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus), default=SessionStatus.SCHEDULED
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("session.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    stream_url: Mapped[str] = mapped_column(String(2000), default="")
    recording_url: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    """Rises whenever time, room or status change: calendars derive SEQUENCE from it."""
    cancelled_at: Mapped[datetime | None]

    room: Mapped[VirtualRoom | None] = relationship(lazy="raise")
    tracks: Mapped[list[Track]] = relationship(
        secondary=session_track, lazy="raise", order_by=Track.position
    )
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        lazy="raise",
        order_by="SessionSpeaker.position",
        cascade="all, delete-orphan",
        back_populates="session",
    )
    parent: Mapped[Session | None] = relationship(
        remote_side=[id], lazy="raise", back_populates="children"
    )
    children: Mapped[list[Session]] = relationship(
        lazy="raise", back_populates="parent", order_by="(Session.start_at, Session.position)"
    )


class SessionSpeaker(Base):
    """A speaker's part in one session, in program order."""

    __tablename__ = "session_speaker"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[SpeakerRole] = mapped_column(str_enum(SpeakerRole), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship(back_populates="speakers", lazy="raise")
    speaker: Mapped[Speaker] = relationship(lazy="raise")


class ScheduleVersion(Base):
    """One published state of a meeting's program; each change to it adds one."""

    __tablename__ = "schedule_version"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    number: Mapped[int]
    source: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeLogEntry(Base):
    """What happened to one session in one schedule version, with before/after values."""

    __tablename__ = "change_log_entry"
    __table_args__ = (Index("ix_change_log_session", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
