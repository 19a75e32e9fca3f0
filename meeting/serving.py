"""Start uvicorn on the app factory; raise the open-file limit first where allowed."""

from __future__ import annotations

import os
import resource
import sys
from typing import Any

import uvicorn

from meeting.app import create_app
from meeting.config import Settings
from meeting.worker_pool import PortInUse, run_pool

SWITCH_INTERVAL_S = 0.001
"""How long a thread may hold the GIL while another waits (Python's default is 5 ms). Live
rooms store every event in a worker thread while the event loop fans frames out; each
database call there waits for the GIL again, so at 5 ms a one-millisecond chat write took
some 40 ms under load."""
WS_MAX_BYTES = 65_536
"""Frames above this are refused by the WebSocket layer itself (close 1009); frames above
4 KiB but below it get an error frame from the room (live/protocol.py)."""


def app_from_env() -> object:
    """Factory uvicorn calls in each worker process."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return create_app(Settings.from_env(os.environ))


def raise_file_limit() -> int:
    """Lift the soft open-files limit to the hard one (thousands of sockets); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            return soft
    return soft


UVICORN_SETTINGS: dict[str, Any] = {
    "factory": True,
    "proxy_headers": False,
    "ws": "websockets-sansio",  # rooms write to its connections directly (web/socket_wire.py)
    "ws_per_message_deflate": False,
    "ws_max_size": WS_MAX_BYTES,
    "log_level": "info",
}
"""What every `meeting serve` worker runs with (the bench's bare ceiling too)."""


def serve_app(
    *, host: str, port: int, workers: int, app: str = "meeting.serving:app_from_env"
) -> None:
    """Serve the app factory `app`: in this process, or in a pool of `workers` processes
    that each accept on their own socket (meeting/worker_pool.py says why)."""
    raise_file_limit()
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **UVICORN_SETTINGS)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **UVICORN_SETTINGS)
    try:
        status = run_pool(config, workers)
    except PortInUse as error:
        sys.exit(f"meeting serve: {error}")
    if status:
        sys.exit(status)
