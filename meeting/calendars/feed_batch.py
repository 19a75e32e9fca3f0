"""Personal feeds rendered a batch at a time (see db/batches.py for how batches form).

A batch reads, in one transaction and whatever its size: the presented tokens, the
attendees' agendas, and each meeting named; then assembles every feed from the shared
VEVENT cache. One feed's failure is that feed's answer, not its batch-mates'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from meeting.calendars.agenda_feed import AgendaCalendar, render_agenda_calendar
from meeting.calendars.events import EventCache
from meeting.calendars.feed_reads import (
    AgendaRows,
    MeetingFacts,
    ScheduleTimings,
    agendas_of,
    feed_meeting,
)
from meeting.calendars.tokens import FeedAccess, find_feed_tokens
from meeting.db.reads import read_connection
from meeting.exports import strong_etag


@dataclass(frozen=True)
class FeedAsk:
    token: str
    slug: str | None
    """The meeting the URL names (None: the default one)."""
    now: datetime


@dataclass(frozen=True)
class RenderedFeed:
    access: FeedAccess
    meeting: MeetingFacts
    calendar: AgendaCalendar
    body: bytes
    etag: str


FeedAnswer = RenderedFeed | Exception | None
"""A feed, the error its request should raise, or None for a token that opens nothing."""


class FeedBatchRenderer:
    """The work of a feed batch, with what it needs from the running app."""

    def __init__(
        self,
        engine: Engine,
        default_slug: str,
        base_url: str,
        events: EventCache,
        timings: ScheduleTimings,
    ) -> None:
        self._engine = engine
        self._default_slug = default_slug
        self._base_url = base_url
        self._events = events
        self._timings = timings

    def __call__(self, asks: Sequence[FeedAsk]) -> list[FeedAnswer]:
        with read_connection(self._engine) as db:
            accesses = find_feed_tokens(db, {ask.token for ask in asks})
            agendas = agendas_of(db, {access.user_id for access in accesses.values()})
            meetings: dict[str | None, MeetingFacts] = {}
            answers: list[FeedAnswer] = []
            for ask in asks:
                access = accesses.get(ask.token)
                if access is None:
                    answers.append(None)
                    continue
                try:
                    answers.append(self._render(db, ask, access, agendas[access.user_id], meetings))
                except Exception as error:
                    answers.append(error)
            return answers

    def _render(
        self,
        db: Connection,
        ask: FeedAsk,
        access: FeedAccess,
        entries: AgendaRows,
        meetings: dict[str | None, MeetingFacts],
    ) -> RenderedFeed:
        meeting = meetings.get(ask.slug)
        if meeting is None:
            meeting = meetings[ask.slug] = feed_meeting(db, ask.slug, self._default_slug)
        calendar = render_agenda_calendar(
            db,
            meeting,
            entries,
            access.settings,
            ask.now,
            self._base_url,
            self._events,
            self._timings,
        )
        body = calendar.body
        return RenderedFeed(access, meeting, calendar, body, strong_etag(body))
