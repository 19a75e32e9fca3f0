"""Chat posts, stored in batches: one transaction and one range of ids per batch.

Chat is the one frame a busy room sends many of. Each room has a desk: a post waits while
the batch before it is written in a worker thread, and everyone who posted meanwhile goes
into the next one. Ids are taken under the room's counter lock as for any event, and only
stored posts go out, in id order: on the broker (a batch in one round trip) and to this
process's sockets; each poster is answered once their batch is published. The publish is
sent before the local broadcast starts (unless an earlier batch's is still under way),
because the other processes deliver a room's events in id order: while their own later
events wait for ours, every millisecond of our broadcast would be theirs to wait too.

A busy room's cost is in its broadcasts (a thousand socket writes a message), so the desk
adds as little as it can around them: every post read in one turn of the event loop goes
into one batch, sent to the desk's worker thread at the end of that turn (no task, no
checkpoint); the thread hands the stored events back in one callback. Under load a batch
holds what arrived during the last broadcast, and a message costs the database and the
thread hand-off a fraction of what one batch does. On PostgreSQL a batch is one statement
outside any explicit transaction (meeting/live/chat_statement.py says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select

from meeting.db.prepared import PreparedRead
from meeting.errors import MeetingError, Refused
from meeting.live.chat_statement import MUTED, store_chat_batch
from meeting.live.events import NewEvent, NumberedEvent, append_event_rows
from meeting.live.models import Mute
from meeting.live.rooms import Actor

RunInThread = Callable[[Callable[[], None]], object]
"""Starts a function in a worker thread and returns at once (`Executor.submit`)."""
Deliver = Callable[[list[NumberedEvent]], None]
Publish = Callable[[list[NumberedEvent]], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatPost:
    actor: Actor
    text: str
    at: datetime


def store_chat(
    conn: Connection, session_id: int, new: list[NewEvent]
) -> list[NumberedEvent | MeetingError]:
    """Store the chat events of people not muted here, in order; the others are refused."""
    muted = {user_id for (user_id,) in _MUTED_HERE.rows(conn, {"room": session_id})}
    events = iter(append_event_rows(conn, session_id, [e for e in new if e.user_id not in muted]))
    return [Refused(MUTED) if event.user_id in muted else next(events) for event in new]


def chat_events(posts: list[ChatPost]) -> list[NewEvent]:
    return [
        NewEvent("chat", {"user": _author(p.actor), "text": p.text}, p.actor.user_id, p.at)
        for p in posts
    ]


_MUTED_HERE = PreparedRead(select(Mute.user_id).where(Mute.session_id == bindparam("room")))
"""Everyone muted in the room (a handful at most), read in the batch's transaction."""


