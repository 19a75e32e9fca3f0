"""Reusable reads of the program; eager loading is decided here, never lazily in templates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from meeting.enums import Audience, SessionKind, SessionStatus
from meeting.errors import NotFound
from meeting.program.models import Meeting, Session, SessionSpeaker, Speaker, Track, session_track

Found = TypeVar("Found")


@dataclass(frozen=True)
class ProgramFilter:
    """The program's filters, already validated (see web/forms and api/schemas)."""

    day: date | None = None
    kind: SessionKind | None = None
    track: str | None = None
    audience: Audience | None = None
    q: str = ""
    zone: ZoneInfo | None = None
    """Days are the viewer's days: a filter by day uses this zone (default: the meeting's)."""


def list_meetings(db: DbSession) -> Sequence[Meeting]:
    return db.scalars(select(Meeting).order_by(Meeting.start_date.desc())).all()


def get_meeting(db: DbSession, slug: str | None, default_slug: str = "") -> Meeting:
    """The meeting named by `slug`, or the deployment's default one."""
    return pick_meeting(
        slug,
        default_slug,
        lambda wanted: db.scalar(select(Meeting).where(Meeting.slug == wanted)),
        lambda: db.scalar(select(Meeting).order_by(Meeting.start_date.desc()).limit(1)),
    )


def pick_meeting(
    slug: str | None,
    default_slug: str,
    by_slug: Callable[[str], Found | None],
    latest: Callable[[], Found | None],
) -> Found:
    """Which meeting a URL means, however it is read: the one its slug names (NotFound if
    none), else the deployment's default, else the latest to start."""
    if slug:
        found = by_slug(slug)
        if found is None:
            raise NotFound(f"There is no meeting called {slug!r}.")
        return found
    if default_slug and (found := by_slug(default_slug)) is not None:
        return found
    found = latest()
    if found is None:
        raise NotFound("No meeting has been loaded yet. Run `meeting import FILE` first.")
    return found


def _with_details(query: Select[Session]) -> Select[Session]:
    return query.options(*session_details())


def filter_sessions(
    db: DbSession,
    meeting: Meeting,
    filters: ProgramFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[Sequence[Session], int]:
    """Matching sessions in time order (with room, tracks, speakers) and the total count."""
    query = select(Session).where(Session.meeting_id == meeting.id)
    if filters.day is not None:
        zone = filters.zone or ZoneInfo(meeting.timezone)
        start = datetime.combine(filters.day, time(0), zone)
        end = datetime.combine(filters.day + timedelta(days=1), time(0), zone)
        query = query.where(Session.start_at >= start, Session.start_at < end)
    if filters.kind is not None:
        query = query.where(Session.kind == filters.kind)
    if filters.audience is not None:
        query = query.where(Session.audience == filters.audience)
    if filters.track:
        query = query.where(
            Session.id.in_(
                select(session_track.c.session_id)
                .join(Track, Track.id == session_track.c.track_id)
                .where(Track.slug == filters.track, Track.meeting_id == meeting.id)
            )
        )
    if filters.q:
        query = query.where(_text_match(filters.q))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = _with_details(query.order_by(Session.start_at, Session.position, Session.id))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return db.scalars(query).all(), total


def _text_match(q: str) -> ColumnElement[bool]:
    """Every word must appear in the title, description or a speaker's name."""
    conditions = []
    for word in q.split()[:8]:
        pattern = f"%{_escape_like(word.lower())}%"
        speakers = (
            select(SessionSpeaker.session_id)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(func.lower(Speaker.name).like(pattern, escape="\\"))
        )
        conditions.append(
            or_(
                func.lower(Session.title).like(pattern, escape="\\"),
                func.lower(Session.description).like(pattern, escape="\\"),
                func.lower(Session.code).like(pattern, escape="\\"),
                Session.id.in_(speakers),
            )
        )
    return and_(*conditions)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_session(
    db: DbSession, meeting: Meeting, code: str, *options: ORMOption, lock: bool = False
) -> Session:
    """The session with this code in this meeting, or NotFound; `lock` takes its row lock
    (FOR UPDATE) so capacity checks and edits on it are serialised."""
    query = select(Session).where(Session.meeting_id == meeting.id, Session.code == code)
    query = query.options(*options)
    session = db.scalar(query.with_for_update() if lock else query)
    if session is None:
        raise NotFound(f"There is no session with the code {code!r} in {meeting.title}.")
    return session


def session_details() -> tuple[ORMOption, ...]:
    """Eager loads for showing a session: room, tracks, speakers."""
    return (
        selectinload(Session.room),
        selectinload(Session.tracks),
        selectinload(Session.speakers).selectinload(SessionSpeaker.speaker),
    )


def get_session(db: DbSession, meeting: Meeting, code: str) -> Session:
    """One session with its details, parent and children."""
    return find_session(
        db,
        meeting,
        code,
        *session_details(),
        selectinload(Session.parent),
        selectinload(Session.children).selectinload(Session.room),
        selectinload(Session.children)
        .selectinload(Session.speakers)
        .selectinload(SessionSpeaker.speaker),
    )


def get_speaker(
    db: DbSession, meeting: Meeting, speaker_id: int
) -> tuple[Speaker, Sequence[Session]]:
    """A speaker and their sessions in time order."""
    speaker = db.scalar(
        select(Speaker).where(Speaker.meeting_id == meeting.id, Speaker.id == speaker_id)
    )
    if speaker is None:
        raise NotFound(f"There is no speaker number {speaker_id} in {meeting.title}.")
    sessions = db.scalars(
        _with_details(
            select(Session)
            .join(SessionSpeaker, SessionSpeaker.session_id == Session.id)
            .where(SessionSpeaker.speaker_id == speaker.id)
            .order_by(Session.start_at)
        )
    ).all()
    return speaker, sessions


def live_and_next(
    db: DbSession, meeting: Meeting, now: datetime, *, upcoming: int = 6
) -> tuple[Sequence[Session], Sequence[Session]]:
    """Sessions on now, and the next few to start (scheduled ones only)."""
    base = select(Session).where(
        Session.meeting_id == meeting.id, Session.status == SessionStatus.SCHEDULED
    )
    live = db.scalars(
        _with_details(
            base.where(Session.start_at <= now, Session.end_at > now).order_by(Session.start_at)
        )
    ).all()
    later = db.scalars(
        _with_details(base.where(Session.start_at > now).order_by(Session.start_at).limit(upcoming))
    ).all()
    return live, later


def meeting_days(meeting: Meeting) -> list[date]:
    count = (meeting.end_date - meeting.start_date).days + 1
    return [meeting.start_date + timedelta(days=i) for i in range(count)]


def list_tracks(db: DbSession, meeting: Meeting) -> Sequence[Track]:
    return db.scalars(
        select(Track).where(Track.meeting_id == meeting.id).order_by(Track.position, Track.id)
    ).all()


def session_days(db: DbSession, meeting: Meeting, zone: ZoneInfo) -> list[date]:
    """The days (in `zone`) on which sessions start; the meeting's dates if there are none."""
    starts = db.scalars(select(Session.start_at).where(Session.meeting_id == meeting.id)).all()
    days = sorted({start.astimezone(zone).date() for start in starts})
    return days or meeting_days(meeting)


def count_by_kind(db: DbSession, meeting: Meeting) -> dict[SessionKind, int]:
    rows = db.execute(
        select(Session.kind, func.count())
        .where(Session.meeting_id == meeting.id, Session.status == SessionStatus.SCHEDULED)
        .group_by(Session.kind)
    )
    return {SessionKind(kind): count for kind, count in rows}
