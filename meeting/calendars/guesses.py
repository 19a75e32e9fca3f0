"""Throttling of feed-token guessing: too many unknown tokens from one address get 429.

In-process: each worker counts on its own, so with N workers an address may try N times
the limit before every worker refuses it. That bounds load rather than guessing itself,
which 256-bit tokens already make hopeless. Only unknown tokens count; a valid token is
answered whatever the address has tried, so a calendar behind the same NAT as a guesser
keeps working. Addresses are whatever the server sees (behind a proxy, the proxy's
unless it passes the client's on).
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

GUESS_LIMIT = 20
GUESS_WINDOW = timedelta(minutes=10)


class GuessLimiter:
    """A sliding window of failed guesses per client address."""

    def __init__(
        self,
        limit: int = GUESS_LIMIT,
        window: timedelta = GUESS_WINDOW,
        max_addresses: int = 10_000,
    ) -> None:
        self._limit = limit
        self._window = window
        self._max_addresses = max_addresses
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def record_failure(self, address: str, now: datetime) -> bool:
        """Count one unknown token; True when the address is now over the limit."""
        with self._lock:
            failures = self._failures.setdefault(address, deque())
            self._expire(failures, now)
            failures.append(now)
            while len(failures) > self._limit + 1:
                failures.popleft()
            if len(self._failures) > self._max_addresses:
                self._forget_idle(now)
            return len(failures) > self._limit

    def _expire(self, failures: deque[datetime], now: datetime) -> None:
        while failures and failures[0] <= now - self._window:
            failures.popleft()

    def _forget_idle(self, now: datetime) -> None:
        for address in list(self._failures):
            self._expire(self._failures[address], now)
            if not self._failures[address]:
                del self._failures[address]
        while len(self._failures) > self._max_addresses:
            # Still too many busy addresses: drop the oldest-inserted ones.
            del self._failures[next(iter(self._failures))]
