"""A trainee moves between round tables; another trainee's lobby shows the occupancy live."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from meeting.accounts.models import User
from meeting.accounts.service import Registration, register
from meeting.db import create_db_engine, make_session_factory, transaction
from tests.browser.conftest import demo_env, signed_in_page
from tests.servers import process_server

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
    env = demo_env(demo_var_dir, demo_database_url, clock=LUNCH_CLOCK)
    with process_server(env, demo_var_dir / "lunch-server.log") as base:
        yield base


def in_lobby(chromium: Browser, base: str, email: str, password: str) -> Page:
    page = signed_in_page(chromium, base, email, password, "/live/CAREER-LUNCH")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def count_of(page: Page, table: str) -> str:
    return page.locator(f'[data-table="{table}"] .table-count').inner_text()


def test_moving_between_tables_updates_another_trainees_lobby(
    chromium: Browser, lunch_server: str, screenshots: Path
) -> None:
    mover = in_lobby(chromium, lunch_server, "fellow@demo.meeting", "demo-fellow-2020")
    watcher = in_lobby(chromium, lunch_server, SECOND_TRAINEE[0], SECOND_TRAINEE[1])
    tables = mover.locator("[data-table]").evaluate_all("items => items.map(i => i.dataset.table)")
    first, second = tables[0], tables[1]
    before = count_of(watcher, first)
    sit = re.compile(r"^Sit at ")

    mover.locator(f'[data-table="{first}"]').get_by_role("button", name=sit).click()
    expect(watcher.locator(f'[data-table="{first}"] .table-count')).not_to_have_text(before)
    at_first = count_of(watcher, first)
    mover.locator(f'[data-table="{second}"]').get_by_role("button", name=sit).click()
    expect(watcher.locator(f'[data-table="{first}"] .table-count')).to_have_text(before)
    watcher.screenshot(path=str(screenshots / "lobby-watcher.png"), full_page=True)
    mover.screenshot(path=str(screenshots / "lobby-mover.png"), full_page=True)

    taken, seats = int(before.split()[0]), before.split()[-2]
    assert len(tables) == 8  # one per career path
    assert at_first == f"{taken + 1} of {seats} seats"
    expect(mover.locator(f'[data-table="{second}"]')).to_contain_text("Go to this table's room")
    mover.context.close()
    watcher.context.close()
