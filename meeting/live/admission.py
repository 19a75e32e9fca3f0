"""Admitting arrivals in batches: a join storm costs one thread hop and a few queries per
batch of arrivals instead of a transaction per person.

Arrivals wait while a batch is being decided in a worker thread; whoever arrived meanwhile
forms the next batch, so a lone arrival waits for one query and a crowd shares them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from meeting.db import SessionFactory, transaction
from meeting.errors import MeetingError
from meeting.live.access import Admitted, Door, RoomDirectory, admit_many

InThread = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class _Arrival:
    door: Door
    user_id: int
    decided: asyncio.Future[Admitted]


class Admissions:
    """The door of every room in this process."""

    def __init__(self, sessions: SessionFactory, in_thread: InThread) -> None:
        self.sessions = sessions
        self.in_thread = in_thread
        self.directory = RoomDirectory()
        self._waiting: list[_Arrival] = []
        self._worker: asyncio.Task[None] | None = None

    async def admit(self, door: Door, user_id: int) -> Admitted:
        """The room and the member, or NotFound / Refused with the reason."""
        decided: asyncio.Future[Admitted] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Arrival(door, user_id, decided))
        if self._worker is None:
            self._worker = asyncio.create_task(self._admit_waiting())
        return await decided

    async def _admit_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self.in_thread(self._decide, batch)
                except Exception as error:  # the database failed: everyone in it hears so
                    results = [error] * len(batch)
                for arrival, result in zip(batch, results, strict=True):
                    if arrival.decided.done():
                        continue  # gave up waiting (disconnected)
                    if isinstance(result, BaseException):
                        arrival.decided.set_exception(result)
                    else:
                        arrival.decided.set_result(result)
        finally:
            self._worker = None

    def _decide(self, batch: list[_Arrival]) -> list[Admitted | MeetingError]:
        by_door: dict[Door, list[int]] = {}
        for arrival in batch:
            by_door.setdefault(arrival.door, []).append(arrival.user_id)
        now = time.monotonic()
        with transaction(self.sessions, write=False) as db:
            decided = {
                door: iter(admit_many(db, self.directory, door, user_ids, now))
                for door, user_ids in by_door.items()
            }
        return [next(decided[arrival.door]) for arrival in batch]
