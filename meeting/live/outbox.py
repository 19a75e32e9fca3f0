"""Room frames serialised once per broadcast and written once per socket per flush.

A room of a thousand members turns every chat message into a thousand socket writes. Two
costs in that are the same for every member and need not be paid a thousand times: the
WebSocket frame itself (a server's frames are unmasked, so its bytes are identical for
everyone; `prepared_frame` builds them once, as gorilla's `PreparedMessage` and the
`websockets` library's `broadcast()` do), and the system call with its TCP segment
(frames offered to one socket meanwhile leave in one write). A write costs the same for
one frame as for twenty, so the outbox paces itself: after a flush that took t seconds the
next one waits t (`WRITE_PAUSE_FACTOR`), and writing takes at most half the loop's time.
In a quiet room nothing waits (the last flush was long ago); in a busy one, frames gather
while the loop does everything else, and the cost per frame falls just when frames pile
up, in a room of fifty as in one of five thousand.
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

from websockets.frames import Frame, Opcode

WRITE_PAUSE_FACTOR = 1.0
"""After a flush that took t seconds the next one waits this times t: writes take at most
half the loop's time, whatever the room's size. (Measured with a fixed 10 ms delay instead:
a room of 5,000 at 10 messages a second spent 58 % of its loop in `transport.write`, each
message arriving alone and going out as a write to every socket.)"""


def prepared_frame(text: str) -> bytes:
    """The bytes of an unmasked WebSocket text frame carrying `text` (server to client)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


class Wire(Protocol):
    """Direct access to one accepted WebSocket's transport (see meeting/web/socket_wire.py)."""

    def ready(self) -> bool:
        """Open, and its transport is not asking writers to pause."""

    def write(self, data: bytes | bytearray) -> None:
        """Write whole frames, unless the socket has closed meanwhile (then drop them)."""


class Outbox:
    """Frames waiting for the next flush, socket by socket, in offer order."""

    __slots__ = ("_handle", "_next_flush", "_pending", "pause_factor")

    def __init__(self, pause_factor: float = WRITE_PAUSE_FACTOR) -> None:
        self._pending: dict[Wire, bytearray] = {}
        """Each socket's waiting frames, in one growing buffer: written as it is, with no
        list per socket and no join at the flush, and a buffer is not an object the garbage
        collector has to track. A buffer is never touched again once written: the
        transport may hold on to it until its bytes are out."""
        self._handle: asyncio.Handle | None = None
        self._next_flush = -math.inf
        self.pause_factor = pause_factor

    def put(self, wire: Wire, data: bytes) -> bool:
        """Queue `data` for `wire`; False when the wire is not ready (send it another way).

        Readiness is checked once per socket per flush: a socket with frames waiting was
        ready when the first came, and nothing else writes to it before they leave."""
        waiting = self._pending.get(wire)
        if waiting is not None:
            waiting += data
            return True
        if not wire.ready():
            return False
        self._pending[wire] = bytearray(data)
        if self._handle is None:
            loop = asyncio.get_running_loop()
            due = self._next_flush
            now = loop.time()
            if due <= now:
                self._handle = loop.call_soon(self.flush)
            else:
                self._handle = loop.call_at(due, self.flush)
        return True

    def flush(self) -> None:
        """Write everything waiting: one write per socket."""
        if self._handle is not None:
            self._handle.cancel()  # called early (a no-op when it is the timer itself)
            self._handle = None
        loop = asyncio.get_running_loop()
        started = loop.time()
        pending, self._pending = self._pending, {}
        for wire, waiting in pending.items():
            wire.write(waiting)
        ended = loop.time()
        self._next_flush = ended + (ended - started) * self.pause_factor

    def flush_wire(self, wire: Wire) -> None:
        """Write what waits for one socket now (before a close frame goes out behind it)."""
        waiting = self._pending.pop(wire, None)
        if waiting:
            wire.write(waiting)

    def waiting(self) -> int:
        """How many sockets have frames waiting (for tests and diagnostics)."""
        return len(self._pending)
