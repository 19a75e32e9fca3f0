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
adds as little as it can around them. While no batch is being written, every post read in
one turn of the event loop goes into one batch, sent to a writer thread at the end of that
turn (no task, no checkpoint). The thread hands the stored events back in one callback and
goes on at once with everything posted meanwhile: when the loop started each next batch, a
loop busy broadcasting the last one held it back (in a room of 2,000 the thread stored a
batch in 12 to 25 ms, then waited 60 to 120 ms for the loop). Under load a batch holds what
arrived while the one before it was stored, and a message costs the database and the
thread hand-off a fraction of what one batch does. On PostgreSQL a batch is one statement
outside any explicit transaction (meeting/live/chat_statement.py says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
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
        self._lock = threading.Lock()
        """Guards `_queued` and `_writing`: posts come in on the loop, the thread takes them."""
        self._queued: list[_Waiting] = []
        self._writing = False
        """A batch is being written, or a write is about to start."""
        self._closed = False
        self._stored: deque[tuple[list[_Waiting], Results, list[NumberedEvent]]] = deque()
        self._publisher: asyncio.Task[None] | None = None

    async def post(self, post: ChatPost) -> None:
        """Returns once the post is stored and published; Refused when muted."""
        if self._closed:
            raise Refused("the room is closing")
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[None] = loop.create_future()
        stored.add_done_callback(_retrieved)  # a poster who left never looks at it
        with self._lock:
            self._queued.append(_Waiting(post, stored))
            start, self._writing = not self._writing, True
        if start:  # the posts read in this loop turn go together
            loop.call_soon(self._start_write, loop)
        await asyncio.shield(stored)  # a poster who leaves does not cancel the others' batch

    def _start_write(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give the next batch to a writer thread (from the loop, or from the thread that
        wrote the last one: it goes to the back of the queue, so busy rooms take turns)."""
        try:
            self.run_in_thread(lambda: self._write(loop))
        except Exception as error:  # no thread to write in (shutting down)
            with self._lock:
                batch, self._queued, self._writing = self._queued, [], False
            failed: Results = [error] * len(batch)
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
                loop.call_soon_threadsafe(self._answer, batch, failed)

    def _write(self, loop: asyncio.AbstractEventLoop) -> None:
        """In a writer thread: store what is queued, hand the outcome back to the loop, and
        start on what was posted meanwhile without waiting for the loop to take the outcome
        (a loop busy broadcasting the last batch to thousands would hold the next one back)."""
        with self._lock:
            if self._closed or not self._queued:  # what a closed desk queued, close() cancels
                self._writing = False
                return
            batch, self._queued = self._queued, []
        results: Results
        try:
            results = list(self._store([w.post for w in batch]))
        except Exception as error:  # the database failed: everyone in the batch hears so
            results = [error] * len(batch)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(self._written, batch, results)
        with self._lock:
            self._writing = bool(self._queued) and not self._closed
            more = self._writing
        if more:
            self._start_write(loop)

    def _written(self, batch: list[_Waiting], results: Results) -> None:
        """On the loop, in the order batches were stored: queue this batch's broker publish,
        then deliver it here (in the next callback, after the publisher's first step has
        written to the broker)."""
        if self._closed:
            self._cancel(batch)
            return
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
        with self._lock:
            queued, self._queued = self._queued, []
        self._cancel(queued)
