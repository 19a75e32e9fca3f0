"""create_broker(url): the backend is chosen by the URL's scheme and imported only then."""

from __future__ import annotations

from meeting.broker.base import Broker, Envelope


def create_broker(url: str) -> Broker:
    if url.startswith("memory://"):
        from meeting.broker.memory import MemoryBroker  # lazy: no backend is imported unused

        return MemoryBroker()
    if url.startswith(("redis://", "rediss://")):
        from meeting.broker.redis import RedisBroker  # lazy: needs the redis package only here

        return RedisBroker(url)
    raise ValueError(f"unknown broker URL {url!r}: use memory:// or redis://host:port/0")


__all__ = ["Broker", "Envelope", "create_broker"]
