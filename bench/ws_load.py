"""WebSocket load from several client processes: join, then chat at set rates.

Each process opens its share of the sockets (waiting for each one's first frame, the
snapshot), then, on command, runs a load phase: its senders post chat frames whose text is
the send time; every socket counts the chat frames it receives and records their latency.
The parent gathers counts (loss = expected - received) and latencies (p99).
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

SENDER_RATE = 0.8
"""Messages a second per sending member: under the room's limit (1 a second after a burst)."""
DRAIN_SECONDS = 1.5
OPEN_CONCURRENCY = 100


@dataclass(frozen=True)
class Target:
    url: str
    origin: str
    cookies: Sequence[str]
    """One Cookie header per member (empty strings for the bare ceiling)."""


@dataclass(frozen=True)
class PhaseResult:
    rate: float
    sent: int
    expected: int
    received: int
    refused: int
    deliveries_per_s: float
    p50_ms: float
    p99_ms: float

    @property
    def lossless(self) -> bool:
        return self.received >= self.expected and self.refused == 0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Member:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.received = 0
        self.refused = 0
        self.latencies: list[float] = []
        self.task = asyncio.get_running_loop().create_task(self.read())

    async def read(self) -> None:
        async for message in self.ws:
            if '"chat"' not in message:
                if '"rate_limited"' in message:
                    self.refused += 1
                continue
            frame = json.loads(message)
            if frame.get("type") != "chat":
                continue
            text: str = frame.get("text", "")
            if text.startswith("bench "):
                self.received += 1
                self.latencies.append(time.time() - float(text.split()[1]))


async def _open(target: Target, index: int, cookie: str) -> _Member:
    headers = {"Cookie": cookie} if cookie else {}
    ws = await connect(
        target.url,
        origin=target.origin,  # type: ignore[arg-type]
        additional_headers=headers,
        open_timeout=60,
        max_queue=None,
        compression=None,
    )
    await asyncio.wait_for(ws.recv(), 60)  # the snapshot (or the bare hello)
    return _Member(ws)


async def _send_loop(member: _Member, period: float, end: float, offset: float) -> int:
    await asyncio.sleep(offset)
    sent = 0
    next_at = time.monotonic()
    while time.monotonic() < end:
        text = f"bench {time.time():.6f} {sent}"
        await member.ws.send(json.dumps({"type": "chat", "text": text}))
        sent += 1
        next_at += period
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return sent


async def _client(target: Target, pipe: Connection) -> None:
    members: list[_Member] = []
    semaphore = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one(index: int, cookie: str) -> None:
        async with semaphore:
            members.append(await _open(target, index, cookie))

    pipe.recv()  # "open": every process starts together
    started = time.monotonic()
    await asyncio.gather(*(open_one(i, c) for i, c in enumerate(target.cookies)))
    pipe.send(("opened", time.monotonic() - started))
    while True:
        command = pipe.recv()
        if command[0] == "close":
            break
        _tag, senders, period, seconds, offset_base, total = command
        for member in members:
            member.received, member.refused, member.latencies = 0, 0, []
        end = time.monotonic() + seconds
        chosen = members[:senders]
        counts = await asyncio.gather(
            *(
                _send_loop(m, period, end, (offset_base + i) * period / total % period)
                for i, m in enumerate(chosen)
            )
        )
        await asyncio.sleep(DRAIN_SECONDS)
        latencies = [x for m in members for x in m.latencies]
        pipe.send(
            (
                "phase",
                sum(counts),
                sum(m.received for m in members),
                sum(m.refused for m in members),
                latencies,
            )
        )
    for member in members:
        await member.ws.close()
    pipe.send(("closed",))


def _client_main(target: Target, pipe: Connection) -> None:
    asyncio.run(_client(target, pipe))


class Crowd:
    """N members spread over `processes` client processes, joined to one room."""

    def __init__(self, url: str, origin: str, cookies: Sequence[str], processes: int = 2) -> None:
        self.size = len(cookies)
        self.pipes: list[Connection] = []
        self.workers: list[BaseProcess] = []
        context = multiprocessing.get_context("spawn")
        for index in range(processes):
            share = list(cookies[index::processes])
            parent, child = context.Pipe()
            worker = context.Process(
                target=_client_main, args=(Target(url, origin, share), child), daemon=True
            )
            worker.start()
            self.pipes.append(parent)
            self.workers.append(worker)

    def open(self) -> float:
        """Open every socket (each waits for its first frame); seconds until all are in."""
        started = time.monotonic()
        for pipe in self.pipes:
            pipe.send(("open",))
        for pipe in self.pipes:
            if not pipe.poll(600):
                raise RuntimeError("clients did not open their sockets in 600 s")
            reply = pipe.recv()
            if reply[0] != "opened":
                raise RuntimeError(f"client failed: {reply}")
        return time.monotonic() - started

    def phase(self, rate: float, seconds: float) -> PhaseResult:
        """Post `rate` chat messages a second for `seconds`, then count what arrived."""
        senders = max(1, math.ceil(rate / SENDER_RATE))
        period = senders / rate
        per_process = [senders // len(self.pipes)] * len(self.pipes)
        for index in range(senders % len(self.pipes)):
            per_process[index] += 1
        offset = 0
        for pipe, count in zip(self.pipes, per_process, strict=True):
            pipe.send(("phase", count, period, seconds, offset, senders))
            offset += count
        sent = received = refused = 0
        latencies: list[float] = []
        for pipe in self.pipes:
            if not pipe.poll(seconds + 120):
                raise RuntimeError("clients did not report")
            _tag, s, r, f, lat = pipe.recv()
            sent, received, refused = sent + s, received + r, refused + f
            latencies.extend(lat)
        expected = sent * self.size
        return PhaseResult(
            rate=rate,
            sent=sent,
            expected=expected,
            received=received,
            refused=refused,
            deliveries_per_s=received / seconds,
            p50_ms=percentile(latencies, 0.50) * 1000,
            p99_ms=percentile(latencies, 0.99) * 1000,
        )

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("close",))
                pipe.poll(30)
            except (BrokenPipeError, OSError):
                pass
        for worker in self.workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()


def summary(result: PhaseResult) -> dict[str, Any]:
    return {**result.__dict__, "lossless": result.lossless}
