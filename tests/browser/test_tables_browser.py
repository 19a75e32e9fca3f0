"""A trainee moves between round tables; another trainee's lobby shows the occupancy live."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from meeting.accounts.models import User
from meeting.accounts.service import Registration, register
from meeting.db import create_db_engine, make_session_factory, transaction
from tests.browser.conftest import _free_port, _wait_until_answering

pytestmark = pytest.mark.e2e

LUNCH_CLOCK = "2020-12-06T11:40:00-08:00"  # the Trainee Career Development Lunch is on
SECOND_TRAINEE = ("resident@example.org", "a resident's password", "Tomás Silva")


@pytest.fixture(scope="module")
def lunch_server(demo_server: str, demo_var_dir: Path, demo_database_url: str) -> Iterator[str]:
    """Another server on the demo database whose clock reads lunchtime on 6 December."""
    engine = create_db_engine(demo_database_url)
    with transaction(make_session_factory(engine)) as db:
        exists = db.scalar(select(User.id).where(User.email == SECOND_TRAINEE[0]))
        if exists is None:
            register(
                db,
                Registration(
                    email=SECOND_TRAINEE[0],
                    name=SECOND_TRAINEE[2],
                    password=SECOND_TRAINEE[1],
                    career_stage="resident",
                ),
            )
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "MEETING_VAR_DIR": str(demo_var_dir),
        "MEETING_DATABASE_URL": demo_database_url,
        "MEETING_DEFAULT_MEETING": "ash-2020",
        "MEETING_CLOCK_START": LUNCH_CLOCK,
    }
    log_path = demo_var_dir / "lunch-server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "meeting", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(f"{base}/program", server, log_path)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in(chromium: Browser, base: str, email: str, password: str) -> Page:
    page = chromium.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/live/CAREER-LUNCH")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def count_of(page: Page, table: str) -> str:
    return page.locator(f'[data-table="{table}"] .table-count').inner_text()


def test_moving_between_tables_updates_another_trainees_lobby(
    chromium: Browser, lunch_server: str, screenshots: Path
) -> None:
    mover = signed_in(chromium, lunch_server, "fellow@demo.meeting", "demo-fellow-2020")
    watcher = signed_in(chromium, lunch_server, SECOND_TRAINEE[0], SECOND_TRAINEE[1])
    tables = mover.locator("[data-table]").evaluate_all("items => items.map(i => i.dataset.table)")
    first, second = tables[0], tables[1]
    before = count_of(watcher, first)

    mover.locator(f'[data-table="{first}"]').get_by_role(
        "button", name=re.compile(r"^Sit at ")
    ).click()
    expect(watcher.locator(f'[data-table="{first}"] .table-count')).not_to_have_text(before)
    at_first = count_of(watcher, first)
    mover.locator(f'[data-table="{second}"]').get_by_role(
        "button", name=re.compile(r"^Sit at ")
    ).click()
    expect(watcher.locator(f'[data-table="{first}"] .table-count')).to_have_text(before)
    watcher.screenshot(path=str(screenshots / "lobby-watcher.png"), full_page=True)
    mover.screenshot(path=str(screenshots / "lobby-mover.png"), full_page=True)

    assert len(tables) == 8  # one per career path
    assert (before, at_first) == (
        before,
        f"{int(before.split()[0]) + 1} of {before.split()[-2]} seats",
    )
    expect(mover.locator(f'[data-table="{second}"]')).to_contain_text("Go to this table's room")
    mover.context.close()
    watcher.context.close()
