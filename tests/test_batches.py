"""ThreadBatcher: asks that arrive while a batch is being worked on share the next one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from meeting.db.batches import ThreadBatcher
from tests.loops import run_in_own_loop


class Doubler:
    """Work that records each batch and can be held until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, asks: Sequence[int]) -> list[int]:
        self.batches.append(list(asks))
        self.release.wait(5)
        if any(ask < 0 for ask in asks):
            raise ValueError("negative")
        return [ask * 2 for ask in asks]


async def _until(condition: object) -> None:
    for _ in range(500):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def test_asks_arriving_during_a_batch_share_the_next_one() -> None:
    work = Doubler()
    batcher = ThreadBatcher(work, lanes=1)

    async def scenario() -> list[int]:
        work.release.clear()
        first = asyncio.create_task(batcher.submit(1))
        await _until(lambda: work.batches)
        rest = [asyncio.create_task(batcher.submit(n)) for n in range(2, 12)]
        await asyncio.sleep(0.05)
        work.release.set()
        return await asyncio.gather(first, *rest)

    answers = run_in_own_loop(scenario())

    assert answers == [n * 2 for n in range(1, 12)]
    assert work.batches == [[1], list(range(2, 12))]


def test_batches_are_capped_and_lanes_run_side_by_side() -> None:
    work = Doubler()
    batcher = ThreadBatcher(work, lanes=2, max_batch=3)

    async def scenario() -> list[int]:
        work.release.clear()
        tasks = [asyncio.create_task(batcher.submit(n)) for n in range(8)]
        await _until(lambda: len(work.batches) == 2)  # both lanes busy at once
        work.release.set()
        return await asyncio.gather(*tasks)

    assert run_in_own_loop(scenario()) == [n * 2 for n in range(8)]
    assert sorted(len(batch) for batch in work.batches) == [2, 3, 3]


def test_a_failed_batch_fails_its_own_asks_only() -> None:
    work = Doubler()
    batcher = ThreadBatcher(work, lanes=1)

    async def scenario() -> tuple[list[object], int]:
        work.release.clear()
        first = asyncio.create_task(batcher.submit(1))
        await _until(lambda: work.batches)
        doomed = [asyncio.create_task(batcher.submit(n)) for n in (-1, 5)]
        await asyncio.sleep(0.05)
        work.release.set()
        results = await asyncio.gather(*doomed, return_exceptions=True)
        return [await first, *results], await batcher.submit(7)

    results, later = run_in_own_loop(scenario())

    assert results[0] == 2
    assert all(isinstance(r, ValueError) for r in results[1:])
    assert later == 14  # the batcher keeps serving


def test_a_cancelled_ask_does_not_disturb_the_others() -> None:
    work = Doubler()
    batcher = ThreadBatcher(work, lanes=1)

    async def scenario() -> int:
        work.release.clear()
        gone = asyncio.create_task(batcher.submit(1))
        kept = asyncio.create_task(batcher.submit(2))
        await _until(lambda: work.batches)
        gone.cancel()
        work.release.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await kept

    assert run_in_own_loop(scenario()) == 4
