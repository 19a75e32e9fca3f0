"""Token guessing: the 21st unknown token in ten minutes from one address is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meeting.calendars.guesses import GuessLimiter

pytestmark = pytest.mark.unit

START = datetime(2020, 12, 5, 12, 0, tzinfo=UTC)


def test_limit_is_per_address_and_window() -> None:
    limiter = GuessLimiter(limit=20, window=timedelta(minutes=10))

    first_twenty = [limiter.record_failure("198.51.100.7", START) for _ in range(20)]
    twenty_first = limiter.record_failure("198.51.100.7", START + timedelta(minutes=1))
    elsewhere = limiter.record_failure("203.0.113.9", START + timedelta(minutes=1))
    later = limiter.record_failure("198.51.100.7", START + timedelta(minutes=11, seconds=1))

    assert (first_twenty, twenty_first, elsewhere, later) == ([False] * 20, True, False, False)


def test_many_addresses_stay_bounded() -> None:
    limiter = GuessLimiter(limit=1, window=timedelta(minutes=10), max_addresses=3)

    for number in range(10):
        limiter.record_failure(f"192.0.2.{number}", START)
    refused = limiter.record_failure("192.0.2.9", START)

    assert refused is True
