"""Follow other processes' commits: poll schedule versions and the feed-change journal.

One small read per interval per process, off every request path. A process that cannot
poll (database down, loop stalled) stops vouching for its cache (`vouches()`), so the fast
lane falls back to rendering instead of serving what may be stale.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import Row, delete, func, select
from starlette.concurrency import run_in_threadpool

from meeting.db import SessionFactory, transaction
from meeting.db.base import utcnow
from meeting.freshness.models import FeedChange
from meeting.freshness.state import Freshness
from meeting.program.models import Meeting

log = logging.getLogger(__name__)

LOOKBACK = 256
"""Journal ids re-read below the highest seen: PostgreSQL may commit ids out of order."""
KEEP_JOURNAL = timedelta(days=1)
PRUNE_EVERY_S = 600.0


class ChangeWatcher:
    """Keeps a Freshness in step with the database; runs `after_poll` jobs on each tick."""

    def __init__(
        self,
        sessions: SessionFactory,
        freshness: Freshness,
        interval_s: float,
        after_poll: tuple[Callable[[], None], ...] = (),
    ) -> None:
        self._sessions = sessions
        self._freshness = freshness
        self._interval = interval_s
        self._after_poll = after_poll
        self._highest: int | None = None
        self._seen: set[int] = set()
        self._last_poll = -float("inf")
        self._last_prune = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def vouches(self) -> bool:
        """True while the last successful poll is recent enough to trust the cache."""
        return time.monotonic() - self._last_poll < max(5.0, 5 * self._interval)

    async def start(self) -> None:
        await run_in_threadpool(self.poll)
        self._task = asyncio.create_task(self._run(), name="change-watcher")

    async def stop(self) -> None:
        """Let a running poll finish (never strand a connection mid-query), then flush."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await run_in_threadpool(self._run_after_poll)

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), self._interval)
                return
            except TimeoutError:
                pass
            try:
                await run_in_threadpool(self.poll)
            except Exception:  # keep watching; vouches() turns False meanwhile
                log.exception("change watcher: poll failed")

    def poll(self) -> None:
        """Read schedule versions and new journal rows; then prune and run the jobs."""
        with transaction(self._sessions, write=False) as db:
            versions = db.execute(select(Meeting.id, Meeting.schedule_version)).all()
            if self._highest is None:
                rows: Sequence[Row[int, int]] = []
                self._highest = db.scalar(select(func.max(FeedChange.id))) or 0
            else:
                rows = db.execute(
                    select(FeedChange.id, FeedChange.user_id).where(
                        FeedChange.id > self._highest - LOOKBACK
                    )
                ).all()
        for meeting_id, version in versions:
            self._freshness.schedule_changed(meeting_id, version)
        fresh = [(row_id, user_id) for row_id, user_id in rows if row_id not in self._seen]
        if fresh:
            self._freshness.feeds_changed(user_id for _, user_id in fresh)
            self._seen.update(row_id for row_id, _ in fresh)
            self._highest = max(self._highest, *(row_id for row_id, _ in fresh))
            floor = self._highest - LOOKBACK
            self._seen = {row_id for row_id in self._seen if row_id > floor}
        self._last_poll = time.monotonic()
        self._run_after_poll()
        if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
            self._last_prune = time.monotonic()
            self.prune()

    def prune(self) -> None:
        with transaction(self._sessions) as db:
            db.execute(delete(FeedChange).where(FeedChange.changed_at < utcnow() - KEEP_JOURNAL))

    def _run_after_poll(self) -> None:
        for job in self._after_poll:
            try:
                job()
            except Exception:
                log.exception("change watcher: job failed")
