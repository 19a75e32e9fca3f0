"""When each feed's bytes last changed, written behind: many renders, one transaction a tick.

A cold feed render learns its Last-Modified (calendars/tokens.py: `next_feed_modified`);
storing it must not cost the render a write transaction of its own, so notes wait here and
the change watcher flushes them all at once. Until then this process answers from here; a
note lost in a crash only makes the next render pick a later date, never an earlier one.
"""

from __future__ import annotations

import threading
from datetime import datetime

from meeting.calendars.tokens import note_feed_etags
from meeting.db import SessionFactory, transaction


class FeedNotes:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._pending: dict[int, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def note(self, token_id: int, etag: str, modified: datetime) -> None:
        with self._lock:
            known = self._pending.get(token_id)
            if known is None or known[0] != etag:  # a version keeps the date it was first seen
                self._pending[token_id] = (etag, modified)

    def pending(self, token_id: int) -> tuple[str, datetime] | None:
        return self._pending.get(token_id)

    def flush(self) -> None:
        with self._lock:
            notes, self._pending = self._pending, {}
        if not notes:
            return
        with transaction(self._sessions) as db:
            note_feed_etags(db, [(t, etag, modified) for t, (etag, modified) in notes.items()])
