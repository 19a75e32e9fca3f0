"""Several uvicorn workers, each accepting on a listening socket of its own (SO_REUSEPORT).

uvicorn's own `workers=N` shares one listening socket, and whichever worker wakes first
accepts the whole burst waiting on it. A join of 1,000 WebSockets split 637 / 375 between
two workers in one trial of nine (412 / 600 in another), and a live room is only as fast as
its fuller worker, which runs out of CPU while the other idles. Bound with SO_REUSEPORT, a
socket per worker lets Linux hash each new connection to one of them: six trials stayed
between 492 / 516 and 516 / 492. The supervisor does what uvicorn's does that `meeting
serve` needs: start the workers, replace one that dies, stop them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.context import SpawnProcess

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")
CHECK_EVERY_S = 0.5
spawn = multiprocessing.get_context("spawn")


class PortInUse(RuntimeError):
    """Something already listens on the address (checked before any worker starts)."""


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return family, (str(address[0]), int(address[1]))


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other SO_REUSEPORT sockets of this user may share."""
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


def reserve_port(host: str, port: int) -> socket.socket:
    """Fail now if anything holds host:port (another `meeting serve` with SO_REUSEPORT would
    otherwise share it silently); then hold it, unlistening, while the workers bind it. With
    port 0 the kernel picks the port the workers use."""
    family, address = _address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise PortInUse(f"cannot listen on {host}:{port}: {error.strerror}") from error
        if port == 0:
            port = probe.getsockname()[1]
    return reuseport_socket(host, port)


def _worker(config: uvicorn.Config) -> None:
    """One worker process: its own listening socket, then uvicorn's server on it."""
    config.configure_logging()
    try:
        config.load()
        listener = reuseport_socket(config.host, config.port)
    except (Exception, SystemExit):
        logger.exception("Worker failed to start")
        sys.exit(STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[listener])


def _start(config: uvicorn.Config) -> SpawnProcess:
    process = spawn.Process(target=_worker, args=(config,), daemon=False)
    process.start()
    logger.info("Started worker process [%s]", process.pid)
    return process


def run_pool(config: uvicorn.Config, workers: int) -> int:
    """Serve with `workers` processes until SIGINT or SIGTERM; the exit status (non-zero
    when a worker could not start, which a restart would not cure)."""
    reservation = reserve_port(config.host, config.port)
    config.port = reservation.getsockname()[1]
    stop = threading.Event()
    status = 0
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    processes = [_start(config) for _ in range(workers)]
    try:
        while not stop.wait(CHECK_EVERY_S):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    logger.error("Worker [%s] could not start; stopping.", process.pid)
                    status = STARTUP_FAILURE
                    stop.set()
                    break
                logger.warning(
                    "Worker [%s] exited (%s); starting another.", process.pid, process.exitcode
                )
                processes[index] = _start(config)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
        reservation.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
