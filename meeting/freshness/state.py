"""What one process knows to be current: schedule versions, and which feeds changed when.

Cached responses carry the schedule version they were rendered from and, for a personal
feed, the tick (`mark()`) taken before its data was read. A response is current while its
meeting is still at that version and its attendee has had no change since the tick; the
tick is taken before reading, so a change racing the render makes the render stale, never
the other way round.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable


class Freshness:
    """Schedule versions and per-attendee change ticks, fed by commits and by the watcher."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tick = 0
        self._floor = 0
        self._versions: dict[int, int] = {}
        self._user_changed: dict[int, int] = {}

    def mark(self) -> int:
        """The tick to tag a render with; take it before reading the data rendered."""
        return self._tick

    def version(self, meeting_id: int) -> int | None:
        return self._versions.get(meeting_id)

    def is_current(
        self, meeting_id: int, schedule_version: int, user_id: int | None, mark: int
    ) -> bool:
        if mark < self._floor or self._versions.get(meeting_id) != schedule_version:
            return False
        return user_id is None or self._user_changed.get(user_id, -1) <= mark

    def schedule_changed(self, meeting_id: int, version: int) -> None:
        """A meeting is at `version` now (versions only grow, so a late report cannot undo)."""
        with self._lock:
            known = self._versions.get(meeting_id)
            if known is None or version > known:
                self._versions[meeting_id] = version

    def feeds_changed(self, user_ids: Iterable[int]) -> None:
        with self._lock:
            self._tick += 1
            for user_id in user_ids:
                self._user_changed[user_id] = self._tick

    def forget_everything(self) -> None:
        """Make every earlier render stale (the journal could not be followed)."""
        with self._lock:
            self._tick += 1
            self._floor = self._tick
