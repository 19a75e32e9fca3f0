"""Under uvicorn (as `meeting serve` runs it) room sockets write prepared frames directly;
this fails if an upgrade of uvicorn or a new middleware hides the server's own send."""

from __future__ import annotations

import json

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
