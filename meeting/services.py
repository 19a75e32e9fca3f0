"""The long-lived things a running app shares (opened in lifespan, reached from requests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from meeting.broker import Broker
from meeting.calendars.events import EventCache
from meeting.calendars.feed_batch import FeedAnswer, FeedAsk
from meeting.calendars.feed_notes import FeedNotes
from meeting.calendars.feed_reads import ScheduleTimings
from meeting.calendars.guesses import GuessLimiter
from meeting.clock import Clock
from meeting.config import Settings
from meeting.db import SessionFactory
from meeting.db.batches import ThreadBatcher
from meeting.exports import ExportCache
from meeting.freshness.response_cache import ResponseCache
from meeting.freshness.state import Freshness
from meeting.freshness.watcher import ChangeWatcher
from meeting.live.hub import RoomHub
from meeting.live.ratelimit import RateLimiter


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    clock: Clock
    exports: ExportCache
    broker: Broker
    hub: RoomHub
    limiter: RateLimiter
    calendar_events: EventCache
    """Built VEVENTs by session revision: feeds are assembled, not rebuilt."""
    schedule_timings: ScheduleTimings
    """Sessions' times and revisions per schedule version, for assembling feeds."""
    feed_guesses: GuessLimiter
    """Unknown feed tokens per client address (per process)."""
    freshness: Freshness
    """Schedule versions and feed changes this process knows of (see meeting/freshness)."""
    watcher: ChangeWatcher
    responses: ResponseCache
    """Rendered feeds, exports and anonymous pages the fast lane replays while current."""
    feed_notes: FeedNotes
    feed_batches: ThreadBatcher[FeedAsk, FeedAnswer]
    """Personal feeds not in the fast lane, read and rendered a batch at a time."""
