"""Real servers for protocol tests: uvicorn in a thread (clock under the test's control) or
`meeting serve` in a subprocess (restarts, several processes sharing Redis)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from bench.sockets import free_port, listening_sockets
from meeting.app import create_app
from meeting.clock import Clock
from meeting.config import Settings
from meeting.serving import UVICORN_SETTINGS

PASSWORD = "correct horse battery"


@contextmanager
def thread_server(
    settings: Settings, clock: Clock, started: list[Starlette] | None = None
) -> Iterator[str]:
    """uvicorn serving create_app(settings, clock) on a free port, in a background thread,
    with `meeting serve`'s settings; the app is appended to `started` when given."""
    port = free_port()
    settings = Settings(**{**vars(settings), "base_url": f"http://127.0.0.1:{port}"})
    app = create_app(settings, clock=clock)
    if started is not None:
        started.append(app)
    served_settings = {**UVICORN_SETTINGS, "factory": False, "log_level": "warning"}
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **served_settings)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield settings.base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def process_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`python -m meeting serve` on a free port with `env` added."""
    with served(env, log) as (base, _server):
        yield base


@contextmanager
def served(
    env: dict[str, str], log: Path, workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m meeting serve --workers N` on a free port: (base URL, the process)."""
    port = free_port()
    full_env = {**os.environ, **env, "MEETING_BASE_URL": f"http://127.0.0.1:{port}"}
    command = ["meeting", "serve", "--workers", str(workers), "--port", str(port)]
    with log.open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", *command], env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log)
        deadline = time.monotonic() + 30  # the first worker answers before the others listen
        while listening_sockets(port) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            httpx.get(f"{base}/api/meetings", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer in 30 s")


def login_cookie(base: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the Cookie header value."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )
        assert response.status_code in (200, 303), response.text[:300]
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def ws_url(base: str, code: str, last_event_id: int | None = None) -> str:
    url = base.replace("http://", "ws://") + f"/ws/rooms/{code}"
    return url if last_event_id is None else f"{url}?last_event_id={last_event_id}"


def open_room(
    base: str, code: str, cookie: str, last_event_id: int | None = None
) -> ClientConnection:
    return connect(
        ws_url(base, code, last_event_id),
        origin=Origin(base),
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    )


def receive_json(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return data


def receive_until(ws: ClientConnection, type_: str, timeout: float = 5.0) -> dict[str, Any]:
    """The next frame of `type_` (skipping presence, reactions and other ticks)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {type_} frame within {timeout} s")
        frame = receive_json(ws, remaining)
        if frame["type"] == type_:
            return frame


def frames_until_closed(
    ws: ClientConnection, timeout: float = 5.0
) -> tuple[list[dict[str, Any]], int]:
    """Every frame until the server closes the connection, and the close code it sent."""
    frames: list[dict[str, Any]] = []
    try:
        while True:
            frames.append(receive_json(ws, timeout))
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else 1006
