"""Chat posts, stored in batches: one transaction and one range of ids per batch.

Chat is the one frame a busy room sends many of. Each room has a desk: a post waits while
the batch before it is written in a worker thread, and everyone who posted meanwhile goes
into the next one. Ids are taken under the room's counter lock as for any event, the batch
is published in id order, and only then is each poster answered: stored before published.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session as DbSession

from meeting.db import SessionFactory, transaction
from meeting.errors import MeetingError, Refused
from meeting.live.events import NewEvent, NumberedEvent, append_events
from meeting.live.models import Mute
from meeting.live.rooms import Actor

InThread = Callable[..., Awaitable[Any]]
Publish = Callable[[list[NumberedEvent]], Awaitable[None]]


@dataclass(frozen=True)
class ChatPost:
    actor: Actor
    text: str
    at: datetime


def store_chat(
    db: DbSession, session_id: int, posts: list[ChatPost]
) -> list[NumberedEvent | MeetingError]:
    """Store the posts of people not muted here, in order; the others are refused."""
    authors = sorted({post.actor.user_id for post in posts})
    muted = set(
        db.connection().execute(_MUTED_AMONG, {"room": session_id, "users": authors}).scalars()
    )
    kept = [post for post in posts if post.actor.user_id not in muted]
    events = iter(
        append_events(
            db,
            session_id,
            [
                NewEvent("chat", {"user": _author(p.actor), "text": p.text}, p.actor.user_id, p.at)
                for p in kept
            ],
        )
    )
    return [
        Refused("a moderator has muted you in this room")
        if post.actor.user_id in muted
        else next(events)
        for post in posts
    ]


_MUTED_AMONG = select(Mute.user_id).where(
    Mute.session_id == bindparam("room"), Mute.user_id.in_(bindparam("users", expanding=True))
)


def _retrieved(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _author(actor: Actor) -> dict[str, Any]:
    return {"id": actor.user_id, "name": actor.name}


@dataclass(frozen=True)
class _Waiting:
    post: ChatPost
    stored: asyncio.Future[None]


class ChatDesk:
    """One room's chat: batches written one at a time, published in order."""

    def __init__(
        self, sessions: SessionFactory, session_id: int, in_thread: InThread, publish: Publish
    ) -> None:
        self.sessions = sessions
        self.session_id = session_id
        self.in_thread = in_thread
        self.publish = publish
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def post(self, post: ChatPost) -> None:
        """Returns once the post is stored and published; Refused when muted."""
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        stored.add_done_callback(_retrieved)  # a poster who left never looks at it
        self._waiting.append(_Waiting(post, stored))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        await asyncio.shield(stored)  # a poster who leaves does not cancel the others' batch

    async def _write_waiting(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self.in_thread(self._store, [w.post for w in batch])
                except Exception as error:  # the database failed: everyone in the batch hears so
                    results = [error] * len(batch)
                try:
                    await self.publish([r for r in results if isinstance(r, NumberedEvent)])
                except Exception as error:  # stored, but not announced: say so
                    results = [error] * len(batch)
                for waiting, result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        waiting.stored.set_exception(result)
                    else:
                        waiting.stored.set_result(None)
        finally:
            self._writer = None
            for waiting in [*batch, *self._waiting]:  # closed meanwhile (the app stops)
                if not waiting.stored.done():
                    waiting.stored.cancel()

    def _store(self, posts: list[ChatPost]) -> list[NumberedEvent | MeetingError]:
        with transaction(self.sessions) as db:
            return store_chat(db, self.session_id, posts)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
