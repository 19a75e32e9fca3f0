"""Time as a parameter: the system clock in production, a frozen one in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, demos of 'live now')."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class OffsetClock:
    """Real time, shifted so that `real_start` reads as `pretend_start` (demo of 'live now')."""

    def __init__(self, pretend_start: datetime, real_start: datetime) -> None:
        self._offset = pretend_start - real_start

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset
