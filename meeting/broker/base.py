"""The broker seam: publish a message on a channel, subscribe to channels, in any process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Envelope:
    """One message as it arrived: which channel, and the text that was published."""

    channel: str
    message: str


class Broker(Protocol):
    """Publish/subscribe between server processes (one publish per room event, never per
    listener; each process fans out to its own connections)."""

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, channel: str, message: str) -> None: ...

    async def publish_many(self, channel: str, messages: Sequence[str]) -> None:
        """Publish several messages in order, in one round trip where the broker allows."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[Envelope]]: ...
