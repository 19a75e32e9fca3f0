"""Snapshots: a join storm reads the room once; any event or ballot makes the next read fresh."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, event

from meeting.broker.memory import MemoryBroker
from meeting.clock import FrozenClock
from meeting.db import SessionFactory, transaction
from meeting.live.connection import Connection, Member
from meeting.live.events import append_event
from meeting.live.hub import RoomHub
from meeting.live.rooms import RoomInfo
from tests.conftest import NOW
from tests.live.test_hub import Socket
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.integration


def test_a_join_storm_reads_the_room_once_until_something_happens(
    engine: Engine, db_factory: SessionFactory, plenary_room: RoomInfo
) -> None:
    info = plenary_room
    reads: list[int] = []
    event.listen(engine, "begin", lambda _conn: reads.append(1))

    async def scenario() -> tuple[list[dict[str, Any]], int, dict[str, Any], int]:
        hub = RoomHub(MemoryBroker(), db_factory, FrozenClock(NOW), tick_seconds=60)
        socket = Socket()
        conns = [socket.connection(user_id) for user_id in range(1, 31)]
        room = await hub.join(info, conns[0])
        observer = Socket()
        watching = observer.connection(1000)
        await hub.join(info, watching)
        watching.release(0)
        reads.clear()
        storm = []
        for conn in conns:
            await hub.join(info, conn)
            frame, _covered = await hub.snapshot(room, conn.member)
            storm.append(json.loads(frame))
        reads_in_storm = len(reads)
        with transaction(db_factory) as db:
            said = append_event(db, info.session_id, "chat", {"text": "hello"}, None, NOW)
        await hub.publish_events(room, [said])
        await observer.arrived.wait()  # the broker has delivered it to the room
        late_conn = Connection(Member(99, "Late", False), socket.send, socket.close)
        await hub.join(info, late_conn)
        late = json.loads((await hub.snapshot(room, late_conn.member))[0])
        await hub.stop()
        return storm, reads_in_storm, late, len(reads) - reads_in_storm

    storm, reads_in_storm, late, reads_after_chat = run_in_own_loop(scenario())

    assert reads_in_storm == 1
    assert [s["you"]["id"] for s in storm] == list(range(1, 31))
    assert {(s["last_event_id"], json.dumps(s["chat"])) for s in storm} == {(0, "[]")}
    assert reads_after_chat == 2  # the event's own write, then one read of the room
    assert (late["last_event_id"], [m["text"] for m in late["chat"]]) == (1, ["hello"])
