"""Both brokers keep a channel's messages in order, one at a time or several in one call."""

from __future__ import annotations

import asyncio

import pytest

from meeting.broker.base import Broker
from meeting.broker.memory import MemoryBroker
from meeting.broker.redis import RedisBroker
from tests.loops import run_in_own_loop

CHANNEL = "room:test-brokers"


async def _heard(broker: Broker, batches: list[list[str]]) -> list[str]:
    """Publish `batches` (a publish_many each) and return what a subscriber heard."""
    await broker.connect()
    try:
        async with broker.subscribe(CHANNEL) as messages:
            for batch in batches:
                await broker.publish_many(CHANNEL, batch)
            wanted = sum(map(len, batches))
            heard: list[str] = []
            async with asyncio.timeout(5):
                async for envelope in messages:
                    heard.append(envelope.message)
                    if len(heard) == wanted:
                        break
            return heard
    finally:
        await broker.close()


BATCHES = [["e1\n\n{}", "e2\n\n{}", "e3\n7,9\n{}"], ["e4\n\n{}"], ["e5\n\nline\nbreak", "e6\n\n{}"]]


def test_the_memory_broker_keeps_batches_in_order() -> None:
    heard = run_in_own_loop(_heard(MemoryBroker(), BATCHES))

    assert heard == [m for batch in BATCHES for m in batch]


@pytest.mark.integration
def test_redis_publishes_a_batch_in_one_pipeline_in_order(redis_url: str) -> None:
    heard = run_in_own_loop(_heard(RedisBroker(redis_url), BATCHES))

    assert heard == [m for batch in BATCHES for m in batch]
