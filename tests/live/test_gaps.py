"""Events that reach a process out of order: the broker usually closes the gap, the
database closes the rest, and every socket sees each event once, in id order."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, event

from meeting.broker.memory import MemoryBroker
from meeting.clock import FrozenClock
from meeting.db import SessionFactory, transaction
from meeting.live.events import NewEvent, NumberedEvent, append_events
from meeting.live.hub import LiveRoom, RoomHub
from meeting.live.rooms import RoomInfo
from tests.conftest import NOW
from tests.live.test_hub import Socket
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.integration

WAIT = 0.5
"""The hub's gap wait here: long, so that a slow machine's timers cannot blur the steps."""


def _store(db_factory: SessionFactory, info: RoomInfo, count: int) -> list[NumberedEvent]:
    """Events another process stored (and published, or not)."""
    with transaction(db_factory) as db:
        new = [NewEvent("chat", {"text": f"hi {i}"}, None, NOW) for i in range(count)]
        return append_events(db, info.session_id, new)


async def _listening(
    broker: MemoryBroker, db_factory: SessionFactory, info: RoomInfo
) -> tuple[RoomHub, LiveRoom, Socket]:
    """A hub (waiting `WAIT` for gaps) with one member joined to the room."""
    hub = RoomHub(broker, db_factory, FrozenClock(NOW), tick_seconds=60, gap_wait_s=WAIT)
    socket = Socket()
    conn = socket.connection(1)
    room = await hub.join(info, conn)
    conn.release(room.last_seq)
    return hub, room, socket


def _message(stored: NumberedEvent) -> str:
    return f"e{stored.seq}\n\n{stored.frame}"


def test_a_gap_the_broker_never_closes_is_read_from_the_database(
    db_factory: SessionFactory, plenary_room: RoomInfo
) -> None:
    info = plenary_room

    async def scenario() -> tuple[list[str], list[str]]:
        broker = MemoryBroker()
        hub, room, socket = await _listening(broker, db_factory, info)
        stored = _store(db_factory, info, 3)
        await broker.publish(room.channel, _message(stored[2]))  # 1 and 2 never come
        await asyncio.sleep(WAIT * 2.5)
        await hub.stop()
        return socket.frames, [e.frame for e in stored]

    frames, stored = run_in_own_loop(scenario())

    assert frames == stored


def test_a_gap_the_broker_closes_in_time_costs_no_database_read(
    engine: Engine, db_factory: SessionFactory, plenary_room: RoomInfo
) -> None:
    info = plenary_room
    reads: list[int] = []

    async def scenario() -> tuple[list[str], list[str]]:
        broker = MemoryBroker()
        hub, room, socket = await _listening(broker, db_factory, info)
        stored = _store(db_factory, info, 4)
        event.listen(engine, "begin", lambda _conn: reads.append(1))
        # The first gap closes at once; the second opens just before the first wait ends
        # and closes within the next one.
        for index, after in ((1, 0.1), (0, 0.7), (3, 0.4), (2, 0.0)):
            await broker.publish(room.channel, _message(stored[index]))
            await asyncio.sleep(WAIT * after)
        await asyncio.sleep(WAIT * 1.5)
        await hub.stop()
        return socket.frames, [e.frame for e in stored]

    frames, stored = run_in_own_loop(scenario())

    assert frames == stored
    assert reads == []
