"""A cold feed's reads as prebuilt Core statements on a bare Connection: no ORM session,
no objects, no statement building.

This is the path right after a change, when thousands of calendar clients re-fetch at
once; each read here is one indexed lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, select

from meeting.agenda.models import AgendaEntry
from meeting.errors import NotFound
from meeting.program.models import Meeting, Session


@dataclass(frozen=True)
class MeetingFacts:
    """What a feed says about its meeting (the columns of Meeting it reads)."""

    id: int
    slug: str
    title: str
    short_title: str
    timezone: str
    start_date: date
    end_date: date
    schedule_version: int


_MEETING = select(
    Meeting.id,
    Meeting.slug,
    Meeting.title,
    Meeting.short_title,
    Meeting.timezone,
    Meeting.start_date,
    Meeting.end_date,
    Meeting.schedule_version,
)
_MEETING_BY_SLUG = _MEETING.where(Meeting.slug == bindparam("slug"))
_LATEST_MEETING = _MEETING.order_by(Meeting.start_date.desc()).limit(1)

AGENDA_ROWS = select(
    Session.id,
    Session.code,
    Session.revision,
    Session.start_at,
    Session.end_at,
    Session.status,
    Session.cancelled_at,
    AgendaEntry.state,
    Session.meeting_id,
    Session.position,
).join(Session, Session.id == AgendaEntry.session_id)
"""An attendee's entries with their sessions, driven by the (user_id, session_id) index.

Filtering by meeting and ordering happen in Python: a WHERE on the session's meeting
tempts SQLite into scanning the whole meeting's sessions instead.
"""
AGENDA_ROWS_OF_USER = AGENDA_ROWS.where(AgendaEntry.user_id == bindparam("user_id"))


def feed_meeting(connection: Connection, slug: str | None, default_slug: str = "") -> MeetingFacts:
    """The meeting a feed URL names (as queries.get_meeting picks it), as plain facts."""
    for wanted in (slug, default_slug):
        if wanted:
            row = connection.execute(_MEETING_BY_SLUG, {"slug": wanted}).first()
            if row is not None:
                return MeetingFacts(*row)
            if wanted == slug:
                raise NotFound(f"There is no meeting called {slug!r}.")
    row = connection.execute(_LATEST_MEETING).first()
    if row is None:
        raise NotFound("No meeting has been loaded yet. Run `meeting import FILE` first.")
    return MeetingFacts(*row)