def _retrieved(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _author(actor: Actor) -> dict[str, Any]:
    return {"id": actor.user_id, "name": actor.name}


@dataclass(frozen=True)
class _Waiting:
    post: ChatPost
    stored: asyncio.Future[None]


Results = list[NumberedEvent | BaseException]


class ChatDesk:
    """One room's chat: batches written one at a time, delivered and published in order."""

    def __init__(
        self,
        engine: Engine,
        session_id: int,
        run_in_thread: RunInThread,
        deliver: Deliver,
        publish: Publish,
    ) -> None:
        self.engine = engine
        self.session_id = session_id
        self.run_in_thread = run_in_thread
        self.deliver = deliver
        self.publish = publish
        self._waiting: list[_Waiting] = []
        self._writing = False
        """A batch is being written (or is about to be, at the end of this loop turn)."""
        self._closed = False
        self._stored: deque[tuple[list[_Waiting], Results, list[NumberedEvent]]] = deque()
        self._publisher: asyncio.Task[None] | None = None

    async def post(self, post: ChatPost) -> None:
        """Returns once the post is stored and published; Refused when muted."""
        if self._closed:
            raise Refused("the room is closing")
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        stored.add_done_callback(_retrieved)  # a poster who left never looks at it
        self._waiting.append(_Waiting(post, stored))
        if not self._writing:  # the posts read in this loop turn go together
            self._writing = True
            asyncio.get_running_loop().call_soon(self._write_waiting)
        await asyncio.shield(stored)  # a poster who leaves does not cancel the others' batch

    def _write_waiting(self) -> None:
        batch, self._waiting = self._waiting, []
        if self._closed or not batch:
            self._writing = False
            self._cancel(batch)
            return
        self._writing = True
        loop = asyncio.get_running_loop()
        try:
            self.run_in_thread(lambda: self._write(loop, batch))
        except Exception as error:  # no thread to write in (shutting down)
            self._writing = False
            self._answer(batch, [error] * len(batch))

    def _write(self, loop: asyncio.AbstractEventLoop, batch: list[_Waiting]) -> None:
        """In the worker thread: store, then hand the outcome back to the loop."""
        results: Results
        try:
            results = list(self._store([w.post for w in batch]))
        except Exception as error:  # the database failed: everyone in the batch hears so
            results = [error] * len(batch)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(self._written, batch, results)

    def _written(self, batch: list[_Waiting], results: Results) -> None:
        """On the loop: start writing the posts made meanwhile (the thread works while the
        loop broadcasts), queue this batch's broker publish, then deliver it here (in the
        next callback, after the publisher's first step has written to the broker)."""
        self._writing = False
        if self._closed:
            self._cancel(batch)
            return
        if self._waiting:  # posted meanwhile: written while this batch goes out
            self._write_waiting()
        events = [r for r in results if isinstance(r, NumberedEvent)]
        if not events:  # all refused, or the database failed: nothing to announce
            self._answer(batch, results)
            return
        self._stored.append((batch, results, events))
        if self._publisher is None:
            self._publisher = asyncio.create_task(self._publish_stored())
        asyncio.get_running_loop().call_soon(self._deliver, events)

    def _deliver(self, events: list[NumberedEvent]) -> None:
        if self._closed:
            return
        try:
            self.deliver(events)
        except Exception:  # a socket's trouble is the socket's; the broker still hears
            log.exception("delivering chat in room %s failed", self.session_id)

    async def _publish_stored(self) -> None:
        """Publish the stored batches in id order, all that wait in one call (however far
        behind the publisher fell, the broker is one round trip from catching up); then
        answer their posters."""
        try:
            while self._stored:
                taken = list(self._stored)
                failure: Exception | None = None
                try:
                    await self.publish([event for _b, _r, events in taken for event in events])
                except Exception as error:  # stored, but not announced: say so
                    failure = error
                for batch, results, _events in taken:
                    self._stored.popleft()
                    self._answer(batch, results if failure is None else [failure] * len(batch))
        finally:
            self._publisher = None

    def _answer(self, batch: list[_Waiting], results: Results) -> None:
        for waiting, result in zip(batch, results, strict=True):
            if waiting.stored.done():
                continue
            if isinstance(result, BaseException):
                waiting.stored.set_exception(result)
            else:
                waiting.stored.set_result(None)

    def _store(self, posts: list[ChatPost]) -> list[NumberedEvent | MeetingError]:
        # A bare connection: an ORM Session costs more to open and commit than the batch.
        new = chat_events(posts)
        if self.engine.dialect.name == "postgresql":
            autocommit = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with autocommit as conn:
                stored = store_chat_batch(conn, self.session_id, new)
            if stored is not None:
                return stored
        with self.engine.connect() as conn, conn.begin():  # a writer: BEGIN IMMEDIATE on SQLite
            return store_chat(conn, self.session_id, new)

    def _cancel(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            if not waiting.stored.done():
                waiting.stored.cancel()

    async def close(self) -> None:
        """Stop (the room is let go or the app stops): whoever still waits is cancelled."""
        self._closed = True
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
        for batch, _results, _events in self._stored:
            self._cancel(batch)
        self._stored.clear()
        self._cancel(self._waiting)
        self._waiting = []
