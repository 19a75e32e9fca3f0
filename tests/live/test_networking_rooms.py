"""Round tables, speed-mentoring rounds and mingle breakouts in real live rooms."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from meeting.clock import FrozenClock
from meeting.config import Settings
from meeting.db import SessionFactory, transaction
from meeting.enums import Role, SessionKind
from tests.conftest import import_document
from tests.factories import make_program, make_session, make_user, pacific
from tests.servers import login_cookie, open_room, receive_json, receive_until, thread_server

pytestmark = pytest.mark.integration

FELLOWS = [f"fellow{i}@example.org" for i in range(4)]
MENTORS = ["mentor0@example.org", "mentor1@example.org"]


@pytest.fixture
def rooms(settings: Settings, clock: FrozenClock, db_factory: SessionFactory) -> Iterator[str]:
    program = make_program()
    extra = (
        make_session(
            code="MENTOR",
            title="Blood Buddies speed mentoring",
            kind=SessionKind.MENTORING,
            start=pacific(5, 10),
            end=pacific(5, 11),
        ),
        make_session(
            code="MINGLE",
            title="Trainee Welcome Reception",
            kind=SessionKind.RECEPTION,
            start=pacific(5, 10),
            end=pacific(5, 11),
        ),
    )
    sessions = tuple(
        replace(s, capacity=1) if s.code == "LUNCH-T1" else s for s in program.sessions
    )
    import_document(db_factory, replace(program, sessions=(*sessions, *extra)))
    with transaction(db_factory) as db:
        for i, email in enumerate(FELLOWS):
            make_user(db, email=email, name=f"Fellow {i}", career_stage="fellow")
        for i, email in enumerate(MENTORS):
            make_user(db, email=email, name=f"Mentor {i}", career_stage="faculty")
        make_user(
            db, email="host@example.org", name="Host", career_stage="faculty", role=Role.MODERATOR
        )
    with thread_server(settings, clock) as base:
        yield base


def joined(stack: ExitStack, base: str, code: str, *emails: str) -> list[ClientConnection]:
    sockets = [
        stack.enter_context(open_room(base, code, login_cookie(base, email))) for email in emails
    ]
    for ws in sockets:
        receive_json(ws)
    return sockets


def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    ws.send(json.dumps(frame))


def test_round_table_one_table_at_a_time_with_seat_limits(rooms: str, clock: FrozenClock) -> None:
    clock.set(pacific(6, 11, 10))

    with ExitStack() as stack:
        alice, bob = joined(stack, rooms, "LUNCH", FELLOWS[0], FELLOWS[1])
        send(alice, {"type": "join_table", "code": "LUNCH-T1"})
        seen_by_bob = receive_until(bob, "occupancy")["tables"]
        send(bob, {"type": "join_table", "code": "LUNCH-T1"})
        full = receive_until(bob, "error")
        send(alice, {"type": "join_table", "code": "LUNCH-T2"})
        after_move = receive_until(bob, "occupancy")["tables"]

    assert [(t["code"], t["taken"], t["seats"], t["full"]) for t in seen_by_bob] == [
        ("LUNCH-T1", 1, 1, True),
        ("LUNCH-T2", 0, 8, False),
    ]
    assert (full["code"], full["message"]) == ("refused", "This table is full (1 of 1 seats).")
    assert [(t["code"], t["taken"]) for t in after_move] == [("LUNCH-T1", 0), ("LUNCH-T2", 1)]


def test_speed_mentoring_rounds_private_pairs_and_the_bell(rooms: str, clock: FrozenClock) -> None:
    clock.set(pacific(5, 10, 0))
    names = ["Fellow 0", "Fellow 1", "Mentor 0", "Mentor 1"]

    with ExitStack() as stack:
        people = joined(stack, rooms, "MENTOR", FELLOWS[0], FELLOWS[1], *MENTORS)
        (host,) = joined(stack, rooms, "MENTOR", "host@example.org")
        send(host, {"type": "rotation_start", "rounds": 2, "minutes": 5})
        first = receive_until(people[0], "breakout")
        my_pair = next(g for g in first["groups"] if "Fellow 0" in [p["name"] for p in g])
        partner = next(p["name"] for p in my_pair if p["name"] != "Fellow 0")
        outsider = people[1]
        send(people[0], {"type": "group_chat", "text": "hello partner"})
        private = receive_until(people[names.index(partner)], "group_chat")
        send(outsider, {"type": "ping"})
        outsider_saw = []
        while (frame := receive_json(outsider))["type"] != "pong":
            outsider_saw.append(frame["type"])
        clock.advance(timedelta(minutes=5))
        second = receive_until(people[0], "breakout")
        clock.advance(timedelta(minutes=5))
        ended = receive_until(people[0], "activity_ended")

    pairs = [{frozenset(p["name"] for p in g) for g in r["groups"]} for r in (first, second)]
    assert (first["round"], first["rounds"], second["round"], ended["activity"]) == (
        1,
        2,
        2,
        "rotation",
    )
    assert [len(g) for r in (first, second) for g in r["groups"]] == [2, 2, 2, 2]
    assert pairs[0].isdisjoint(pairs[1])  # no pair twice
    assert (private["user"]["name"], private["text"]) == ("Fellow 0", "hello partner")
    assert "group_chat" not in outsider_saw


def test_mingle_groups_and_reshuffle(rooms: str, clock: FrozenClock) -> None:
    clock.set(pacific(5, 10, 0))
    everyone = sorted(["Host", *(f"Fellow {i}" for i in range(4)), "Mentor 0", "Mentor 1"])

    with ExitStack() as stack:
        guests = joined(stack, rooms, "MINGLE", *FELLOWS, *MENTORS)
        (host,) = joined(stack, rooms, "MINGLE", "host@example.org")
        send(host, {"type": "mingle_start", "minutes": 10})
        first = receive_until(guests[0], "breakout")
        send(host, {"type": "mingle_shuffle"})
        second = receive_until(guests[0], "breakout")

    for grouping in (first, second):
        assert sorted(p["name"] for g in grouping["groups"] for p in g) == everyone
        assert all(3 <= len(g) <= 5 for g in grouping["groups"])
    assert (first["round"], second["round"]) == (1, 2)
