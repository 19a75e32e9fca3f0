"""Loopback ports for the servers the bench and the tests start, and how many listen."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

LISTEN_STATE = "0A"
"""TCP_LISTEN as /proc/net/tcp writes it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listening_sockets(port: int) -> int:
    """TCP sockets listening on `port` (one per worker under `meeting serve --workers`)."""
    wanted, count = f"{port:04X}", 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                count += fields[1].rsplit(":", 1)[1] == wanted and fields[3] == LISTEN_STATE
    return count
