"""WebSocket load from several client processes: join, then chat at set rates.

Each process opens its share of the sockets (waiting for each one's first frame, the
snapshot), then, on command, runs a load phase: its senders post chat frames whose text is
the phase number and the send time; every socket counts the phase's chat frames it receives
and records their latency. When the senders are done the parent tells every process how
many frames each socket should get, and a process reports as soon as all its sockets have
them (or the drain time is up): loss = expected - received, and the p99 latency.

`Climber` takes one server up a ladder of rates, a rung at a time, each rung judged by the
median of its runs; `climb` interleaves several servers' climbs run by run, so that a noisy
moment on a shared machine falls on both the project and the bare ceiling.

The clients speak the WebSocket protocol themselves (`_Member`, below): with the
`websockets` library each received frame cost the clients two to three times what it cost
the server, so on two cores the figures measured the load generator.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, cast
from urllib.parse import urlsplit

import uvloop

SENDER_RATE = 0.8
"""Messages a second per sending member: under the room's limit (1 a second after a burst)."""
DRAIN_SECONDS = 1.5
"""At most this long after the last send for every frame to arrive (lost after that)."""
OPEN_CONCURRENCY = 100
MAX_P99_MS = 500.0
"""A run holds when nothing is lost and the p99 latency is at most this."""
CLEAR_P99_MS = MAX_P99_MS / 4
"""A first run this far inside the limit settles its rung alone; closer runs go to a median."""
RUNS_PER_RUNG = 3
SETTLE_CPU = 0.2
"""A server is quiet again (the next run may start) below this share of a core."""
SETTLE_MAX_SECONDS = 10.0


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

    @property
    def held(self) -> bool:
        return self.lossless and self.p99_ms <= MAX_P99_MS


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Member(asyncio.Protocol):
    """One member's socket: a minimal RFC 6455 client (the upgrade, masked text frames out,
    unmasked frames in), so that the load generator spends a few microseconds per frame it
    receives and the servers, not the clients, are what is measured. Frames are scanned in
    place for the bench text, never decoded as JSON."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.phase = b""
        """The current phase's tag: frames of an earlier (overloaded) phase are not counted."""
        self.received = 0
        self.refused = 0
        self.latencies: list[float] = []
        self.want = 0
        self.waiting: _Waiting | None = None
        """Set while the phase drains: told when this socket has `want` frames."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the first frame"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")])
            del buffer[: end + 4]
            if not status.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                if self.transport is not None:
                    self.transport.close()
                return
            self.upgraded = True
        self._read_frames(time.time())

    def _read_frames(self, now: float) -> None:
        buffer, at, size = self.buffer, 0, len(self.buffer)
        while size - at >= 2:  # noqa: PLR2004 (the two header bytes)
            opcode, length, start = buffer[at] & 0x0F, buffer[at + 1] & 0x7F, at + 2
            if length == _LEN16:
                length, start = int.from_bytes(buffer[at + 2 : at + 4], "big"), at + 4
            elif length == _LEN64:
                length, start = int.from_bytes(buffer[at + 2 : at + 10], "big"), at + 10
            end = start + length
            if end > size:
                break
            at = end
            if opcode == _TEXT:
                self._on_text(buffer, start, end, now)
            elif opcode == _PING:
                self._write(_PONG, bytes(buffer[start:end]))
            elif opcode == _CLOSE and self.transport is not None:
                self.transport.close()
        del buffer[:at]

    def _on_text(self, buffer: bytearray, start: int, end: int, now: float) -> None:
        if not self.opened.done():  # the snapshot (or the bare hello)
            self.opened.set_result(None)
            return
        text = buffer.find(b'"bench ', start, end)
        if text >= 0 and buffer.find(b'"chat"', start, text) >= 0:
            tag_end = buffer.find(b" ", text + 7, end)
            if buffer[text + 7 : tag_end] != self.phase:
                return
            sent_at = buffer[tag_end + 1 : buffer.find(b" ", tag_end + 1, end)]
            self.received += 1
            self.latencies.append(now - float(sent_at))
            if self.waiting is not None and self.received == self.want:
                self.waiting.one_done()
        elif buffer.find(b'"rate_limited"', start, end) >= 0:
            self.refused += 1

    def send_text(self, text: str) -> None:
        self._write(_TEXT, text.encode())

    def _write(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        size = len(payload)
        if size < _LEN16:
            header = bytes((0x80 | opcode, 0x80 | size))
        else:
            header = bytes((0x80 | opcode, 0x80 | _LEN16)) + size.to_bytes(2, "big")
        key = os.urandom(4)
        repeated = (key * (size // 4 + 1))[:size]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            size, "big"
        )
        self.transport.write(header + key + masked)

    async def close(self) -> None:
        self._write(_CLOSE, (1000).to_bytes(2, "big"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.closed), 5)
        if self.transport is not None:
            self.transport.close()


_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA
_LEN16, _LEN64 = 126, 127


async def _open(target: Target, cookie: str) -> _Member:
    parts = urlsplit(target.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {target.origin}",
        *([f"Cookie: {cookie}"] if cookie else []),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    _transport, member = await asyncio.wait_for(
        loop.create_connection(lambda: _Member(request), host, port), 60
    )
    await asyncio.wait_for(asyncio.shield(member.opened), 60)
    return member


async def _send_loop(member: _Member, period: float, end: float, offset: float) -> int:
    await asyncio.sleep(offset)
    sent = 0
    next_at = time.monotonic()
    tag = member.phase.decode()
    while time.monotonic() < end:
        text = f"bench {tag} {time.time():.6f} {sent}"
        member.send_text(json.dumps({"type": "chat", "text": text}))
        sent += 1
        next_at += period
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return sent


class _Waiting:
    """Sockets still short of the frames they should get; `done` is set when none is."""

    def __init__(self, short: int) -> None:
        self.short = short
        self.done = asyncio.Event()
        if short == 0:
            self.done.set()

    def one_done(self) -> None:
        self.short -= 1
        if self.short == 0:
            self.done.set()


async def _drained(members: list[_Member], each: int, deadline: float) -> None:
    """Until every socket has `each` of this phase's frames, or the deadline."""
    short = [m for m in members if m.received < each]
    waiting = _Waiting(len(short))
    for member in short:
        member.want, member.waiting = each, waiting
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(waiting.done.wait(), max(0.0, deadline - time.monotonic()))
    for member in short:
        member.waiting = None


