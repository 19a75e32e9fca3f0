"""A real demo server and headless Chromium for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_CLOCK = "2020-12-05T10:20:00-08:00"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
STARTUP_SECONDS = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_answering(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"the demo server exited with code {server.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own local server)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the demo server did not answer {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def demo_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def demo_database_url(demo_var_dir: Path) -> str:
    """The demo server's SQLite database (tests may add data to it while it serves)."""
    return f"sqlite:///{demo_var_dir / 'demo' / 'meeting.sqlite3'}"


@pytest.fixture(scope="session")
def demo_server(demo_var_dir: Path, demo_database_url: str) -> Iterator[str]:
    """Base URL of `meeting serve` on the demo database, with the clock on 5 Dec 2020, 10:20 PST."""
    var_dir = demo_var_dir
    env = {**os.environ, "MEETING_VAR_DIR": str(var_dir)}
    demo = subprocess.run(
        [sys.executable, "-m", "meeting", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if demo.returncode != 0:
        pytest.fail(
            f"`meeting demo --no-serve` failed:\n{demo.stdout}\n{demo.stderr}", pytrace=False
        )
    port = _free_port()
    env.update(
        MEETING_DATABASE_URL=demo_database_url,
        MEETING_DEFAULT_MEETING="ash-2020",
        MEETING_CLOCK_START=DEMO_CLOCK,
    )
    log_path = var_dir / "server.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "meeting", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(f"{base_url}/program", server, log_path)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium; the tests skip without it unless MEETING_REQUIRE_BROWSER=1."""
    if not CHROMIUM.exists():
        reason = f"the browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("MEETING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MEETING_REQUIRE_BROWSER=1, but {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, demo_server: str) -> Iterator[Page]:
    """A fresh desktop-sized tab (no cookies from other tests) on the demo server."""
    context = chromium.new_context(base_url=demo_server, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone(chromium: Browser, demo_server: str) -> Iterator[Page]:
    """A 390-pixel-wide tab, the size of a current phone."""
    context = chromium.new_context(
        base_url=demo_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
