"""My agenda as a calendar: confirmed sessions CONFIRMED, waitlisted TENTATIVE, cancelled
sessions kept as CANCELLED for the days the attendee chose, then dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.agenda.models import AgendaEntry
from meeting.calendars.events import EventCache, EventRef, EventVariant, cached_vevents
from meeting.calendars.feeds import CalendarHead, assemble_calendar, event_years, ref_spans
from meeting.calendars.preferences import FeedSettings
from meeting.calendars.sources import calendar_context, load_session_events
from meeting.enums import AgendaState, SessionStatus
from meeting.program.models import Meeting, Session


def render_agenda_calendar(
    db: DbSession,
    meeting: Meeting,
    user_id: int,
    settings: FeedSettings,
    now: datetime,
    base_url: str,
    cache: EventCache,
) -> bytes:
    """The attendee's agenda for one meeting, assembled from cached VEVENTs."""
    refs = agenda_refs(db, meeting, user_id, settings, now)
    context = calendar_context(meeting, base_url)
    vevents = cached_vevents(refs, context, cache, lambda ids: load_session_events(db, ids))
    name = meeting.short_title or meeting.title
    head = CalendarHead(
        name=f"{name}: my agenda",
        description=f"The sessions in my agenda for {meeting.title}, kept up to date.",
        url=f"{base_url}/m/{meeting.slug}/agenda",
    )
    years = event_years(
        context.zone, ref_spans(refs), (meeting.start_date.year, meeting.end_date.year)
    )
    return assemble_calendar(head, context, years, vevents)


def agenda_refs(
    db: DbSession, meeting: Meeting, user_id: int, settings: FeedSettings, now: datetime
) -> list[EventRef]:
    """The entries a feed holds now, in time order, without loading their details."""
    rows = db.execute(
        select(
            Session.id,
            Session.code,
            Session.revision,
            Session.start_at,
            Session.end_at,
            Session.status,
            Session.cancelled_at,
            AgendaEntry.state,
        )
        .join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(AgendaEntry.user_id == user_id, Session.meeting_id == meeting.id)
        .order_by(Session.start_at, Session.position, Session.id)
    ).all()
    keep = timedelta(days=settings.keep_cancelled_days)
    refs = []
    for session_id, code, revision, start, end, status, cancelled_at, state in rows:
        if (
            status == SessionStatus.CANCELLED
            and cancelled_at is not None
            and cancelled_at + keep <= now
        ):
            continue
        variant = EventVariant(
            tentative=state == AgendaState.WAITLISTED,
            reminder_minutes=settings.reminder_minutes,
        )
        refs.append(EventRef(session_id, code, revision, variant, start, end))
    return refs
