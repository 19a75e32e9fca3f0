"""RoomHub: each process's live rooms, fed by the broker, fanned out to local connections.

One broker publish per room event; every process (this one included) receives it once
and offers the same pre-serialised frame to each of its connections. Presence and
reactions are aggregated per process and exchanged on a tick (about once a second).
Event ids come from the database, so a process that sees a gap fetches the missing
events from there: ids stay ordered per room across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine

from meeting.broker import Broker, Envelope
from meeting.clock import Clock
from meeting.db import SessionFactory, transaction
from meeting.enums import RoomState
from meeting.live.activities import activity_deadline, advance_activity
from meeting.live.admission import Admissions
from meeting.live.chat import ChatDesk, ChatPost
from meeting.live.connection import Connection, Member
from meeting.live.events import NumberedEvent, events_after, last_event_id
from meeting.live.outbox import Outbox, prepared_frame
from meeting.live.protocol import CLOSE_TOO_SLOW
from meeting.live.rooms import Actor, RoomInfo, latest_poll_frame
from meeting.live.snapshot import RoomView, load_room_view, read_my_vote, snapshot_frame
from meeting.live.state import room_state

log = logging.getLogger(__name__)
T = TypeVar("T")

PRESENCE_NAMES_UP_TO = 50
PRESENCE_IDS_UP_TO = 5000
PRESENCE_TTL_TICKS = 3
PRESENCE_FRAMES_PER_TICK = 1000
"""About how many presence frames a process sends a room per tick: a room of thousands
hears its head count every few seconds, not every second (each frame is a socket write)."""
VIEW_READS = 5
"""Reads of a room's view while events keep overtaking it, before using the latest."""
CHAT_WRITERS = 4
"""Threads storing chat batches (one batch in flight per room): rooms write side by side."""
GAP_WAIT_S = 0.05
"""How long an event that came early waits for its predecessors on the broker before they
are read from the database."""


@dataclass
class LiveRoom:
    info: RoomInfo
    connections: set[Connection] = field(default_factory=set)
    last_seq: int = 0
    pending: dict[int, NumberedEvent] = field(default_factory=dict)
    presence: dict[str, tuple[int, list[tuple[int, str]], float]] = field(default_factory=dict)
    reactions: Counter[str] = field(default_factory=Counter)
    state: RoomState | None = None
    poll_dirty: bool = False
    last_presence: tuple[int, tuple[str, ...]] | None = None
    """The presence last sent to everyone here (arrivals get the same in their snapshot)."""
    ticks_since_presence: int = 0
    view: RoomView | None = None
    view_loader: asyncio.Task[None] | None = None
    poll_version: int = 0
    """Rises when ballots change (they make no event): a view of an older version is stale."""
    activity_ends_at: datetime | None = None
    """When the running activity's round ends (mentoring, mingle): the tick rings the bell."""
    desk: ChatDesk | None = None
    exit_stack: AsyncExitStack | None = None
    listener: asyncio.Task[None] | None = None
    gap_filler: asyncio.Task[None] | None = None

    @property
    def channel(self) -> str:
        return f"room:{self.info.session_id}"


