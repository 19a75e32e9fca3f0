"""One joined socket: a bounded outgoing queue, fed by the hub, drained by its own task."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

DEFAULT_QUEUE_FRAMES = 512

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    moderator: bool


class Connection:
    """Frames are queued here and sent in order; a full queue means the client is too slow.

    While the connection is being primed (snapshot or replay from the database) frames that
    arrive live are held aside, then released with anything already sent skipped, so the
    client sees every event exactly once and in order.
    """

    def __init__(
        self, member: Member, send: Send, close: Close, queue_frames: int = DEFAULT_QUEUE_FRAMES
    ) -> None:
        self.member = member
        self._send = send
        self.close = close
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_frames)
        self._held: list[tuple[int | None, str, frozenset[int] | None]] | None = []
        self._limit = queue_frames
        self.last_seq = 0
        self.too_slow = False

    def offer(self, seq: int | None, frame: str, audience: frozenset[int] | None = None) -> bool:
        """Queue a frame (numbered events at most once, and only for their audience);
        False when the client can't keep up."""
        if self.too_slow:
            return False
        if self._held is not None:
            self._held.append((seq, frame, audience))
            if len(self._held) > self._limit:
                self.too_slow = True
            return not self.too_slow
        if seq is not None:
            if seq <= self.last_seq:
                return True
            self.last_seq = seq
        if audience is not None and self.member.user_id not in audience:
            return True  # someone else's breakout: counted as seen, not sent
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.too_slow = True
            return False
        return True

    def release(self, primed_up_to: int) -> bool:
        """Priming is done up to event `primed_up_to`: send what was held, in order."""
        self.last_seq = max(self.last_seq, primed_up_to)
        held, self._held = self._held or [], None
        return all(self.offer(seq, frame, aud) for seq, frame, aud in sorted(held, key=_order))

    async def run_sender(self) -> None:
        while True:
            frame = await self._queue.get()
            try:
                await self._send(frame)
            finally:
                self._queue.task_done()

    async def drain(self, seconds: float = 1.0) -> None:
        """Give queued frames (say, the last error) a moment to go out before a close."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), seconds)


def _order(item: tuple[int | None, str, frozenset[int] | None]) -> int:
    return item[0] if item[0] is not None else 0
