"""The public calendars of a program: all of it, one track, one session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session as DbSession

from meeting.calendars.events import (
    PUBLIC,
    CalendarContext,
    EventCache,
    EventRef,
    cached_vevents,
    vevent_bytes,
)
from meeting.calendars.feeds import (
    CalendarHead,
    RenderedCalendar,
    assemble_calendar,
    event_spans,
    event_years,
    ref_spans,
)
from meeting.calendars.sources import (
    EventStamp,
    calendar_context,
    document_events,
    load_session_events,
)
from meeting.errors import NotFound
from meeting.program.document import ProgramDocument
from meeting.program.models import (
    ChangeLogEntry,
    Meeting,
    ScheduleVersion,
    Session,
    Track,
    session_track,
)


def _meeting_name(title: str, short_title: str) -> str:
    return short_title or title


def render_program_calendar(
    doc: ProgramDocument,
    context: CalendarContext,
    stamps: Mapping[str, EventStamp],
    fallback: datetime,
) -> bytes:
    """Every session of the program, cancelled ones as STATUS:CANCELLED (the `ics` export)."""
    events = document_events(doc, stamps, fallback)
    meeting = doc.meeting
    head = CalendarHead(
        name=meeting.title,
        description=f"Every session of {meeting.title}, in {meeting.timezone} time.",
        url=f"{context.base_url}/m/{meeting.slug}/program",
    )
    years = event_years(
        context.zone, event_spans(events), (meeting.start_date.year, meeting.end_date.year)
    )
    vevents = [vevent_bytes(event, context, PUBLIC) for event in events]
    return assemble_calendar(head, context, years, vevents)


def render_track_calendar(
    db: DbSession, meeting: Meeting, slug: str, base_url: str, cache: EventCache
) -> RenderedCalendar:
    """The sessions of one track; Last-Modified is the program's latest version."""
    track = db.scalar(select(Track).where(Track.meeting_id == meeting.id, Track.slug == slug))
    if track is None:
        raise NotFound(f"There is no track called {slug!r} in {meeting.title}.")
    refs = _refs(
        db,
        select(Session.id)
        .join(session_track, session_track.c.session_id == Session.id)
        .where(session_track.c.track_id == track.id),
    )
    context = calendar_context(meeting, base_url)
    name = _meeting_name(meeting.title, meeting.short_title)
    head = CalendarHead(
        name=f"{name}: {track.name}",
        description=f"The {track.name} sessions of {meeting.title}, in {meeting.timezone} time.",
        url=f"{base_url}/m/{meeting.slug}/program?track={track.slug}",
    )
    body = _assemble(db, meeting, context, head, refs, cache)
    modified = db.scalar(
        select(func.max(ScheduleVersion.created_at)).where(ScheduleVersion.meeting_id == meeting.id)
    )
    return RenderedCalendar(body, modified or meeting.updated_at)


def render_session_calendar(
    db: DbSession, meeting: Meeting, code: str, base_url: str, cache: EventCache
) -> RenderedCalendar:
    """One session as a calendar; Last-Modified is the session's latest change."""
    refs = _refs(
        db, select(Session.id).where(Session.meeting_id == meeting.id, Session.code == code)
    )
    if not refs:
        raise NotFound(f"There is no session with the code {code!r} in {meeting.title}.")
    context = calendar_context(meeting, base_url)
    name = _meeting_name(meeting.title, meeting.short_title)
    head = CalendarHead(
        name=f"{name}: {code}",
        description=f"One session of {meeting.title}, in {meeting.timezone} time.",
        url=context.session_url(code),
    )
    body = _assemble(db, meeting, context, head, refs, cache)
    modified = db.scalar(
        select(func.max(ChangeLogEntry.created_at)).where(
            ChangeLogEntry.session_id == refs[0].session_id
        )
    )
    return RenderedCalendar(body, modified or meeting.updated_at)


def _refs(db: DbSession, ids: Select[int]) -> list[EventRef]:
    rows = db.execute(
        select(Session.id, Session.code, Session.revision, Session.start_at, Session.end_at)
        .where(Session.id.in_(ids))
        .order_by(Session.start_at, Session.position, Session.id)
    ).all()
    return [
        EventRef(i, code, revision, PUBLIC, start, end) for i, code, revision, start, end in rows
    ]


def _assemble(
    db: DbSession,
    meeting: Meeting,
    context: CalendarContext,
    head: CalendarHead,
    refs: list[EventRef],
    cache: EventCache,
) -> bytes:
    vevents = cached_vevents(refs, context, cache, lambda ids: load_session_events(db, ids))
    years = event_years(
        context.zone, ref_spans(refs), (meeting.start_date.year, meeting.end_date.year)
    )
    return assemble_calendar(head, context, years, vevents)
