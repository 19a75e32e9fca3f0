"""PostgreSQL stores a chat batch in one statement: muted posts refused, ids never shared."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from meeting.db import SessionFactory, transaction
from meeting.errors import MeetingError, Refused
from meeting.live.chat import ChatPost, chat_events
from meeting.live.chat_statement import MUTED, store_chat_batch
from meeting.live.events import NewEvent, NumberedEvent, append_event, events_after
from meeting.live.models import Mute, RoomEvent
from meeting.live.rooms import Actor
from meeting.program.models import Session
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


def chat(user_id: int, text: str, seconds: int = 0) -> NewEvent:
    """The chat event the desk would make of this post."""
    actor = Actor(user_id, f"User {user_id}", False)
    (event,) = chat_events([ChatPost(actor, text, NOW + timedelta(seconds=seconds))])
    return event


def store(
    engine: Engine, room: int, posts: list[NewEvent]
) -> list[NumberedEvent | MeetingError] | None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return store_chat_batch(conn, room, posts)


@pytest.fixture
def room_and_people(db_factory: SessionFactory) -> tuple[int, int, int]:
    """A room with one event already (so its counter exists), Alice, and Bob (muted)."""
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        room = db.scalars(select(Session.id).where(Session.code == "PLEN-01")).one()
        alice, bob = make_user(db, name="Alice").id, make_user(db, name="Bob").id
        db.add(Mute(session_id=room, user_id=bob, created_at=NOW))
        append_event(db, room, "state", {"state": "live"}, None, NOW)
    return room, alice, bob


def test_a_batch_is_numbered_after_the_room_and_muted_posts_are_refused_in_place(
    engine: Engine, db_factory: SessionFactory, room_and_people: tuple[int, int, int]
) -> None:
    room, alice, bob = room_and_people
    posts = [chat(alice, "one"), chat(bob, "let me in"), chat(alice, "two", 1)]

    results = store(engine, room, posts)

    assert results is not None
    assert isinstance(results[1], Refused)
    assert results[1].message == MUTED
    first, third = results[0], results[2]
    assert isinstance(first, NumberedEvent)
    assert isinstance(third, NumberedEvent)
    assert (first.seq, third.seq) == (2, 3)
    assert json.loads(third.frame) == {
        "type": "chat",
        "id": 3,
        "at": (NOW + timedelta(seconds=1)).isoformat(),
        "user": {"id": alice, "name": f"User {alice}"},
        "text": "two",
    }
    with transaction(db_factory, write=False) as db:
        stored = db.scalars(select(RoomEvent).where(RoomEvent.seq == 3)).one()
        replayed = events_after(db, room, 1)
    assert (stored.type, stored.user_id, stored.created_at, stored.payload["text"]) == (
        "chat",
        alice,
        NOW + timedelta(seconds=1),
        "two",
    )
    assert (stored.hidden, stored.audience) == (False, None)
    assert [e.frame for e in replayed] == [first.frame, third.frame]


def test_nothing_is_stored_without_a_counter_row_or_when_everyone_is_muted(
    engine: Engine, db_factory: SessionFactory, room_and_people: tuple[int, int, int]
) -> None:
    room, _alice, bob = room_and_people
    with transaction(db_factory) as db:
        other = db.scalars(select(Session.id).where(Session.code != "PLEN-01")).first()
    assert other is not None

    assert store(engine, other, [chat(bob, "first ever")]) is None
    assert store(engine, room, [chat(bob, "still muted")]) is None
    assert store(engine, room, []) == []
    with transaction(db_factory, write=False) as db:
        assert db.scalars(select(RoomEvent.seq).order_by(RoomEvent.seq)).all() == [1]


def test_batches_written_side_by_side_share_no_id_and_leave_no_gap(
    engine: Engine, db_factory: SessionFactory, room_and_people: tuple[int, int, int]
) -> None:
    room, alice, _bob = room_and_people
    batches = [[chat(alice, f"{writer}-{n}") for n in range(5)] for writer in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda batch: store(engine, room, batch), batches))

    seqs = [e.seq for batch in results for e in batch or [] if isinstance(e, NumberedEvent)]
    assert sorted(seqs) == list(range(2, 2 + 40 * 5))
    for batch in results:
        assert batch is not None
        numbers = [e.seq for e in batch if isinstance(e, NumberedEvent)]
        assert numbers == list(range(numbers[0], numbers[0] + 5))  # a batch is one range
    with transaction(db_factory, write=False) as db:
        texts = {e.seq: json.loads(e.frame)["text"] for e in events_after(db, room, 1)}
    assert len(texts) == 200
