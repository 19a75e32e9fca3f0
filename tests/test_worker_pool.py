"""`meeting serve --workers 2`: each worker accepts on its own socket, so connections spread
evenly; a worker that dies is replaced; SIGTERM stops them all; a taken port is refused."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn
from uvicorn.config import STARTUP_FAILURE

from bench.sockets import free_port, listening_sockets
from meeting.worker_pool import run_pool
from tests.servers import served

pytestmark = pytest.mark.integration

CONNECTIONS = 400


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "MEETING_DATABASE_URL": f"sqlite:///{tmp_path / 'meeting.sqlite3'}",
        "MEETING_SECRET_KEY": "worker-pool-test",
        "MEETING_VAR_DIR": str(tmp_path / "var"),
    }


@pytest.fixture
def two_workers(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, int]]:
    with served(env, tmp_path / "serve.log", workers=2) as (base, server):
        yield base, server.pid


def workers_of(parent: int) -> list[int]:
    """The pool's worker processes (the spawned children; not multiprocessing's tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent and b"spawn_main" in stat.with_name("cmdline").read_bytes():
                found.append(int(stat.parent.name))
    return sorted(found)


def sockets_of(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += fd.readlink().name.startswith("socket:")
    return count


def eventually(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_burst_of_connections_is_shared_evenly_by_the_workers(
    two_workers: tuple[str, int],
) -> None:
    base, parent = two_workers
    workers = workers_of(parent)
    before = {pid: sockets_of(pid) for pid in workers}
    port = int(base.rsplit(":", 1)[1])

    with contextlib.ExitStack() as stack:
        for _ in range(CONNECTIONS):
            stack.enter_context(socket.create_connection(("127.0.0.1", port)))

        def accepted() -> dict[int, int]:
            return {pid: sockets_of(pid) - before[pid] for pid in workers}

        assert eventually(lambda: sum(accepted().values()) == CONNECTIONS), accepted()
        shares = accepted()

    assert len(workers) == 2
    assert listening_sockets(port) == 2  # one per worker (uvicorn's own workers share one)
    # Hashing 400 connections over 2 sockets: each gets 200 ± 10 (one standard deviation).
    assert all(140 <= share <= 260 for share in shares.values()), shares


def test_a_worker_that_dies_is_replaced_and_the_others_keep_serving(
    two_workers: tuple[str, int],
) -> None:
    base, parent = two_workers
    victim, survivor = workers_of(parent)

    os.kill(victim, signal.SIGKILL)

    assert eventually(lambda: len(set(workers_of(parent)) - {victim}) == 2)
    assert survivor in workers_of(parent)
    with httpx.Client(base_url=base) as client:
        statuses = {client.get("/api/meetings").status_code for _ in range(20)}
    assert statuses == {200}


def test_sigterm_stops_every_worker_and_exits_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    with served(env, tmp_path / "serve.log", workers=2) as (_base, server):
        workers = workers_of(server.pid)
        server.send_signal(signal.SIGTERM)
        status = server.wait(timeout=20)

    assert len(workers) == 2
    assert status == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_a_port_already_taken_is_refused_before_any_worker_starts(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        result = subprocess.run(
            [sys.executable, "-m", "meeting", "serve", "--workers", "2", "--port", str(port)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert f"meeting serve: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Started worker process" not in result.stderr


def test_a_worker_that_cannot_start_stops_the_pool_instead_of_restarting_forever() -> None:
    config = uvicorn.Config("tests.nowhere:app", host="127.0.0.1", port=0, log_level="critical")

    started = time.monotonic()
    status = run_pool(config, 2)

    assert status == STARTUP_FAILURE
    assert time.monotonic() - started < 30
