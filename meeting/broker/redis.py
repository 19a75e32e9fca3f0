"""Redis pub/sub broker (`redis://host:port/db`): rooms shared by several processes or hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from meeting.broker.base import Envelope


class RedisBroker:
    """One connection publishes; each subscription holds its own pub/sub connection."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._redis: Redis | None = None

    async def connect(self) -> None:
        self._redis = Redis.from_url(self._url, decode_responses=True)
        await self._redis.ping()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    def _client(self) -> Redis:
        if self._redis is None:
            raise RuntimeError("RedisBroker.connect() was not called")
        return self._redis

    async def publish(self, channel: str, message: str) -> None:
        await self._client().publish(channel, message)

    async def publish_many(self, channel: str, messages: Sequence[str]) -> None:
        """One pipeline (no transaction): a chat batch reaches the other processes in one
        round trip, where a round trip each would hold their later events back."""
        if len(messages) == 1:
            await self.publish(channel, messages[0])
            return
        async with self._client().pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(channel, message)
            await pipe.execute()

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Envelope]]:
        pubsub = self._client().pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)
        try:
            yield _listen(pubsub)
        finally:
            await pubsub.unsubscribe(channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]


async def _listen(pubsub: PubSub) -> AsyncIterator[Envelope]:
    async for message in pubsub.listen():
        if message.get("type") == "message":
            yield Envelope(str(message["channel"]), str(message["data"]))
