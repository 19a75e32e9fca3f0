"""Under uvicorn (as `meeting serve` runs it) room sockets write prepared frames directly;
this fails if an upgrade of uvicorn or a new middleware hides the server's own send."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time

import pytest
from starlette.applications import Starlette

from meeting.clock import FrozenClock
from meeting.config import Settings
from meeting.db import SessionFactory, transaction
from tests.conftest import import_document
from tests.factories import make_program, make_user
from tests.servers import login_cookie, open_room, receive_json, receive_until, thread_server

pytestmark = pytest.mark.integration

ROOM = "PLEN-01"


def test_room_sockets_under_uvicorn_use_the_direct_wire(
    settings: Settings, clock: FrozenClock, db_factory: SessionFactory
) -> None:
    import_document(db_factory, make_program())
    started: list[Starlette] = []
    with thread_server(settings, clock, started) as base:
        with transaction(db_factory) as db:
            make_user(db, email="alice@example.org", name="Alice Adeyemi")
            make_user(db, email="bob@example.org", name="Bob Sørensen")
        alice_cookie = login_cookie(base, "alice@example.org")
        bob_cookie = login_cookie(base, "bob@example.org")
        with open_room(base, ROOM, alice_cookie) as alice, open_room(base, ROOM, bob_cookie) as bob:
            receive_json(alice), receive_json(bob)
            for n in range(3):
                alice.send(json.dumps({"type": "chat", "text": f"hello {n}"}))
            seen_by_bob = [receive_until(bob, "chat")["text"] for _ in range(3)]
            hub = started[0].state.services.hub
            connections = [c for room in hub.rooms.values() for c in room.connections]
            direct = [c.direct for c in connections]

    assert direct == [True, True]
    assert seen_by_bob == ["hello 0", "hello 1", "hello 2"]


def _silent_member(base: str, cookie: str) -> socket.socket:
    """A member whose client completes the handshake and then never reads (a stalled tab)."""
    host, port = base.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET /ws/rooms/{ROOM} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {base}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    assert raw.recv(12) == b"HTTP/1.1 101"
    return raw


def test_a_member_who_stops_reading_is_cut_off_and_the_others_get_everything(
    settings: Settings, clock: FrozenClock, db_factory: SessionFactory
) -> None:
    import_document(db_factory, make_program())
    started: list[Starlette] = []
    frames, pad = 2000, "x" * 20_000  # 40 MB: more than any socket buffer holds
    with thread_server(settings, clock, started) as base:
        with transaction(db_factory) as db:
            make_user(db, email="alice@example.org", name="Alice Adeyemi")
            make_user(db, email="bob@example.org", name="Bob Sørensen")
        silent = _silent_member(base, login_cookie(base, "bob@example.org"))
        with open_room(base, ROOM, login_cookie(base, "alice@example.org")) as alice:
            receive_json(alice)
            hub = started[0].state.services.hub
            room = next(iter(hub.rooms.values()))
            deadline = time.monotonic() + 10
            while (len(room.connections) < 2 or not all(c.primed for c in room.connections)) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.02)

            async def pour() -> None:
                for n in range(frames):
                    hub.broadcast(room, None, json.dumps({"type": "bulk", "n": n, "pad": pad}))
                    if n % 5 == 0:
                        await asyncio.sleep(0.005)  # 20 MB/s: a reader keeps up, Bob cannot

            assert room.listener is not None
            loop = room.listener.get_loop()  # the server's event loop
            poured = asyncio.run_coroutine_threadsafe(pour(), loop)
            seen = [receive_until(alice, "bulk", timeout=30)["n"] for _ in range(frames)]
            poured.result(timeout=30)
            left = [c.member.name for c in room.connections]
        silent.close()

    assert seen == list(range(frames))
    assert left == ["Alice Adeyemi"]
