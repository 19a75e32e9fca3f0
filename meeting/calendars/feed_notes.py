"""When each feed's bytes last changed, written behind: many renders, one transaction a tick.

A cold feed render learns its Last-Modified (calendars/tokens.py: `next_feed_modified`);
storing it must not cost the render a write transaction of its own, so notes wait here and
the change watcher flushes them all at once. Until then this process answers from here; a
note lost in a crash only makes the next render pick a later date, never an earlier one.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Table, bindparam, update

from meeting.calendars.models import FeedToken
from meeting.db import SessionFactory, transaction


class FeedNotes:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._pending: dict[int, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def note(self, token_id: int, etag: str, modified: datetime) -> None:
        with self._lock:
            self._pending.setdefault(token_id, (etag, modified))
            if self._pending[token_id][0] != etag:
                self._pending[token_id] = (etag, modified)

    def pending(self, token_id: int) -> tuple[str, datetime] | None:
        return self._pending.get(token_id)

    def flush(self) -> None:
        with self._lock:
            notes, self._pending = self._pending, {}
        if not notes:
            return
        table = FeedToken.__table__
        assert isinstance(table, Table)  # noqa: S101 (narrows for the type checker)
        # Only the first writer of a version wins (see tokens.note_feed_etag), in one executemany.
        statement = (
            update(table)
            .where(table.c.id == bindparam("token_id"), table.c.feed_etag != bindparam("etag"))
            .values(feed_etag=bindparam("etag"), feed_changed_at=bindparam("modified"))
        )
        rows = [
            {"token_id": token_id, "etag": etag, "modified": modified}
            for token_id, (etag, modified) in notes.items()
        ]
        with transaction(self._sessions) as db:
            db.connection().execute(statement, rows)
