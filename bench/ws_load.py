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

The client processes are `ws_client.c`, compiled on first use: with the `websockets`
library each received frame cost the clients two to three times what it cost the server,
and even a minimal Python client still cost about as much as the server's send, so on two
cores a second server worker (W5) found no core left to use.
"""

# ruff: noqa: S603, S607 (the bench compiles and starts its own client: gcc, ws_client)

from __future__ import annotations

import array
import contextlib
import math
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, cast
from urllib.parse import urlsplit

SENDER_RATE = 0.8
"""Messages a second per sending member: under the room's limit (1 a second after a burst)."""
DRAIN_SECONDS = 1.5
"""At most this long after the last send for every frame to arrive (lost after that; the
C client's DRAIN_SECONDS)."""
MAX_P99_MS = 500.0
"""A run holds when nothing is lost and the p99 latency is at most this."""
CLEAR_P99_MS = MAX_P99_MS / 4
"""A first run this far inside the limit settles its rung alone; closer runs go to a median."""
RUNS_PER_RUNG = 3
SETTLE_CPU = 0.2
"""A server is quiet again (the next run may start) below this share of a core."""
SETTLE_WINDOW_S = 0.2
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


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


CLIENT_SOURCE = Path(__file__).with_name("ws_client.c")
CLIENT_BINARY = Path(__file__).with_name("build") / "ws_client"


def client_binary() -> Path:
    """The C client, compiled when its source is newer than the binary (gcc is needed)."""
    if not CLIENT_BINARY.exists() or CLIENT_BINARY.stat().st_mtime < CLIENT_SOURCE.stat().st_mtime:
        CLIENT_BINARY.parent.mkdir(exist_ok=True)
        subprocess.run(
            ["gcc", "-O2", "-Wall", "-o", str(CLIENT_BINARY), str(CLIENT_SOURCE), "-lm"],
            check=True,
        )
    return CLIENT_BINARY


