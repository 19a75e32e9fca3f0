"""The hub with the in-process broker: slow consumers, presence on the tick, direct sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from meeting.broker.base import Envelope
from meeting.broker.memory import MemoryBroker
from meeting.clock import FrozenClock
from meeting.db import SessionFactory
from meeting.live.connection import Connection, Member
from meeting.live.events import NumberedEvent
from meeting.live.hub import LiveRoom, RoomHub
from meeting.live.protocol import CLOSE_TOO_SLOW
from meeting.live.rooms import RoomInfo
from tests.conftest import NOW
from tests.factories import pacific
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.integration

FRAMES = 2000


def test_slow_consumer_is_closed_and_others_receive_everything(db_factory: SessionFactory) -> None:
    async def scenario() -> tuple[list[str], list[int]]:
        broker = MemoryBroker()
        hub = RoomHub(broker, db_factory, FrozenClock(NOW), tick_seconds=60)
        info = RoomInfo(1, "PLEN-01", "Plenary", pacific(5, 9), pacific(5, 10, 30))
        received: list[str] = []
        closed: list[int] = []
        stuck = asyncio.Event()

        async def fast_send(frame: str) -> None:
            received.append(frame)

        async def never_sends(_frame: str) -> None:
            await stuck.wait()

        async def record_close(code: int, _reason: str) -> None:
            closed.append(code)

        async def no_close(_code: int, _reason: str) -> None:
            return None

        fast = Connection(Member(1, "Fast", False), fast_send, no_close, queue_frames=64)
        slow = Connection(Member(2, "Slow", False), never_sends, record_close, queue_frames=64)
        hub.rooms[info.session_id] = room = LiveRoom(info)
        await hub._subscribe(room)
        for conn in (fast, slow):
            room.connections.add(conn)
            conn.release(0)
        for seq in range(1, FRAMES + 1):
            await hub.publish_events(room, [NumberedEvent(seq, f'{{"id":{seq}}}')])
            if seq % 32 == 0:
                await asyncio.sleep(0)  # let the fast sender drain, as a real socket would
        await asyncio.sleep(0.05)
        for conn in (fast, slow):
            await conn.stop()
        await hub.stop()
        return received, closed

    received, closed = run_in_own_loop(scenario())

    assert closed == [CLOSE_TOO_SLOW]
    assert received == [f'{{"id":{seq}}}' for seq in range(1, FRAMES + 1)]


class Socket:
    """A fake socket end: records what was sent; `stuck` makes sends wait (a full buffer)."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.stuck = asyncio.Event()
        self.stuck.set()
        self.arrived = asyncio.Event()

    async def send(self, frame: str) -> None:
        await self.stuck.wait()
        self.frames.append(frame)
        self.arrived.set()

    async def close(self, _code: int, _reason: str) -> None:
        return None

    def connection(self, user_id: int, queue_frames: int = 64) -> Connection:
        member = Member(user_id, f"Person {user_id}", False)
        return Connection(member, self.send, self.close, queue_frames=queue_frames)

    def presence(self) -> list[dict[str, Any]]:
        return [f for f in map(json.loads, self.frames) if f["type"] == "presence"]


PLENARY = RoomInfo(1, "PLEN-01", "Plenary", pacific(5, 9), pacific(5, 10, 30))


async def join(hub: RoomHub, socket: Socket, user_id: int) -> LiveRoom:
    conn = socket.connection(user_id)
    room = await hub.join(PLENARY, conn)
    conn.release(room.last_seq)
    return room


def test_a_join_storm_sends_one_presence_frame_a_tick_to_those_already_there(
    db_factory: SessionFactory,
) -> None:
    async def scenario() -> list[list[dict[str, Any]]]:
        hub = RoomHub(MemoryBroker(), db_factory, FrozenClock(NOW), tick_seconds=60)
        there = Socket()
        room = await join(hub, there, 1)
        await hub._tick(room)
        seen = [there.presence()]
        for user_id in range(2, 202):
            await join(hub, Socket(), user_id)
        await hub._tick(room)
        seen.append(there.presence()[len(seen[0]) :])
        await hub._tick(room)  # nobody came or went
        seen.append(there.presence()[len(seen[0]) + len(seen[1]) :])
        await hub.stop()
        return seen

    first, storm, calm = run_in_own_loop(scenario())

    assert first == [{"type": "presence", "count": 1, "people": ["Person 1"]}]
    assert storm == [{"type": "presence", "count": 201, "people": None}]
    assert calm == []


