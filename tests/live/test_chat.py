"""Chat posts are stored in batches, in order, and delivered here before the broker hears."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from meeting.db import SessionFactory, transaction
from meeting.errors import Refused
from meeting.live.chat import ChatDesk, ChatPost
from meeting.live.events import NumberedEvent, events_after
from meeting.live.models import Mute, RoomEvent
from meeting.live.rooms import Actor
from meeting.program.models import Session
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_user
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Room:
    session_id: int
    alice: Actor
    muted: Actor


@pytest.fixture
def room(db_factory: SessionFactory) -> Room:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        session_id = db.scalars(select(Session.id).where(Session.code == "PLEN-01")).one()
        alice = Actor(make_user(db, name="Alice Adeyemi").id, "Alice Adeyemi", False)
        muted = Actor(make_user(db, name="Bob Sørensen").id, "Bob Sørensen", False)
        db.add(Mute(session_id=session_id, user_id=muted.user_id, created_at=NOW))
    return Room(session_id, alice, muted)


class Writer:
    """The desk's worker thread, counting the batches it is given."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.batches = 0

    def submit(self, work: Callable[[], None]) -> object:
        self.batches += 1
        return self.pool.submit(work)


@pytest.fixture
def writer() -> Iterator[Writer]:
    writer = Writer()
    yield writer
    writer.pool.shutdown()


def test_posts_made_together_are_one_batch_and_posts_made_meanwhile_the_next(
    engine: Engine, db_factory: SessionFactory, room: Room, writer: Writer
) -> None:
    delivered: list[list[NumberedEvent]] = []
    published: list[list[NumberedEvent]] = []

    async def publish(events: list[NumberedEvent]) -> None:
        published.append(events)

    async def scenario() -> list[str]:
        desk = ChatDesk(engine, room.session_id, writer.submit, delivered.append, publish)
        posts = [ChatPost(room.alice, f"hello {i}", NOW) for i in range(5)]
        posts.insert(2, ChatPost(room.muted, "let me in", NOW))
        results = await asyncio.gather(*(desk.post(p) for p in posts), return_exceptions=True)
        await desk.post(ChatPost(room.alice, "later", NOW))
        await desk.close()
        return [r.message if isinstance(r, Refused) else "ok" for r in results]

    answers = run_in_own_loop(scenario())

    with transaction(db_factory, write=False) as db:
        replayed = events_after(db, room.session_id, 0)
        last = db.scalars(select(RoomEvent).where(RoomEvent.seq == 6)).one()
    assert answers == ["ok", "ok", "a moderator has muted you in this room", "ok", "ok", "ok"]
    assert writer.batches == 2
    assert [[json.loads(e.frame)["text"] for e in batch] for batch in published] == [
        ["hello 0", "hello 1", "hello 2", "hello 3", "hello 4"],
        ["later"],
    ]
    assert delivered == published
    assert [e.frame for e in replayed] == [e.frame for batch in delivered for e in batch]
    assert [e.seq for e in replayed] == [1, 2, 3, 4, 5, 6]
    assert (last.type, last.payload, last.user_id, last.created_at) == (
        "chat",
        {"user": {"id": room.alice.user_id, "name": "Alice Adeyemi"}, "text": "later"},
        room.alice.user_id,
        NOW,
    )
    assert (last.hidden, last.audience) == (False, None)


def test_stored_posts_reach_this_process_at_once_and_the_poster_hears_once_published(
    engine: Engine, room: Room, writer: Writer
) -> None:
    async def scenario() -> tuple[list[str], bool, bool]:
        delivered = asyncio.Event()
        broker_up = asyncio.Event()
        seen: list[str] = []

        def deliver(events: list[NumberedEvent]) -> None:
            seen.extend(json.loads(e.frame)["text"] for e in events)
            delivered.set()

        async def publish(_events: list[NumberedEvent]) -> None:
            await broker_up.wait()

        desk = ChatDesk(engine, room.session_id, writer.submit, deliver, publish)
        posting = asyncio.create_task(desk.post(ChatPost(room.alice, "hello", NOW)))
        await asyncio.wait_for(delivered.wait(), 30)  # (a guard: delivery needs no broker)
        answered_before_the_broker = posting.done()
        broker_up.set()
        await posting
        await desk.close()
        return seen, answered_before_the_broker, posting.done()

    seen, answered_before_the_broker, answered = run_in_own_loop(scenario())

    assert seen == ["hello"]
    assert (answered_before_the_broker, answered) == (False, True)


def test_the_broker_hears_a_batch_before_this_process_broadcasts_it(
    engine: Engine, room: Room, writer: Writer
) -> None:
    order: list[str] = []

    def deliver(events: list[NumberedEvent]) -> None:
        order.append(f"broadcast {len(events)}")

    async def publish(events: list[NumberedEvent]) -> None:
        order.append(f"publish {len(events)}")  # a broker writes before its first await
        await asyncio.sleep(0.01)

    async def scenario() -> None:
        desk = ChatDesk(engine, room.session_id, writer.submit, deliver, publish)
        await asyncio.gather(*(desk.post(ChatPost(room.alice, f"hi {i}", NOW)) for i in range(3)))
        await desk.close()

    run_in_own_loop(scenario())

    assert order == ["publish 3", "broadcast 3"]


