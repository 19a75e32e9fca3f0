"""My agenda as a calendar: confirmed sessions CONFIRMED, waitlisted TENTATIVE, cancelled
sessions kept as CANCELLED for the days the attendee chose, then dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from meeting.calendars.events import EventCache, EventRef, cached_vevents, event_variant
from meeting.calendars.feed_reads import AgendaRows, MeetingFacts, ScheduleTimings, SessionTiming
from meeting.calendars.feeds import CalendarHead, calendar_parts, event_years, ref_spans
from meeting.calendars.preferences import FeedSettings
from meeting.calendars.sources import calendar_context, load_session_events
from meeting.enums import AgendaState, SessionStatus


@dataclass(frozen=True)
class AgendaCalendar:
    """A feed's bytes as shared pieces, and when the clock alone will change them."""

    parts: tuple[bytes, ...]
    expires_at: datetime | None
    """When the first cancelled session it still shows is due to leave it."""

    @property
    def body(self) -> bytes:
        return b"".join(self.parts)


def render_agenda_calendar(
    db: Connection,
    meeting: MeetingFacts,
    entries: AgendaRows,
    settings: FeedSettings,
    now: datetime,
    base_url: str,
    cache: EventCache,
    timings: ScheduleTimings,
) -> AgendaCalendar:
    """The attendee's agenda (`entries`, read by the caller) for one meeting, assembled
    from cached VEVENTs; `db` reads only what the caches lack."""
    refs, expires_at = agenda_refs(timings.of(db, meeting), entries, settings, now)
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
    return AgendaCalendar(calendar_parts(head, context, years, vevents), expires_at)


def agenda_refs(
    timings: dict[int, SessionTiming],
    entries: AgendaRows,
    settings: FeedSettings,
    now: datetime,
) -> tuple[list[EventRef], datetime | None]:
    """The entries a feed holds now, in time order, without loading their details.

    Also returns when the earliest kept cancellation expires (the feed changes then).
    Entries of other meetings have no timing here and are left out.
    """
    held = [(timings[sid], state) for sid, state in entries if sid in timings]
    held.sort(key=lambda pair: (pair[0].start, pair[0].position, pair[0].session_id))
    keep = timedelta(days=settings.keep_cancelled_days)
    tentative = event_variant(True, settings.reminder_minutes)
    confirmed = event_variant(False, settings.reminder_minutes)
    refs = []
    expires_at: datetime | None = None
    for timing, state in held:
        if timing.status == SessionStatus.CANCELLED and timing.cancelled_at is not None:
            leaves_at = timing.cancelled_at + keep
            if leaves_at <= now:
                continue
            expires_at = leaves_at if expires_at is None else min(expires_at, leaves_at)
        variant = tentative if state == AgendaState.WAITLISTED else confirmed
        refs.append(
            EventRef(
                timing.session_id, timing.code, timing.revision, variant, timing.start, timing.end
            )
        )
    return refs, expires_at
