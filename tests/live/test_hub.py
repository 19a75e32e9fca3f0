"""The hub with the in-process broker: one slow consumer is cut off, the others get everything."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

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
        senders = [asyncio.create_task(c.run_sender()) for c in (fast, slow)]
        for seq in range(1, FRAMES + 1):
            await hub.publish_events(room, [NumberedEvent(seq, f'{{"id":{seq}}}')])
            if seq % 32 == 0:
                await asyncio.sleep(0)  # let the fast sender drain, as a real socket would
        await asyncio.sleep(0.05)
        for task in senders:
            task.cancel()
        await hub.stop()
        return received, closed

    # A thread of its own: Playwright's sync API may already run a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        received, closed = pool.submit(asyncio.run, scenario()).result()

    assert closed == [CLOSE_TOO_SLOW]
    assert received == [f'{{"id":{seq}}}' for seq in range(1, FRAMES + 1)]
