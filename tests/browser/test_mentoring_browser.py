"""A speed-mentoring round in the browser: the host starts it, a trainee meets a mentor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.e2e

ROOM = "CAREER-MENTOR-2"  # a Blood Buddies rotation, on at the demo clock


def enter(chromium: Browser, base: str, email: str, password: str) -> Page:
    page = signed_in_page(chromium, base, email, password, f"/live/{ROOM}")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


@pytest.fixture
def rotation(chromium: Browser, demo_server: str) -> Iterator[tuple[Page, Page, Page]]:
    trainee = enter(chromium, demo_server, "fellow@demo.meeting", "demo-fellow-2020")
    mentor = enter(chromium, demo_server, "member@demo.meeting", "demo-member-2020")
    host = enter(chromium, demo_server, "chair@demo.meeting", "demo-chair-2020")
    yield trainee, mentor, host
    for page in (trainee, mentor, host):
        page.context.close()


def test_trainee_and_mentor_are_paired_and_talk_privately(
    rotation: tuple[Page, Page, Page], screenshots: Path
) -> None:
    trainee, mentor, host = rotation

    host.get_by_label("Mentoring rounds").fill("2")
    host.get_by_label("Minutes per round").fill("5")
    host.get_by_role("button", name="Start speed mentoring").click()
    expect(trainee.locator("#breakout-status")).to_contain_text("Speed mentoring: round 1 of 2, 4:")
    trainee.get_by_label("Message your group").fill(
        "Hello, I am interested in sickle cell research"
    )
    trainee.locator("#group-chat-form").get_by_role("button", name="Send").click()
    expect(mentor.locator("#group-chat")).to_contain_text("sickle cell research")
    expect(trainee.locator("#breakout-members")).to_have_text("Lars Nilsson")
    trainee.screenshot(path=str(screenshots / "mentoring-trainee.png"), full_page=True)
    host.get_by_role("button", name="Stop").click()
    expect(trainee.locator("#breakout-panel")).to_be_hidden()
    expect(host.locator("#group-chat")).not_to_contain_text("sickle cell research")
