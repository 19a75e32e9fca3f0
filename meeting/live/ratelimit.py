"""Token buckets: a burst is allowed, a sustained flood is not (per person per room)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second; each action takes one."""

    capacity: float
    rate: float
    tokens: float = field(init=False)
    stamp: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def take(self, now: float) -> bool:
        """True when the action may go ahead (`now` from a monotonic clock, in seconds)."""
        if self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateLimiter:
    """One bucket per (room, person, kind of action), shared by that person's connections."""

    LIMITS: ClassVar[dict[str, tuple[float, float]]] = {
        "post": (5.0, 1.0),
        "react": (20.0, 10.0),
        "other": (20.0, 5.0),
    }

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int, str], TokenBucket] = {}

    def allow(self, room_id: int, user_id: int, action: str, now: float) -> bool:
        key = (room_id, user_id, action)
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity, rate = self.LIMITS[action]
            bucket = self._buckets[key] = TokenBucket(capacity, rate)
        return bucket.take(now)

    def forget_room(self, room_id: int) -> None:
        for key in [k for k in self._buckets if k[0] == room_id]:
            del self._buckets[key]
