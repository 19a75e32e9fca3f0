"""/ws/me: notices reach the person wherever their pages are open."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from meeting.clock import FrozenClock
from meeting.db import SessionFactory, transaction
from meeting.enums import Role
from tests.factories import make_user, pacific
from tests.live.conftest import People
from tests.servers import login_cookie, receive_json

pytestmark = pytest.mark.integration


def open_notices(base: str, cookie: str) -> ClientConnection:
    url = base.replace("http://", "ws://") + "/ws/me"
    return connect(url, origin=Origin(base), additional_headers={"Cookie": cookie}, open_timeout=10)


def test_moves_and_waitlist_promotions_are_pushed(
    server: str, people: People, db_factory: SessionFactory
) -> None:
    with transaction(db_factory) as db:
        make_user(db, email="org@example.org", name="Rahul Patel", role=Role.ORGANIZER)
    organizer = login_cookie(server, "org@example.org")
    api = {
        name: httpx.Client(base_url=server, headers={"Cookie": cookie})
        for name, cookie in {
            "alice": people.alice,
            "bob": people.bob,
            "mod": people.mod,
            "org": organizer,
        }.items()
    }
    for name in ("alice", "bob", "mod"):
        api[name].put("/api/me/agenda/WS-101")  # two seats: mod waits

    with (
        open_notices(server, people.mod) as mod_notices,
        open_notices(server, people.alice) as alice_notices,
    ):
        api["bob"].delete("/api/me/agenda/WS-101")
        promoted = receive_json(mod_notices)
        api["org"].patch("/api/sessions/WS-101", json={"start": "2020-12-05T07:30:00-08:00"})
        moved = receive_json(alice_notices)

    assert (promoted["kind"], promoted["code"]) == ("promoted", "WS-101")
    assert (moved["kind"], moved["code"], moved["after"]["start"]) == (
        "moved",
        "WS-101",
        "2020-12-05T15:30:00+00:00",
    )
    for client in api.values():
        client.close()


def test_starting_soon_is_announced(server: str, people: People, clock: FrozenClock) -> None:
    with httpx.Client(base_url=server, headers={"Cookie": people.alice}) as api:
        api.put("/api/me/agenda/LYM-201")  # 13:00 Pacific on 6 December
    clock.set(pacific(6, 12, 56))

    with open_notices(server, people.alice) as notices:
        frame = receive_json(notices)

    assert (frame["kind"], frame["code"]) == ("starting", "LYM-201")


def test_strangers_get_no_notice_socket(server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_notices(server, "meeting_session=forged")

    assert refused.value.response.status_code == 403