async def _client(target: Target, pipe: Connection) -> None:
    members: list[_Member] = []
    semaphore = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one(cookie: str) -> None:
        async with semaphore:
            members.append(await _open(target, cookie))

    pipe.recv()  # "open": every process starts together
    started = time.monotonic()
    await asyncio.gather(*(open_one(c) for c in target.cookies))
    pipe.send(("opened", time.monotonic() - started))
    while True:
        command = pipe.recv()
        if command[0] == "close":
            break
        _tag, phase, senders, period, seconds, offset_base, total = command
        for member in members:
            member.phase = str(phase).encode()
            member.received, member.refused, member.latencies = 0, 0, []
        end = time.monotonic() + seconds
        chosen = members[:senders]
        counts = await asyncio.gather(
            *(
                _send_loop(m, period, end, (offset_base + i) * period / total % period)
                for i, m in enumerate(chosen)
            )
        )
        drained_by = time.monotonic() + DRAIN_SECONDS
        pipe.send(("sent", sum(counts)))
        _expect, each = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await _drained(members, each, drained_by)
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
    await asyncio.gather(*(member.close() for member in members))
    pipe.send(("closed",))


def _client_main(target: Target, pipe: Connection) -> None:
    uvloop.run(_client(target, pipe))


class Crowd:
    """N members spread over `processes` client processes, joined to one room."""

    def __init__(self, url: str, origin: str, cookies: Sequence[str], processes: int = 2) -> None:
        self.size = len(cookies)
        self.phases = 0
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
        self.phases += 1
        offset = 0
        for pipe, count in zip(self.pipes, per_process, strict=True):
            pipe.send(("phase", self.phases, count, period, seconds, offset, senders))
            offset += count
        sent = sum(self._reply(pipe, "sent", seconds + 120)[1] for pipe in self.pipes)
        for pipe in self.pipes:
            pipe.send(("expect", sent))
        received = refused = 0
        latencies: list[float] = []
        for pipe in self.pipes:
            _tag, _sent, r, f, lat = self._reply(pipe, "phase", DRAIN_SECONDS + 120)
            received, refused = received + r, refused + f
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

    @staticmethod
    def _reply(pipe: Connection, tag: str, seconds: float) -> Any:
        if not pipe.poll(seconds):
            raise RuntimeError(f"clients did not report {tag!r}")
        reply = pipe.recv()
        if reply[0] != tag:
            raise RuntimeError(f"clients said {reply[0]!r}, not {tag!r}")
        return reply

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