class _ClientProcess:
    """One `ws_client` process: its share of the members, driven line by line."""

    def __init__(self, target: Target, folder: Path, index: int) -> None:
        cookies = folder / f"cookies-{index}.txt"
        cookies.write_text("".join(f"{c}\n" for c in target.cookies))
        self.latencies_file = folder / f"latencies-{index}.bin"
        parts = urlsplit(target.url)
        self.process = subprocess.Popen(
            [
                str(client_binary()),
                parts.hostname or "127.0.0.1",
                str(parts.port or 80),
                parts.path + (f"?{parts.query}" if parts.query else ""),
                target.origin,
                str(cookies),
                str(self.latencies_file),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def send(self, *words: object) -> None:
        stdin = cast(IO[str], self.process.stdin)
        stdin.write(" ".join(map(str, words)) + "\n")
        stdin.flush()

    def reply(self, tag: str) -> list[str]:
        line = cast(IO[str], self.process.stdout).readline().split()
        if not line or line[0] != tag:
            code = self.process.poll()
            raise RuntimeError(f"ws_client said {line!r}, not {tag!r} (exit code {code})")
        return line[1:]

    def latencies(self) -> array.array[float]:
        values = array.array("d")
        values.frombytes(self.latencies_file.read_bytes())
        return values

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError, RuntimeError):
            self.send("close")
            self.reply("closed")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Crowd:
    """N members spread over `processes` client processes, joined to one room."""

    def __init__(self, url: str, origin: str, cookies: Sequence[str], processes: int = 2) -> None:
        self.size = len(cookies)
        self.phases = 0
        self._folder = tempfile.TemporaryDirectory(prefix="ws-load-")
        self.workers = [
            _ClientProcess(
                Target(url, origin, cookies[index::processes]), Path(self._folder.name), index
            )
            for index in range(processes)
        ]

    def open(self) -> float:
        """Open every socket (each waits for its first frame); seconds until all are in."""
        started = time.monotonic()
        for worker in self.workers:
            worker.send("open")
        for worker in self.workers:
            worker.reply("opened")
        return time.monotonic() - started

    def phase(self, rate: float, seconds: float) -> PhaseResult:
        """Post `rate` chat messages a second for `seconds`, then count what arrived."""
        senders = max(1, math.ceil(rate / SENDER_RATE))
        period = senders / rate
        per_process = [senders // len(self.workers)] * len(self.workers)
        for index in range(senders % len(self.workers)):
            per_process[index] += 1
        self.phases += 1
        offset = 0
        for worker, count in zip(self.workers, per_process, strict=True):
            worker.send("phase", self.phases, count, f"{period:.9f}", seconds, offset, senders)
            offset += count
        for worker in self.workers:  # every process counts this phase before anyone posts
            worker.reply("armed")
        for worker in self.workers:
            worker.send("go")
        sent = sum(int(worker.reply("sent")[0]) for worker in self.workers)
        for worker in self.workers:
            worker.send("expect", sent)
        received = refused = 0
        latencies: list[float] = []
        for worker in self.workers:
            _sent, got, turned_away, _count = map(int, worker.reply("phase"))
            received, refused = received + got, refused + turned_away
            latencies.extend(worker.latencies())
        return PhaseResult(
            rate=rate,
            sent=sent,
            expected=sent * self.size,
            received=received,
            refused=refused,
            deliveries_per_s=received / seconds,
            p50_ms=percentile(latencies, 0.50) * 1000,
            p99_ms=percentile(latencies, 0.99) * 1000,
        )

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        self._folder.cleanup()


def summary(result: PhaseResult) -> dict[str, Any]:
    return {**result.__dict__, "lossless": result.lossless}


class Phases(Protocol):
    """What a climb drives: a `Crowd`, or in the bench's own tests a model of a server."""

    def phase(self, rate: float, seconds: float) -> PhaseResult: ...


@dataclass
class Climber:
    """One server's way up `rates`: a rung holds when the median of its runs holds.

    A rung's runs stop as soon as the median of three is decided (two alike), and a first
    run well inside the limit (p99 at most `CLEAR_P99_MS`) settles its rung alone and lets
    the climb skip the next rung (judged after all if the one above it fails). With
    `light_first`, the first rung always gets all its runs (their p99s are the light-load
    figure). The climb ends at the first rung that does not hold, after one more rung
    halfway between the highest rung that held and the lowest that fell: rungs 10 % apart
    floor each figure by up to 10 %, so a ratio of two figures (W5) moved in steps of 10 %
    around its budget; halfway rungs judge each figure to within 5 %. `best` is the median
    deliveries a second of the highest rung that held.
    """

    crowd: Phases
    server_pid: int
    rates: Sequence[float]
    seconds: float
    runs_per_rung: int = RUNS_PER_RUNG
    light_first: bool = True
    best: float = 0.0
    first: list[PhaseResult] = field(default_factory=list)
    """The first rung's runs."""
    runs: list[dict[str, Any]] = field(default_factory=list)
    """Every run in order, with its rung and, once decided, whether the rung held."""
    _rung: int = 0
    _skipped: int | None = None
    """The rung jumped over after a clear run (judged only if the one above it fails)."""
    _last: bool = False
    _held: float = 0.0
    """The highest rate that held, and the lowest that fell (for the halfway rung)."""
    _fell: float = math.inf
    _halved: bool = False
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
        light = self.light_first and self._rung == 0
        if not light and runs == 1 and result.held and result.p99_ms <= CLEAR_P99_MS:
            self._decide(holds=True, clear=True)
        elif light and runs < self.runs_per_rung:
            return
        elif held >= majority:
            self._decide(holds=True)
        elif runs - held >= majority:
            self._decide(holds=False)

    def _decide(self, *, holds: bool, clear: bool = False) -> None:
        decided, at_rung, self._at_rung = self._rung, self._at_rung, []
        for run in self.runs[-len(at_rung) :]:
            run["rung_holds"] = holds
        rate = self.rates[decided]
        if holds:
            self.best = max(self.best, statistics.median(r.deliveries_per_s for r in at_rung))
            self._held = max(self._held, rate)
        else:
            self._fell = min(self._fell, rate)
        skipped, self._skipped = self._skipped, None
        if self._last or not holds:
            if not self._last and skipped is not None:  # the rung jumped to fell: try the one
                self._rung, self._last = skipped, True  # skipped, and stop after it
            else:
                self._rung = self._halfway_or_end()
        elif clear and decided + 2 < len(self.rates):
            self._rung, self._skipped = decided + 2, decided + 1
        else:
            self._rung = decided + 1

    def _halfway_or_end(self) -> int:
        """The rung to run next: once, halfway between the highest rate that held and the
        lowest that fell; then none (the end of the climb)."""
        halfway = round((self._held + self._fell) / 2, 1)
        if self._halved or not 0 < self._held < halfway < self._fell:
            return len(self.rates)
        self._halved, self._last = True, True
        self.rates = (*self.rates, halfway)
        return len(self.rates) - 1


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
        time.sleep(SETTLE_WINDOW_S)
        if (_cpu_ticks(pid) - before) / tick < SETTLE_CPU * SETTLE_WINDOW_S:
            return


def _cpu_ticks(pid: int) -> int:
    total, pids = 0, [pid]
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as children:
        pids += map(int, children.read().split())  # uvicorn's workers
    for one in pids:
        with contextlib.suppress(OSError), open(f"/proc/{one}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total
