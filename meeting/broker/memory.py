"""The in-process broker (`memory://`): the demo's and the tests' default, and a real one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from meeting.broker.base import Envelope


class MemoryBroker:
    """Every subscriber of a channel gets every message published on it, in order."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Envelope]]] = {}

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, message: str) -> None:
        envelope = Envelope(channel, message)
        for queue in self._subscribers.get(channel, ()):
            queue.put_nowait(envelope)

    async def publish_many(self, channel: str, messages: Sequence[str]) -> None:
        for message in messages:
            await self.publish(channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Envelope]]:
        queue: asyncio.Queue[Envelope] = asyncio.Queue()
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield _drain(queue)
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]


async def _drain(queue: asyncio.Queue[Envelope]) -> AsyncIterator[Envelope]:
    while True:
        yield await queue.get()
