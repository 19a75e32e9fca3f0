"""Real `meeting serve` processes: two sharing Redis and one database, and a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from meeting.db import SessionFactory, transaction
from tests.conftest import import_document
from tests.factories import make_program, make_user
from tests.servers import login_cookie, open_room, process_server, receive_json, receive_until

pytestmark = pytest.mark.integration

ROOM = "PLEN-01"


def server_env(database_url: str, broker_url: str) -> dict[str, str]:
    return {
        "MEETING_DATABASE_URL": database_url,
        "MEETING_BROKER_URL": broker_url,
        "MEETING_SECRET_KEY": "shared-by-every-process",
        "MEETING_CLOCK_START": "2020-12-05T10:20:00-08:00",
        "MEETING_DEFAULT_MEETING": "test-2020",
    }


@pytest.fixture
def two_servers(
    database_url: str, redis_url: str, db_factory: SessionFactory, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        make_user(db, email="alice@example.org", name="Alice Adeyemi")
        make_user(db, email="bob@example.org", name="Bob Sørensen")
    env = server_env(database_url, redis_url)
    with ExitStack() as stack:
        first = stack.enter_context(process_server(env, tmp_path / "one.log"))
        second = stack.enter_context(process_server(env, tmp_path / "two.log"))
        yield first, second


def test_a_message_posted_on_one_process_reaches_the_other(two_servers: tuple[str, str]) -> None:
    one, two = two_servers
    alice, bob = login_cookie(one, "alice@example.org"), login_cookie(two, "bob@example.org")

    with open_room(one, ROOM, alice) as on_one, open_room(two, ROOM, bob) as on_two:
        receive_json(on_one), receive_json(on_two)
        on_one.send(json.dumps({"type": "chat", "text": "across processes"}))
        message = receive_until(on_two, "chat")
        while (presence := receive_until(on_two, "presence"))["count"] != 2:
            pass
        on_two.send(json.dumps({"type": "chat", "text": "and back"}))
        reply = receive_until(on_one, "chat")
        reply = receive_until(on_one, "chat") if reply["text"] == "across processes" else reply

    assert (message["id"], message["text"]) == (1, "across processes")
    assert (reply["id"], reply["text"]) == (2, "and back")
    assert sorted(presence["people"]) == ["Alice Adeyemi", "Bob Sørensen"]


def test_posts_on_both_processes_reach_everyone_once_and_in_id_order(
    two_servers: tuple[str, str],
) -> None:
    one, two = two_servers
    alice, bob = login_cookie(one, "alice@example.org"), login_cookie(two, "bob@example.org")

    with open_room(one, ROOM, alice) as on_one, open_room(two, ROOM, bob) as on_two:
        receive_json(on_one), receive_json(on_two)
        for i in range(5):  # both processes write and publish at once
            on_one.send(json.dumps({"type": "chat", "text": f"alice {i}"}))
            on_two.send(json.dumps({"type": "chat", "text": f"bob {i}"}))
        seen_on_one = [receive_until(on_one, "chat") for _ in range(10)]
        seen_on_two = [receive_until(on_two, "chat") for _ in range(10)]

    assert [m["id"] for m in seen_on_one] == list(range(1, 11))
    assert seen_on_two == seen_on_one
    assert sorted(m["text"] for m in seen_on_one) == sorted(
        [f"alice {i}" for i in range(5)] + [f"bob {i}" for i in range(5)]
    )
    assert [m["text"] for m in seen_on_one if m["text"].startswith("bob")] == [
        f"bob {i}" for i in range(5)
    ]


def test_reconnecting_to_the_other_process_resumes_without_a_gap(
    two_servers: tuple[str, str],
) -> None:
    one, two = two_servers
    alice, bob = login_cookie(one, "alice@example.org"), login_cookie(one, "bob@example.org")

    with open_room(one, ROOM, bob) as bob_ws:
        receive_json(bob_ws)
        with open_room(one, ROOM, alice) as alice_ws:
            receive_json(alice_ws)
            bob_ws.send(json.dumps({"type": "chat", "text": "one"}))
            last_seen = receive_until(alice_ws, "chat")["id"]
        for text in ("two", "three"):
            bob_ws.send(json.dumps({"type": "chat", "text": text}))
            receive_until(bob_ws, "chat")
        with open_room(two, ROOM, alice, last_event_id=last_seen) as alice_again:
            missed = [receive_until(alice_again, "chat") for _ in range(2)]
            bob_ws.send(json.dumps({"type": "chat", "text": "four"}))
            live = receive_until(alice_again, "chat")

    assert [(m["id"], m["text"]) for m in [*missed, live]] == [
        (2, "two"),
        (3, "three"),
        (4, "four"),
    ]


def test_nothing_accepted_is_lost_across_a_restart(
    database_url: str, db_factory: SessionFactory, tmp_path: Path
) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        make_user(db, email="alice@example.org", name="Alice Adeyemi")
    env = server_env(database_url, "memory://")

    with (
        process_server(env, tmp_path / "before.log") as base,
        open_room(base, ROOM, login_cookie(base, "alice@example.org")) as ws,
    ):
        receive_json(ws)
        ws.send(json.dumps({"type": "chat", "text": "before the restart"}))
        ws.send(json.dumps({"type": "ask", "text": "Will this survive?"}))
        receive_until(ws, "question")
    with (
        process_server(env, tmp_path / "after.log") as base,
        open_room(base, ROOM, login_cookie(base, "alice@example.org")) as ws,
    ):
        snapshot = receive_json(ws)

    assert [m["text"] for m in snapshot["chat"]] == ["before the restart"]
    assert [q["text"] for q in snapshot["questions"]] == ["Will this survive?"]
    assert snapshot["last_event_id"] == 2


def test_lobby_occupancy_is_the_same_on_both_processes(
    database_url: str, redis_url: str, db_factory: SessionFactory, tmp_path: Path
) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        make_user(db, email="alice@example.org", name="Alice Adeyemi")
        make_user(db, email="bob@example.org", name="Bob Sørensen")
    env = {
        **server_env(database_url, redis_url),
        "MEETING_CLOCK_START": "2020-12-06T11:10:00-08:00",
    }

    with ExitStack() as stack:
        one = stack.enter_context(process_server(env, tmp_path / "one.log"))
        two = stack.enter_context(process_server(env, tmp_path / "two.log"))
        alice = stack.enter_context(open_room(one, "LUNCH", login_cookie(one, "alice@example.org")))
        bob = stack.enter_context(open_room(two, "LUNCH", login_cookie(two, "bob@example.org")))
        receive_json(alice), receive_json(bob)
        alice.send(json.dumps({"type": "join_table", "code": "LUNCH-T1"}))
        seen_on_two = receive_until(bob, "occupancy")["tables"]
        bob.send(json.dumps({"type": "join_table", "code": "LUNCH-T1"}))
        own = receive_until(alice, "occupancy")  # alice's own move comes back first
        seen_on_one = receive_until(alice, "occupancy")

    assert [(t["code"], t["taken"]) for t in seen_on_two] == [("LUNCH-T1", 1), ("LUNCH-T2", 0)]
    assert own["tables"] == seen_on_two
    assert [(t["code"], t["taken"]) for t in seen_on_one["tables"]] == [
        ("LUNCH-T1", 2),
        ("LUNCH-T2", 0),
    ]
