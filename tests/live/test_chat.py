"""Chat posts made at once are stored in one batch, in order, stored before published."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select

from meeting.db import SessionFactory, transaction
from meeting.errors import Refused
from meeting.live.chat import ChatDesk, ChatPost
from meeting.live.events import NumberedEvent, events_after
from meeting.live.models import Mute
from meeting.live.rooms import Actor
from meeting.program.models import Session
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_user
from tests.live.test_hub import run_in_own_loop

pytestmark = pytest.mark.integration


def test_posts_made_at_once_are_one_batch_in_order_and_the_muted_are_refused(
    engine: Engine, db_factory: SessionFactory
) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        room = db.scalars(select(Session.id).where(Session.code == "PLEN-01")).one()
        alice = Actor(make_user(db, name="Alice Adeyemi").id, "Alice Adeyemi", False)
        muted = Actor(make_user(db, name="Bob Sørensen").id, "Bob Sørensen", False)
        db.add(Mute(session_id=room, user_id=muted.user_id, created_at=NOW))
    writer = ThreadPoolExecutor(max_workers=1)
    hops: list[int] = []
    delivered: list[list[NumberedEvent]] = []
    published: list[list[NumberedEvent]] = []

    def counted(work: Callable[[], None]) -> object:
        hops.append(1)
        return writer.submit(work)

    async def publish(events: list[NumberedEvent]) -> None:
        published.append(events)

    async def scenario() -> list[str]:
        desk = ChatDesk(engine, room, counted, delivered.append, publish)
        posts = [ChatPost(alice, f"hello {i}", NOW) for i in range(5)]
        posts.insert(2, ChatPost(muted, "let me in", NOW))
        results = await asyncio.gather(*(desk.post(p) for p in posts), return_exceptions=True)
        await desk.post(ChatPost(alice, "later", NOW))
        await desk.close()
        return [r.message if isinstance(r, Refused) else "ok" for r in results]

    answers = run_in_own_loop(scenario())
    writer.shutdown()

    with transaction(db_factory, write=False) as db:
        stored = [json.loads(e.frame) for e in events_after(db, room, 0)]
    assert answers == ["ok", "ok", "a moderator has muted you in this room", "ok", "ok", "ok"]
    assert len(hops) == 3  # the first post is written at once; the others arrived meanwhile
    assert [[json.loads(e.frame)["text"] for e in batch] for batch in published] == [
        ["hello 0"],
        ["hello 1", "hello 2", "hello 3", "hello 4"],
        ["later"],
    ]
    assert delivered == published
    assert [(m["id"], m["text"]) for m in stored] == [
        (1, "hello 0"),
        (2, "hello 1"),
        (3, "hello 2"),
        (4, "hello 3"),
        (5, "hello 4"),
        (6, "later"),
    ]
