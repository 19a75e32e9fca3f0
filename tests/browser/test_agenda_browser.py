"""A fellow registers, builds an agenda with a conflict, removes one, joins a waitlist."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from meeting.accounts.models import User
from meeting.accounts.passwords import hash_password
from meeting.agenda.service import add_to_agenda
from meeting.db import create_db_engine, make_session_factory, transaction
from meeting.enums import CareerStage
from meeting.program.models import Meeting, Session

pytestmark = pytest.mark.e2e

FULL_WORKSHOP = "WS-105"


def api(base_url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base_url}{path}", timeout=5) as response:  # noqa: S310 - local
        return json.load(response)


@pytest.fixture(scope="module")
def full_workshop(demo_database_url: str) -> str:
    """Fill every seat of one workshop with other people."""
    engine = create_db_engine(demo_database_url)
    factory = make_session_factory(engine)
    password_hash = hash_password("someone else's password")
    with transaction(factory) as db:
        meeting = db.scalars(select(Meeting).where(Meeting.slug == "ash-2020")).one()
        workshop = db.scalars(select(Session).where(Session.code == FULL_WORKSHOP)).one()
        assert workshop.capacity is not None
        for i in range(workshop.capacity):
            user = User(
                email=f"seat{i}@example.org",
                name=f"Attendee {i}",
                password_hash=password_hash,
                career_stage=CareerStage.FACULTY,
            )
            db.add(user)
            db.flush()
            add_to_agenda(db, user, meeting, FULL_WORKSHOP, meeting.updated_at)
    engine.dispose()
    return FULL_WORKSHOP


def overlapping_pair_and_one_more(base_url: str) -> tuple[str, str, str]:
    """Two open sessions that overlap and a third that overlaps neither (from the API)."""
    sessions = api(base_url, "/api/sessions?day=2020-12-06&audience=everyone&per_page=200")[
        "sessions"
    ]
    plain = [s for s in sessions if s["capacity"] is None and s["parent"] is None]
    for a in plain:
        for b in plain:
            if a["code"] < b["code"] and a["start"] < b["end"] and b["start"] < a["end"]:
                apart = (
                    s
                    for s in plain
                    if s["end"] <= min(a["start"], b["start"])
                    or s["start"] >= max(a["end"], b["end"])
                )
                third = next(apart, None)
                if third is not None:
                    return a["code"], b["code"], third["code"]
    raise AssertionError("the demo program has no overlapping sessions on 6 December")


def add_from_session_page(page: Page, code: str) -> None:
    page.goto(f"/sessions/{code}")
    page.get_by_role("button", name=re.compile(r"^Add .* to my agenda$")).click()


def test_fellow_builds_an_agenda_with_a_conflict_and_a_waitlist(
    page: Page, demo_server: str, full_workshop: str, screenshots: Path
) -> None:
    first, second, third = overlapping_pair_and_one_more(demo_server)
    titles = {c: api(demo_server, f"/api/sessions/{c}")["title"] for c in (first, second, third)}

    page.goto("/register")
    page.get_by_label("Full name").fill("Ifeoma Adeyemi")
    page.get_by_label("Email").fill("ifeoma.fellow@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_label("Career stage").select_option("fellow")
    page.get_by_label("Your time zone").select_option("Africa/Lagos")
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/agenda$"))
    for code in (first, second, third):
        add_from_session_page(page, code)
    page.goto("/agenda")

    items = page.locator("[data-agenda-item]")
    expect(items).to_have_count(3)
    expect(page.get_by_text(f"Overlaps with {titles[second]}")).to_be_visible()
    expect(page.get_by_text(f"Overlaps with {titles[first]}")).to_be_visible()
    page.screenshot(path=str(screenshots / "agenda-conflict.png"), full_page=True)

    page.get_by_role("button", name=f"Remove {titles[second]} from my agenda").click()
    expect(page.locator("[data-agenda-item]")).to_have_count(2)
    expect(page.locator(".conflict-note")).to_have_count(0)

    add_from_session_page(page, full_workshop)
    page.goto("/agenda")
    waitlisted = page.locator(f'[data-agenda-item="{full_workshop}"]')
    expect(waitlisted).to_have_attribute("data-state", "waitlisted")
    expect(waitlisted.get_by_text("Number 1 on the waitlist")).to_be_visible()
    page.screenshot(path=str(screenshots / "agenda-waitlist.png"), full_page=True)
