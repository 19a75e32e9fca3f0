"""Prepared frames and the outbox: one write per socket per loop turn, in order, never after
a close, and the ASGI send whenever the transport asks writers to pause."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest
from websockets.frames import Frame
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

from meeting.live.connection import Connection, Member
from meeting.live.outbox import Outbox, prepared_frame
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.unit


class RecordingWire:
    """A wire that keeps each write; `paused` and `closed` stand for the transport's state."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.paused = False
        self.closed = False

    def ready(self) -> bool:
        return not self.paused and not self.closed

    def write(self, data: bytes | bytearray) -> None:
        if not self.closed:
            self.writes.append(bytes(data))


def frames_in(data: bytes) -> list[str]:
    """Parse a server's byte stream back into text frames with the `websockets` parser."""
    reader = StreamReader()
    reader.feed_data(data)
    texts: list[str] = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            texts.append(done.value.data.decode())
        else:
            raise AssertionError("a frame was cut short")
    return texts


def test_prepared_frame_is_what_websockets_writes_for_send_text() -> None:
    server = ServerProtocol()
    server.state = State.OPEN
    for text in ("", "hello", "é" * 200, "x" * 70_000):
        server.send_text(text.encode())

        assert prepared_frame(text) == b"".join(server.data_to_send())


def test_frames_of_one_turn_leave_in_one_write_per_socket_in_order() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes], int]:
        outbox = Outbox()
        first, second = RecordingWire(), RecordingWire()
        for n in range(5):
            outbox.put(first, prepared_frame(f"a{n}"))
            if n % 2 == 0:
                outbox.put(second, prepared_frame(f"b{n}"))
        waiting = outbox.waiting()
        await asyncio.sleep(0)  # the end of this turn
        return first.writes, second.writes, waiting

    first, second, waiting = run_in_own_loop(scenario())

    assert waiting == 2
    assert len(first) == 1
    assert frames_in(first[0]) == ["a0", "a1", "a2", "a3", "a4"]
    assert len(second) == 1
    assert frames_in(second[0]) == ["b0", "b2", "b4"]


def test_waiting_frames_make_no_objects_for_the_garbage_collector() -> None:
    """A room of thousands queues frames for every socket on every flush: nothing made per
    socket for that should add to what the garbage collector walks."""
    sockets = 1000

    async def scenario() -> tuple[int, list[bytes]]:
        outbox, wires = Outbox(), [RecordingWire() for _ in range(sockets)]
        frames = [prepared_frame(f"m{n}") for n in range(3)]
        gc.disable()
        try:
            before = gc.get_count()[0]
            for frame in frames:
                for wire in wires:
                    outbox.put(wire, frame)
            made = gc.get_count()[0] - before
        finally:
            gc.enable()
        await asyncio.sleep(0)
        return made, wires[-1].writes

    made, last_writes = run_in_own_loop(scenario())

    assert made < 10  # the flush's timer handle at most; one container a socket was 1,000
    assert [frames_in(write) for write in last_writes] == [["m0", "m1", "m2"]]


def test_a_later_turn_is_a_later_write() -> None:
    async def scenario() -> list[bytes]:
        outbox, wire = Outbox(), RecordingWire()
        outbox.put(wire, prepared_frame("one"))
        await asyncio.sleep(0)
        outbox.put(wire, prepared_frame("two"))
        await asyncio.sleep(0)
        return wire.writes

    writes = run_in_own_loop(scenario())

    assert [frames_in(w) for w in writes] == [["one"], ["two"]]


def member() -> Member:
    return Member(7, "Ada", False)


class AsgiSends:
    """The ASGI path: frames sent through it, and close calls, in the order they happen."""

    def __init__(self, wire: RecordingWire) -> None:
        self.wire = wire
        self.log: list[str] = []

    async def send(self, frame: str) -> None:
        self.log.append(f"asgi:{frame}")

    async def close(self, code: int, _reason: str) -> None:
        self.log.append(f"close:{code} after {sum(len(frames_in(w)) for w in self.wire.writes)}")


def test_connection_writes_through_the_outbox_and_the_asgi_send_while_paused() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        outbox, wire = Outbox(), RecordingWire()
        asgi = AsgiSends(wire)
        conn = Connection(member(), asgi.send, asgi.close, direct=(wire, outbox))
        conn.release(0)
        conn.offer(1, "one")
        conn.offer(2, "two", None, prepared_frame("two"))
        await asyncio.sleep(0)
        wire.paused = True  # the transport's buffer passed its high-water mark
        conn.offer(3, "three")
        await asyncio.sleep(0)
        wire.paused = False
        conn.offer(4, "four")
        await asyncio.sleep(0)
        return [t for w in wire.writes for t in frames_in(w)], asgi.log

    direct, asgi = run_in_own_loop(scenario())

    assert direct == ["one", "two", "four"]
    assert asgi == ["asgi:three"]


def test_close_and_drain_write_waiting_frames_first() -> None:
    async def scenario() -> list[str]:
        outbox, wire = Outbox(), RecordingWire()
        asgi = AsgiSends(wire)
        conn = Connection(member(), asgi.send, asgi.close, direct=(wire, outbox))
        conn.release(0)
        conn.offer(None, "the last error")
        await conn.drain()
        conn.offer(None, "bye")
        await conn.close(1008, "abuse")
        await asyncio.sleep(0)
        return asgi.log

    assert run_in_own_loop(scenario()) == ["close:1008 after 2"]


def test_frames_for_a_socket_that_closed_meanwhile_are_dropped() -> None:
    async def scenario() -> list[bytes]:
        outbox, wire = Outbox(), RecordingWire()
        outbox.put(wire, prepared_frame("late"))
        wire.closed = True
        await asyncio.sleep(0)
        return wire.writes

    assert run_in_own_loop(scenario()) == []


class SlowWire(RecordingWire):
    """Each write takes 10 ms (a flush to thousands of sockets takes that long)."""

    def write(self, data: bytes | bytearray) -> None:
        time.sleep(0.01)
        super().write(data)


def test_a_quiet_room_writes_at_once_and_a_busy_one_waits_after_a_long_flush() -> None:
    async def scenario() -> tuple[int, int, list[list[str]]]:
        outbox, wire = Outbox(pause_factor=1000), SlowWire()
        outbox.put(wire, prepared_frame("first"))
        await asyncio.sleep(0)  # one turn: nothing was written lately, so it went out
        after_quiet = len(wire.writes)
        outbox.put(wire, prepared_frame("second"))
        outbox.put(wire, prepared_frame("third"))
        for _ in range(5):
            await asyncio.sleep(0)
        while_paused = len(wire.writes)  # that flush took >= 10 ms: the next waits >= 10 s
        outbox.flush()  # (the pause's timer, without waiting for it)
        return after_quiet, while_paused, [frames_in(w) for w in wire.writes]

    after_quiet, while_paused, writes = run_in_own_loop(scenario())

    assert (after_quiet, while_paused) == (1, 1)
    assert writes == [["first"], ["second", "third"]]