def test_rooms_bigger_than_a_ticks_worth_of_frames_hear_their_count_less_often(
    db_factory: SessionFactory,
) -> None:
    async def scenario() -> list[int]:
        hub = RoomHub(
            MemoryBroker(),
            db_factory,
            FrozenClock(NOW),
            tick_seconds=60,
            presence_frames_per_tick=10,
        )
        there = Socket()
        room = await join(hub, there, 1)
        for user_id in range(2, 21):  # 20 to 26 here: every third tick
            await join(hub, Socket(), user_id)
        counts = []
        for tick in range(6):
            await join(hub, Socket(), 100 + tick)  # the count changes every tick
            await hub._tick(room)
            counts.append(there.presence()[-1]["count"] if there.presence() else 0)
        await hub.stop()
        return counts

    counts = run_in_own_loop(scenario())

    assert counts == [0, 0, 23, 23, 23, 26]


def test_a_blocked_socket_queues_in_order_and_then_sends_directly_again() -> None:
    async def scenario() -> tuple[list[str], list[str], bool]:
        socket = Socket()
        conn = socket.connection(1)
        conn.release(0)
        socket.stuck.clear()  # its buffer is full
        for seq in range(1, 6):
            assert conn.offer(seq, f"frame {seq}")
        while_blocked = list(socket.frames)
        socket.stuck.set()
        await conn.drain()
        conn.offer(6, "frame 6")  # nothing queued: written at once, no task needed
        sent_at_once = socket.frames[-1] == "frame 6"
        await conn.stop()
        return while_blocked, socket.frames, sent_at_once

    while_blocked, frames, sent_at_once = run_in_own_loop(scenario())

    assert while_blocked == []
    assert frames == [f"frame {seq}" for seq in range(1, 7)]
    assert sent_at_once


def test_a_socket_that_fails_to_send_drops_its_frames_without_stopping_others() -> None:
    async def scenario() -> tuple[list[bool], list[str], bool]:
        async def broken(_frame: str) -> None:
            raise RuntimeError('Cannot call "send" once a close message has been sent.')

        healthy = Socket()
        ok = healthy.connection(1)
        gone = Connection(Member(2, "Gone", False), broken, healthy.close)
        offered = []
        for conn in (gone, ok):
            conn.release(0)
            offered.append(conn.offer(1, "frame 1"))
        offered.append(gone.offer(2, "frame 2"))
        return offered, healthy.frames, gone.gone

    offered, frames, gone = run_in_own_loop(scenario())

    assert offered == [True, True, True]
    assert (frames, gone) == (["frame 1"], True)


class DeafBroker:
    """Takes every message and hands none back (a broker that is slow, or down)."""

    def __init__(self) -> None:
        self.published: list[str] = []

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, _channel: str, message: str) -> None:
        self.published.append(message)

    async def publish_many(self, channel: str, messages: Sequence[str]) -> None:
        for message in messages:
            await self.publish(channel, message)

    @asynccontextmanager
    async def subscribe(self, _channel: str) -> AsyncIterator[AsyncIterator[Envelope]]:
        yield _nothing()


async def _nothing() -> AsyncIterator[Envelope]:
    await asyncio.Event().wait()
    yield Envelope("", "")  # pragma: no cover - never reached


def test_events_stored_here_reach_local_sockets_without_waiting_for_the_broker(
    db_factory: SessionFactory,
) -> None:
    async def scenario() -> tuple[list[str], int]:
        broker = DeafBroker()
        hub = RoomHub(broker, db_factory, FrozenClock(NOW), tick_seconds=60)
        socket = Socket()
        room = await join(hub, socket, 1)
        await hub.publish_events(room, [NumberedEvent(room.last_seq + 1, '{"type":"chat"}')])
        await hub.stop()
        return socket.frames, len([m for m in broker.published if m.startswith("e")])

    frames, published = run_in_own_loop(scenario())

    assert (frames, published) == (['{"type":"chat"}'], 1)


def test_a_send_that_blocks_and_then_fails_gives_the_socket_up() -> None:
    async def scenario() -> tuple[list[bool], bool]:
        gate = asyncio.Event()

        async def fails_once_unblocked(_frame: str) -> None:
            await gate.wait()
            raise RuntimeError("the peer went away")

        socket = Socket()
        conn = Connection(Member(1, "Leaving", False), fails_once_unblocked, socket.close)
        conn.release(0)
        offered = [conn.offer(1, "frame 1"), conn.offer(2, "frame 2")]  # blocked, then queued
        gate.set()
        await conn.drain()
        offered.append(conn.offer(3, "frame 3"))  # dropped: nothing left to write to
        await conn.stop()
        return offered, conn.gone

    offered, gone = run_in_own_loop(scenario())

    assert (offered, gone) == ([True, True, True], True)