class RoomHub:
    """The live rooms of this process."""

    def __init__(
        self,
        broker: Broker,
        sessions: SessionFactory,
        clock: Clock,
        *,
        tick_seconds: float = 1.0,
        presence_frames_per_tick: int = PRESENCE_FRAMES_PER_TICK,
        gap_wait_s: float = GAP_WAIT_S,
    ) -> None:
        self.broker = broker
        self.sessions = sessions
        self.engine = _engine_of(sessions)
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.presence_frames_per_tick = presence_frames_per_tick
        self.gap_wait_s = gap_wait_s
        self.process_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rooms: dict[int, LiveRoom] = {}
        self.admissions = Admissions(sessions, self.in_thread)
        self.outbox = Outbox()
        """Frames for sockets with a direct wire, written once per socket per flush."""
        self._join_lock = asyncio.Lock()
        self._ticker: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._chat_writers = ThreadPoolExecutor(CHAT_WRITERS, thread_name_prefix="chat-writer")
        """Chat's own threads (live/chat.py): a batch starts without waiting for a loop turn."""

    async def start(self) -> None:
        self._ticker = asyncio.create_task(self._tick_forever())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for room in list(self.rooms.values()):
            await self._close_room(room)
        await self.in_thread(self._chat_writers.shutdown)

    async def in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Database work off the event loop."""
        return await anyio.to_thread.run_sync(function, *args)

    # -- joining and leaving ---------------------------------------------------------------

    async def join(self, info: RoomInfo, conn: Connection) -> LiveRoom:
        async with self._join_lock:
            room = self.rooms.get(info.session_id)
            if room is None:
                room = LiveRoom(info)
                room.desk = ChatDesk(
                    self.engine,
                    info.session_id,
                    self._chat_writers.submit,
                    partial(self.deliver_events, room),
                    partial(self._publish_only, room),
                )
                room.last_seq = await self.in_thread(self._read_last_seq, info.session_id)
                room.activity_ends_at = await self.in_thread(self._read_deadline, info.session_id)
                room.state = room_state(info.start, info.end, self.clock.now())
                await self._subscribe(room)
                self.rooms[info.session_id] = room
            room.connections.add(conn)
        return room

    async def leave(self, room: LiveRoom, conn: Connection) -> None:
        async with self._join_lock:
            room.connections.discard(conn)
            if not room.connections and self.rooms.get(room.info.session_id) is room:
                # Tell the others we are gone before letting the room go.
                await self._publish_presence(room)
                del self.rooms[room.info.session_id]
                await self._close_room(room)

    def _read_deadline(self, session_id: int) -> datetime | None:
        with transaction(self.sessions, write=False) as db:
            return activity_deadline(db, session_id)

    def _read_last_seq(self, session_id: int) -> int:
        with transaction(self.sessions, write=False) as db:
            return last_event_id(db, session_id)

    # -- snapshots ---------------------------------------------------------------------------

    async def snapshot(self, room: LiveRoom, member: Member) -> tuple[str, int]:
        """A joined (still held) connection's snapshot frame and the event id it covers.

        Call after `join`: events delivered from then on are held by the connection, so a
        view at least as new as what this process has delivered leaves no gap.
        """
        view = await self._current_view(room)
        my_vote = None
        if view.open_poll_id is not None:
            my_vote = await self.in_thread(self._read_vote, view.open_poll_id, member.user_id)
        frame = snapshot_frame(
            view, room.info, member, self.clock.now(), self.presence_of(room), my_vote
        )
        return frame, view.last_event_id

    async def _current_view(self, room: LiveRoom) -> RoomView:
        """The room's view, read again only when an event or a ballot made it stale; one read
        serves every arrival waiting for it."""
        for _attempt in range(VIEW_READS):
            if (view := room.view) is not None and _fresh(view, room):
                return view
            if room.view_loader is None or room.view_loader.done():
                room.view_loader = asyncio.create_task(self._load_view(room))
            await asyncio.shield(room.view_loader)
        if room.view is None:  # pragma: no cover - the loader raised and said why
            raise RuntimeError(f"no view of {room.channel}")
        log.warning("%s: the database is behind the delivered events", room.channel)
        return room.view

    async def _load_view(self, room: LiveRoom) -> None:
        version = room.poll_version
        view = await self.in_thread(load_room_view_of, self.sessions, room.info.session_id)
        room.view = replace(view, poll_version=version)

    def _read_vote(self, poll_id: int, user_id: int) -> int | None:
        with transaction(self.sessions, write=False) as db:
            return read_my_vote(db, poll_id, user_id)

    def ballots_changed(self, room: LiveRoom) -> None:
        """A vote was cast here: results go out on the tick, and snapshots are read afresh."""
        room.poll_dirty = True
        room.poll_version += 1

    async def _subscribe(self, room: LiveRoom) -> None:
        stack = AsyncExitStack()
        messages = await stack.enter_async_context(self.broker.subscribe(room.channel))
        room.exit_stack = stack
        room.listener = asyncio.create_task(self._listen(room, messages))

    async def _close_room(self, room: LiveRoom) -> None:
        if room.desk is not None:
            await room.desk.close()
        for task in (room.listener, room.gap_filler, room.view_loader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if room.exit_stack is not None:
            await room.exit_stack.aclose()

    # -- publishing and receiving ------------------------------------------------------------

    async def post_chat(self, room: LiveRoom, actor: Actor, text: str) -> None:
        """Store and publish a chat message (batched with others posted meanwhile)."""
        if room.desk is None:  # pragma: no cover - rooms are made by join()
            raise RuntimeError(f"{room.channel} has no chat desk")
        await room.desk.post(ChatPost(actor, text, self.clock.now()))

    async def publish_events(self, room: LiveRoom, events: list[NumberedEvent]) -> None:
        """Deliver stored events to this process's sockets at once, then publish them for the
        other processes (our own copy comes back from the broker and is dropped by its id)."""
        self.deliver_events(room, events)
        await self._publish_only(room, events)

    def deliver_events(self, room: LiveRoom, events: list[NumberedEvent]) -> None:
        for event in events:
            self._on_event(room, event)

    async def _publish_only(self, room: LiveRoom, events: list[NumberedEvent]) -> None:
        await self.broker.publish_many(room.channel, [_event_message(e) for e in events])

    async def _listen(self, room: LiveRoom, messages: AsyncIterator[Envelope]) -> None:
        async for envelope in messages:
            try:
                self._dispatch(room, envelope.message)
            except Exception:
                log.exception("bad broker message on %s", room.channel)

    def _dispatch(self, room: LiveRoom, message: str) -> None:
        kind, body = message[:1], message[1:]
        if kind == "e":
            seq_text, audience_text, frame = body.split("\n", 2)
            audience = frozenset(map(int, audience_text.split(","))) if audience_text else None
            self._on_event(room, NumberedEvent(int(seq_text), frame, audience))
        elif kind == "p":
            data = json.loads(body)
            people = [(int(uid), str(name)) for uid, name in data["people"]]
            expires = time.monotonic() + self.tick_seconds * PRESENCE_TTL_TICKS
            room.presence[data["process"]] = (int(data["count"]), people, expires)
        elif kind == "r":
            self.broadcast(room, None, body)
        elif kind == "s":
            room.poll_version += 1  # someone voted, maybe on another process
            self.broadcast(room, None, body)

    def _on_event(self, room: LiveRoom, event: NumberedEvent) -> None:
        if event.seq <= room.last_seq:
            return
        room.pending[event.seq] = event
        self._deliver_in_order(room)
        if room.pending and (room.gap_filler is None or room.gap_filler.done()):
            room.gap_filler = asyncio.create_task(self._fill_gap(room))

    def _deliver_in_order(self, room: LiveRoom) -> None:
        while (event := room.pending.pop(room.last_seq + 1, None)) is not None:
            room.last_seq += 1
            self.broadcast(room, room.last_seq, event.frame, event.audience)
            self._watch_activity(room, event)
        for seq in [s for s in room.pending if s <= room.last_seq]:
            del room.pending[seq]

    async def _fill_gap(self, room: LiveRoom) -> None:
        """An event arrived ahead of its predecessors: they are in the database already, but
        usually just behind on the broker. The database is read only for a gap still open
        after `gap_wait_s`; one that closed meanwhile costs no read, even if a busy room has
        opened the next one since (that one gets its own wait)."""
        while room.pending:
            first_missing = room.last_seq + 1
            await asyncio.sleep(self.gap_wait_s)
            if room.last_seq >= first_missing:
                continue
            session_id = room.info.session_id
            missing = await self.in_thread(self._read_after, session_id, room.last_seq)
            for event in missing:
                room.pending.setdefault(event.seq, event)
            self._deliver_in_order(room)

    def _read_after(self, session_id: int, after: int) -> list[NumberedEvent]:
        with transaction(self.sessions, write=False) as db:
            return events_after(db, session_id, after)

    def broadcast(
        self, room: LiveRoom, seq: int | None, frame: str, audience: frozenset[int] | None = None
    ) -> None:
        """Offer one serialised frame to every local connection; cut off the too slow."""
        prepared = prepared_frame(frame)
        for conn in list(room.connections):
            if not conn.offer(seq, frame, audience, prepared):
                room.connections.discard(conn)
                task = asyncio.create_task(conn.close(CLOSE_TOO_SLOW, "too slow: frames piled up"))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    # -- the tick: presence, reactions, state, poll results ------------------------------------

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            for room in list(self.rooms.values()):
                try:
                    await self._tick(room)
                except Exception:
                    log.exception("tick failed for %s", room.channel)

    async def _tick(self, room: LiveRoom) -> None:
        await self._ring_bell(room)
        await self._publish_presence(room)
        self._send_presence(room)
        if room.reactions:
            counts, room.reactions = dict(room.reactions), Counter()
            frame = json.dumps({"type": "reactions", "counts": counts}, ensure_ascii=False)
            await self.broker.publish(room.channel, f"r{frame}")
        state = room_state(room.info.start, room.info.end, self.clock.now())
        if state != room.state:
            room.state = state
            self.broadcast(room, None, json.dumps({"type": "state", "state": state.value}))
        if room.poll_dirty:
            room.poll_dirty = False
            poll = await self.in_thread(self._read_poll, room.info.session_id)
            if poll is not None:
                await self.broker.publish(room.channel, f"s{poll}")

    async def _ring_bell(self, room: LiveRoom) -> None:
        """End the round when its time is up; the next round's event resets the deadline."""
        deadline = room.activity_ends_at
        if deadline is None or self.clock.now() < deadline:
            return
        room.activity_ends_at = None
        present = self.present_members(room)
        events = await self.in_thread(self._advance, room.info, present)
        await self.publish_events(room, events)

    def _advance(self, info: RoomInfo, present: dict[int, str]) -> list[NumberedEvent]:
        with transaction(self.sessions) as db:
            return advance_activity(db, info, present, self.clock.now())

    def _watch_activity(self, room: LiveRoom, event: NumberedEvent) -> None:
        if event.frame.startswith('{"type":"breakout"'):
            room.activity_ends_at = datetime.fromisoformat(json.loads(event.frame)["ends_at"])
        elif event.frame.startswith('{"type":"activity_ended"'):
            room.activity_ends_at = None

    def present_members(self, room: LiveRoom) -> dict[int, str]:
        """Everyone in the room now, across all processes (id -> name)."""
        now = time.monotonic()
        people: dict[int, str] = {}
        for process, (_count, listed, expires) in room.presence.items():
            if process != self.process_id and expires >= now:  # ours may be a tick old
                people.update(listed)
        people.update({c.member.user_id: c.member.name for c in room.connections})
        return people

    def _read_poll(self, session_id: int) -> str | None:
        with transaction(self.sessions, write=False) as db:
            return latest_poll_frame(db, session_id)

    async def _publish_presence(self, room: LiveRoom) -> None:
        people = {c.member.user_id: c.member.name for c in room.connections}
        listed = sorted(people.items())[:PRESENCE_IDS_UP_TO]
        expires = time.monotonic() + self.tick_seconds * PRESENCE_TTL_TICKS
        room.presence[self.process_id] = (
            len(people),
            listed,
            expires,
        )  # ours, without a round trip
        data = {"process": self.process_id, "count": len(people), "people": listed}
        await self.broker.publish(room.channel, "p" + json.dumps(data, ensure_ascii=False))

    def presence_of(self, room: LiveRoom) -> tuple[int, tuple[str, ...]]:
        """What the room was last told about presence (computed once per tick, not per join)."""
        if room.last_presence is None:
            room.last_presence = self._count_presence(room)
        return room.last_presence

    def _count_presence(self, room: LiveRoom) -> tuple[int, tuple[str, ...]]:
        """(people here across all processes, their names when at most 50)."""
        now = time.monotonic()
        for process in [p for p, (_c, _n, expires) in room.presence.items() if expires < now]:
            del room.presence[process]
        count = sum(c for c, _names, _exp in room.presence.values())
        names: dict[int, str] = {}
        for _count, people, _exp in room.presence.values():
            names.update(people)
        shown = tuple(sorted(names.values())) if len(names) <= PRESENCE_NAMES_UP_TO else ()
        return count, shown

    def _send_presence(self, room: LiveRoom) -> None:
        """At most one presence frame a tick, whatever the number of arrivals; fewer in rooms
        of more than `presence_frames_per_tick` people here."""
        room.ticks_since_presence += 1
        every = -(-len(room.connections) // self.presence_frames_per_tick)
        if room.ticks_since_presence < every:
            return
        presence = self._count_presence(room)
        if presence == room.last_presence:
            return
        room.ticks_since_presence = 0
        room.last_presence = presence
        count, names = presence
        frame = {"type": "presence", "count": count, "people": list(names) if names else None}
        self.broadcast(room, None, json.dumps(frame, ensure_ascii=False))


def _event_message(event: NumberedEvent) -> str:
    audience = ",".join(map(str, sorted(event.audience))) if event.audience else ""
    return f"e{event.seq}\n{audience}\n{event.frame}"


def _engine_of(sessions: SessionFactory) -> Engine:
    """The engine the sessions are bound to (chat writes on a bare connection from it)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the hub's sessions must be bound to an engine")
    return bind


def _fresh(view: RoomView, room: LiveRoom) -> bool:
    return view.last_event_id >= room.last_seq and view.poll_version == room.poll_version


def load_room_view_of(sessions: SessionFactory, session_id: int) -> RoomView:
    with transaction(sessions, write=False) as db:
        return load_room_view(db, session_id)