class GatedEngine:
    """The engine, except that the first batch's connection waits for `gate` (it says when
    it was asked for): the test decides what is posted while a batch is being stored."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.asked = threading.Event()
        self.gate = threading.Event()

    def connect(self) -> Connection:
        if not self.asked.is_set():
            self.asked.set()
            self.gate.wait(30)
        return self.engine.connect()


def stored_events(db_factory: SessionFactory, session_id: int) -> int:
    with transaction(db_factory, write=False) as db:
        return len(events_after(db, session_id, 0))


def events_after_blocking(db_factory: SessionFactory, session_id: int, wanted: int) -> int:
    """Block the caller (the test's event loop, on purpose) until the room has `wanted`
    events stored, or 10 s have passed; how many it has then."""
    deadline = time.monotonic() + 10
    while stored_events(db_factory, session_id) < wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    return stored_events(db_factory, session_id)


def test_posts_made_while_a_batch_is_stored_are_stored_next_without_the_loop(
    engine: Engine, db_factory: SessionFactory, room: Room, writer: Writer
) -> None:
    """A loop busy broadcasting the last batch (here: blocked) does not hold the next back."""

    async def publish(_events: list[NumberedEvent]) -> None:
        pass

    async def scenario() -> int:
        gated = GatedEngine(engine)
        desk = ChatDesk(
            cast(Engine, gated), room.session_id, writer.submit, lambda _e: None, publish
        )
        first = asyncio.create_task(desk.post(ChatPost(room.alice, "first", NOW)))
        await asyncio.to_thread(gated.asked.wait, 30)  # the first batch waits for its connection
        second = asyncio.create_task(desk.post(ChatPost(room.alice, "second", NOW)))
        await asyncio.sleep(0)  # the second post is queued
        gated.gate.set()
        stored_while_blocked = events_after_blocking(db_factory, room.session_id, 2)
        await asyncio.wait_for(asyncio.gather(first, second), 30)
        await desk.close()
        return stored_while_blocked

    assert run_in_own_loop(scenario()) == 2


def test_posts_with_no_writer_thread_left_hear_why_and_nothing_is_stored(
    engine: Engine, db_factory: SessionFactory, room: Room
) -> None:
    """The app is stopping and its writer threads are gone: posters are answered, not hung."""

    def no_thread(_work: Callable[[], None]) -> object:
        raise RuntimeError("cannot schedule new futures after shutdown")

    async def publish(_events: list[NumberedEvent]) -> None:
        pass

    async def scenario() -> list[str]:
        desk = ChatDesk(engine, room.session_id, no_thread, lambda _e: None, publish)
        posts = [desk.post(ChatPost(room.alice, f"bye {i}", NOW)) for i in range(2)]
        results = await asyncio.wait_for(asyncio.gather(*posts, return_exceptions=True), 10)
        await desk.close()
        return [str(r) for r in results]

    answers = run_in_own_loop(scenario())

    assert answers == ["cannot schedule new futures after shutdown"] * 2
    assert stored_events(db_factory, room.session_id) == 0


def test_a_publisher_that_fell_behind_catches_up_in_one_call(
    engine: Engine, room: Room, writer: Writer
) -> None:
    published: list[list[str]] = []
    broker_up = asyncio.Event()

    async def publish(events: list[NumberedEvent]) -> None:
        published.append([json.loads(e.frame)["text"] for e in events])
        await broker_up.wait()

    async def scenario() -> None:
        delivered = asyncio.Queue[list[NumberedEvent]]()
        desk = ChatDesk(engine, room.session_id, writer.submit, delivered.put_nowait, publish)
        posting = [asyncio.create_task(desk.post(ChatPost(room.alice, "first", NOW)))]
        await asyncio.wait_for(delivered.get(), 30)
        for text in ("second", "third"):  # stored while the first publish hangs
            posting.append(asyncio.create_task(desk.post(ChatPost(room.alice, text, NOW))))
            await asyncio.wait_for(delivered.get(), 30)
        broker_up.set()
        await asyncio.wait_for(asyncio.gather(*posting), 30)
        await desk.close()

    run_in_own_loop(scenario())

    assert published == [["first"], ["second", "third"]]


def test_a_batch_the_database_refuses_is_an_error_for_each_poster_and_goes_nowhere(
    engine: Engine, room: Room, writer: Writer
) -> None:
    delivered: list[list[NumberedEvent]] = []
    published: list[list[NumberedEvent]] = []

    async def publish(events: list[NumberedEvent]) -> None:
        published.append(events)

    async def scenario() -> list[type[BaseException] | None]:
        nowhere = room.session_id + 10_000  # no such session: the counter row cannot be made
        desk = ChatDesk(engine, nowhere, writer.submit, delivered.append, publish)
        posts = [ChatPost(room.alice, f"hello {i}", NOW) for i in range(3)]
        results = await asyncio.gather(*(desk.post(p) for p in posts), return_exceptions=True)
        await desk.close()
        return [type(r) if isinstance(r, BaseException) else None for r in results]

    errors = run_in_own_loop(scenario())

    assert errors == [IntegrityError, IntegrityError, IntegrityError]
    assert (delivered, published) == ([], [])
