"""A real demo server and headless Chromium for the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.servers import process_server

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

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
"""The size of a current phone."""


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
    demo = subprocess.run(
        [sys.executable, "-m", "meeting", "demo", "--no-serve"],
        env={**os.environ, "MEETING_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    if demo.returncode != 0:
        pytest.fail(
            f"`meeting demo --no-serve` failed:\n{demo.stdout}\n{demo.stderr}", pytrace=False
        )
    with process_server(demo_env(demo_var_dir, demo_database_url), var_dir / "server.log") as base:
        yield base


def demo_env(var_dir: Path, database_url: str, clock: str = DEMO_CLOCK) -> dict[str, str]:
    """What `meeting serve` needs to serve the demo database with a pretend clock."""
    return {
        "MEETING_VAR_DIR": str(var_dir),
        "MEETING_DATABASE_URL": database_url,
        "MEETING_DEFAULT_MEETING": "ash-2020",
        "MEETING_CLOCK_START": clock,
    }


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
    context = chromium.new_context(base_url=demo_server, viewport=DESKTOP)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone(chromium: Browser, demo_server: str) -> Iterator[Page]:
    """A 390-pixel-wide tab, the size of a current phone."""
    context = chromium.new_context(
        base_url=demo_server,
        viewport=PHONE,
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


def signed_in_page(
    chromium: Browser,
    base: str,
    email: str,
    password: str,
    path: str = "/agenda",
    viewport: ViewportSize = DESKTOP,
) -> Page:
    """A fresh tab (desktop-sized unless told) signed in through the real form, then
    opened at `path`."""
    context = chromium.new_context(base_url=base, viewport=viewport)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(path)
    return page