@dataclass
class Climber:
    """One server's way up `rates`: a rung holds when the median of its runs holds.

    A rung's runs stop as soon as the median of three is decided (two alike), and a first
    run well inside the limit (p99 at most `CLEAR_P99_MS`) settles its rung alone. The first
    rung always gets all three runs (its p99s are the light-load figure). The climb ends at
    the first rung that does not hold; `best` is the median deliveries a second of the
    highest rung that held.
    """

    crowd: Crowd
    server_pid: int
    rates: Sequence[float]
    seconds: float
    runs_per_rung: int = RUNS_PER_RUNG
    best: float = 0.0
    first: list[PhaseResult] = field(default_factory=list)
    """The first rung's runs."""
    runs: list[dict[str, Any]] = field(default_factory=list)
    """Every run in order, with its rung and, once decided, whether the rung held."""
    _rung: int = 0
    _at_rung: list[PhaseResult] = field(default_factory=list)

    @property
    def climbing(self) -> bool:
        return self._rung < len(self.rates)

    def step(self) -> None:
        """One run at the current rung; then the rung is decided, or it needs another run."""
        result = self.crowd.phase(self.rates[self._rung], self.seconds)
        self._at_rung.append(result)
        self.runs.append({**summary(result), "rung": result.rate})
        if self._rung == 0:
            self.first.append(result)
        runs = len(self._at_rung)
        held = sum(r.held for r in self._at_rung)
        majority = self.runs_per_rung // 2 + 1
        if self._rung > 0 and runs == 1 and result.held and result.p99_ms <= CLEAR_P99_MS:
            self._decide(holds=True)
        elif self._rung == 0 and runs < self.runs_per_rung:
            return
        elif held >= majority:
            self._decide(holds=True)
        elif runs - held >= majority:
            self._decide(holds=False)

    def _decide(self, *, holds: bool) -> None:
        for run in self.runs[-len(self._at_rung) :]:
            run["rung_holds"] = holds
        if holds:
            self.best = max(self.best, statistics.median(r.deliveries_per_s for r in self._at_rung))
            self._rung += 1
        else:
            self._rung = len(self.rates)
        self._at_rung = []


def climb(climbers: Sequence[Climber]) -> None:
    """Climb every server's ladder, one run each in turn; between runs the server that ran
    is given time to finish what it still had queued (an overloaded run leaves some)."""
    while any(c.climbing for c in climbers):
        for climber in climbers:
            if climber.climbing:
                climber.step()
                settle(climber.server_pid)


def settle(pid: int) -> None:
    """Wait until the server (the process and its workers) uses less than `SETTLE_CPU` of a
    core, or at most `SETTLE_MAX_SECONDS`."""
    deadline = time.monotonic() + SETTLE_MAX_SECONDS
    tick = os.sysconf("SC_CLK_TCK")
    while time.monotonic() < deadline:
        before = _cpu_ticks(pid)
        time.sleep(0.2)
        if (_cpu_ticks(pid) - before) / tick < SETTLE_CPU * 0.2:
            return


def _cpu_ticks(pid: int) -> int:
    total = 0
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        pids = [pid, *map(int, children.read().split())]
    for one in pids:
        with contextlib.suppress(OSError), open(f"/proc/{one}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total
