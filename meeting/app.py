"""create_app(settings) -> Starlette: routes, error handlers, and a lifespan that opens services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypedDict

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware

from meeting.broker import create_broker
from meeting.calendars.events import EventCache
from meeting.calendars.feed_batch import FeedBatchRenderer
from meeting.calendars.feed_notes import FeedNotes
from meeting.calendars.feed_reads import ScheduleTimings
from meeting.calendars.guesses import GuessLimiter
from meeting.clock import Clock, OffsetClock, SystemClock
from meeting.config import Settings
from meeting.db import engine_from_settings, make_session_factory
from meeting.db.batches import ThreadBatcher
from meeting.errors import MeetingError
from meeting.exports import ExportCache
from meeting.freshness import journal
from meeting.freshness.response_cache import ResponseCache
from meeting.freshness.state import Freshness
from meeting.freshness.watcher import ChangeWatcher
from meeting.live.hub import RoomHub
from meeting.live.ratelimit import RateLimiter
from meeting.services import Services
from meeting.web import routes
from meeting.web.errors import http_error, meeting_error, server_error
from meeting.web.fast_lane import FastLane
from meeting.web.socket_wire import KeepServerSend
from meeting.web.templating import Templates


class AppState(TypedDict):
    services: Services
    templates: Templates


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    """The whole web app; nothing is opened until the lifespan starts."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[AppState]:
        engine = engine_from_settings(settings)
        sessions = make_session_factory(engine)
        the_clock = clock or _clock_for(settings)
        broker = create_broker(settings.broker_url)
        await broker.connect()
        hub = RoomHub(broker, sessions, the_clock)
        await hub.start()
        freshness = Freshness()
        journal.listen(freshness)
        feed_notes = FeedNotes(sessions)
        watcher = ChangeWatcher(
            sessions, freshness, settings.cache_poll_seconds, after_poll=(feed_notes.flush,)
        )
        await watcher.start()
        calendar_events, schedule_timings = EventCache(), ScheduleTimings()
        feed_batches = ThreadBatcher(
            FeedBatchRenderer(
                engine,
                settings.default_meeting,
                settings.base_url,
                calendar_events,
                schedule_timings,
            )
        )
        services = Services(
            settings=settings,
            engine=engine,
            sessions=sessions,
            clock=the_clock,
            exports=ExportCache(),
            broker=broker,
            hub=hub,
            limiter=RateLimiter(),
            calendar_events=calendar_events,
            schedule_timings=schedule_timings,
            feed_guesses=GuessLimiter(),
            freshness=freshness,
            watcher=watcher,
            responses=ResponseCache(
                freshness,
                the_clock.now,
                watcher.vouches,
                max_entries=settings.response_cache_entries,
                max_bytes=settings.response_cache_mb * 1024 * 1024,
            ),
            feed_notes=feed_notes,
            feed_batches=feed_batches,
        )
        _app.state.services = services  # for operators' tools and tests; requests use scope state
        try:
            yield {"services": services, "templates": Templates()}
        finally:
            await watcher.stop()
            await hub.stop()
            await broker.close()
            engine.dispose()

    return Starlette(
        routes=routes(),
        middleware=[
            Middleware(KeepServerSend),
            Middleware(FastLane),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="meeting_session",
                max_age=14 * 24 * 3600,
                same_site="lax",
                https_only=settings.base_url.startswith("https://"),
            ),
        ],
        lifespan=lifespan,
        exception_handlers={
            MeetingError: meeting_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )


def _clock_for(settings: Settings) -> Clock:
    if settings.clock_start is None:
        return SystemClock()
    start = settings.clock_start
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return OffsetClock(start, datetime.now(UTC))
