"""Requests that arrive together share one thread hop and one transaction.

A read that runs in the threadpool costs a thread hand-off (and the GIL going back and
forth) plus, on PostgreSQL, a round trip per statement. After a schedule change thousands
of calendar clients re-fetch at once: queued here, every request that arrives while a batch
is being read joins the next one, which is read by one worker in one transaction. Alone, a
request is read at once (a batch of one); under load, batches grow by themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from anyio import to_thread

Ask = TypeVar("Ask")
Answer = TypeVar("Answer")

LANES = 2
"""Batches read at the same time: one can wait on the database while the other computes."""
MAX_BATCH = 64


class ThreadBatcher(Generic[Ask, Answer]):
    def __init__(
        self,
        work: Callable[[Sequence[Ask]], Sequence[Answer]],
        *,
        lanes: int = LANES,
        max_batch: int = MAX_BATCH,
    ) -> None:
        """`work` runs in a worker thread and answers each ask of a batch, in order."""
        self._work = work
        self._lanes = lanes
        self._max_batch = max_batch
        self._queue: list[tuple[Ask, asyncio.Future[Answer]]] = []
        self._draining: set[asyncio.Task[None]] = set()

    async def submit(self, ask: Ask) -> Answer:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._queue.append((ask, future))
        if len(self._draining) < self._lanes:
            task = asyncio.create_task(self._drain())
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                answers = await to_thread.run_sync(self._work, [ask for ask, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError("a batch's work must answer every ask")
            except Exception as error:  # every request of the batch gets it (and answers 500)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), answer in zip(batch, answers, strict=True):
                if not future.done():  # its request may have been cancelled meanwhile
                    future.set_result(answer)
