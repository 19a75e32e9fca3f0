"""One joined socket: frames are sent at once when it keeps up, queued (bounded) when not."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any, cast

from meeting.live.outbox import Outbox, Wire, prepared_frame

DEFAULT_QUEUE_FRAMES = 512

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Coroutine[Any, Any, None]]
Held = tuple[int | None, str, frozenset[int] | None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    moderator: bool


class Connection:
    """Frames go out in order; a backlog over `queue_frames` means the client is too slow.

    With a `wire` (uvicorn's own connection, meeting/web/socket_wire.py) a frame that finds
    nothing queued goes to the `outbox` as prepared bytes, and leaves with the socket's
    other waiting frames in one write at the next flush (meeting/live/outbox.py says why).
    Without a wire, or while the transport asks writers to pause, frames take the ASGI send.
    Everything sent after priming goes through `offer`, so the two paths never overtake
    each other, and `close` writes what waits before the close frame.

    While nothing is queued a frame is written straight away, inside the broadcast loop:
    an ASGI send completes without suspending unless the socket's buffer is full, so the
    common case costs no task switch and no queue. Sends are driven by one long-lived
    generator per socket (`_pump`), resumed once per frame: a finished send costs no
    exception and no new frame object, which counts in a room of thousands. Only a send
    that does suspend starts a writer task, which finishes it and drains the backlog, then
    goes away again.

    While the connection is being primed (snapshot or replay from the database) frames that
    arrive live are held aside, then released with anything already sent skipped, so the
    client sees every event exactly once and in order.
    """

    __slots__ = (
        "_backlog",
        "_close",
        "_direct",
        "_held",
        "_limit",
        "_pump",
        "_send",
        "_writer",
        "gone",
        "last_seq",
        "member",
        "too_slow",
    )

    def __init__(
        self,
        member: Member,
        send: Send,
        close: Close,
        queue_frames: int = DEFAULT_QUEUE_FRAMES,
        *,
        direct: tuple[Wire, Outbox] | None = None,
    ) -> None:
        self.member = member
        self._send = send
        self._pump = _pump(send)
        next(self._pump)  # now waiting for its first frame
        self._close = close
        self._direct = direct
        self._backlog: deque[str] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._held: list[Held] | None = []
        self._limit = queue_frames
        self.last_seq = 0
        self.too_slow = False
        self.gone = False
        """The socket failed under a send: later frames are dropped; the reader sees the end."""

    def offer(
        self,
        seq: int | None,
        frame: str,
        audience: frozenset[int] | None = None,
        prepared: bytes | None = None,
    ) -> bool:
        """Send or queue a frame (numbered events at most once, and only for their audience);
        False when the client can't keep up. `prepared` is `frame` as wire bytes, when the
        caller offers one frame to many."""
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
        if self.gone:
            return True
        if self._writer is None:
            direct = self._direct
            if direct is None:
                self._send_now(frame)
            else:
                wire, outbox = direct
                if not outbox.put(wire, prepared_frame(frame) if prepared is None else prepared):
                    self._send_now(frame)  # the transport asks writers to pause: ASGI waits
            return True
        if len(self._backlog) >= self._limit:
            self.too_slow = True
            return False
        self._backlog.append(frame)
        return True

    def release(self, primed_up_to: int) -> bool:
        """Priming is done up to event `primed_up_to`: send what was held, in order."""
        self.last_seq = max(self.last_seq, primed_up_to)
        held, self._held = self._held or [], None
        return all(self.offer(seq, frame, aud) for seq, frame, aud in sorted(held, key=_order))

    def _send_now(self, frame: str) -> None:
        """Run the send until it completes or first suspends; a suspended one goes to a task."""
        try:
            waiting_for = self._pump.send(frame)
        except Exception:  # the socket is gone (StopIteration: the pump was closed)
            self._give_up()
            return
        if waiting_for is not _IDLE:
            self._writer = asyncio.create_task(self._write(waiting_for))

    async def _write(self, waiting_for: object) -> None:
        """Finish the send that blocked, then drain the backlog; afterwards send directly again."""
        try:
            await _resume(self._pump, waiting_for)
            while self._backlog:
                waiting_for = self._pump.send(self._backlog.popleft())
                if waiting_for is not _IDLE:
                    await _resume(self._pump, waiting_for)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._give_up()
        finally:
            self._writer = None

    def _give_up(self) -> None:
        log.debug("send failed for user %s; dropping further frames", self.member.user_id)
        self.gone = True
        self._backlog.clear()

    @property
    def primed(self) -> bool:
        """Priming is over: live frames are offered, not held."""
        return self._held is None

    @property
    def direct(self) -> bool:
        """Frames go out through a direct wire and the outbox (not the ASGI send)."""
        return self._direct is not None

    def _flush(self) -> None:
        """Write what waits in the outbox for this socket now, not at the end of the turn."""
        if self._direct is not None:
            wire, outbox = self._direct
            outbox.flush_wire(wire)

    async def close(self, code: int, reason: str) -> None:
        """Close the socket behind any frames still waiting for it."""
        self._flush()
        await self._close(code, reason)

    async def drain(self, seconds: float = 1.0) -> None:
        """Give queued frames (say, the last error) a moment to go out before a close."""
        self._flush()
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), seconds)

    async def stop(self) -> None:
        """Stop writing (the socket is done with): cancel a pending send, drop the backlog."""
        self.gone = True
        self._backlog.clear()
        writer = self._writer
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        self._pump.close()


_IDLE = object()
"""What the pump yields between sends (anything else is what a blocked send waits on)."""

Pump = Generator[object, str, None]


@types.coroutine
def _pump(send: Send) -> Pump:
    """Run one send after another, each on the frame it is resumed with: a coroutine's
    `yield from` finishes the send inside this frame, where stepping each send's
    coroutine from outside would end every send with a StopIteration."""
    while True:
        frame = yield _IDLE
        yield from cast(Coroutine[Any, Any, None], send(frame))


async def _resume(pump: Pump, waiting_for: object) -> None:
    """Carry on a send that suspended on `waiting_for`, as an asyncio Task would: wait until
    that future is done, then step the pump again, until the send is over.

    (asyncio's eager tasks do this from Python 3.12; 3.11 is supported here.)
    """
    while waiting_for is not _IDLE:
        if isinstance(waiting_for, asyncio.Future):
            await asyncio.wait([waiting_for])
        else:  # a bare `yield` (sleep(0)): just let the loop run once
            await asyncio.sleep(0)
        waiting_for = pump.send(None)  # type: ignore[arg-type]


def _order(item: Held) -> int:
    return item[0] if item[0] is not None else 0
