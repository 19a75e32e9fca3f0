"""The program as an attendee uses it: filters, time zones, session pages, a phone-sized home."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

DEMO_NOW = datetime.fromisoformat("2020-12-05T10:20:00-08:00")


def fetch_json(url: str) -> Any:
    """What the JSON API says, to compare the pages with."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own local server)
        return json.load(response)


def api_sessions(base_url: str, query: str = "") -> list[dict[str, Any]]:
    sessions: list[dict[str, Any]] = fetch_json(f"{base_url}/api/sessions?per_page=200&{query}")[
        "sessions"
    ]
    return sessions


def card_codes(page: Page) -> list[str]:
    codes: list[str] = page.locator("article.card").evaluate_all(
        "cards => cards.map(card => card.dataset.session)"
    )
    return codes


def test_program_filtered_by_kind_lists_only_workshops(
    page: Page, demo_server: str, screenshots: Path
) -> None:
    expected = [s["code"] for s in api_sessions(demo_server, "kind=workshop")]
    page.goto("/program")
    page.screenshot(path=screenshots / "program.png")

    page.get_by_label("Kind").select_option("workshop")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    badges = page.locator("article.card .badge-kind").all_inner_texts()
    assert card_codes(page) == expected
    assert badges == ["Workshop"] * len(expected)
    assert page.locator(".page-sub").inner_text() == f"{len(expected)} sessions match your filters"
    page.screenshot(path=screenshots / "program-workshops.png", full_page=True)


def test_time_zone_selector_shows_the_program_in_tokyo_time(
    page: Page, demo_server: str, screenshots: Path
) -> None:
    workshop = api_sessions(demo_server, "kind=workshop")[0]
    tokyo_start = datetime.fromisoformat(workshop["start"]).astimezone(ZoneInfo("Asia/Tokyo"))
    page.goto("/program?kind=workshop")
    card = page.locator(f'article[data-session="{workshop["code"]}"]')
    pacific_time = card.locator("time").first.inner_text()

    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_load_state()

    shown = (
        page.locator(".tz-current").inner_text(),
        card.locator("time").first.inner_text(),
        card.locator("time").first.get_attribute("datetime"),
        page.locator(".day-heading").first.inner_text(),
    )
    assert shown == (
        "Times in Asia/Tokyo (UTC+09:00)",
        f"{tokyo_start:%H:%M}",
        workshop["start"],
        f"{tokyo_start:%A}, {tokyo_start.day} {tokyo_start:%B %Y}",
    )
    assert pacific_time != f"{tokyo_start:%H:%M}"
    assert card_codes(page) == [s["code"] for s in api_sessions(demo_server, "kind=workshop")]
    page.screenshot(path=screenshots / "program-tokyo.png", full_page=True)


def test_session_page_shows_title_and_speakers(
    page: Page, demo_server: str, screenshots: Path
) -> None:
    workshop = api_sessions(demo_server, "kind=workshop")[0]
    expected_people = [
        f"{p['name']}, {p['degrees']}" if p["degrees"] else p["name"] for p in workshop["speakers"]
    ]
    page.goto("/program?kind=workshop")

    page.get_by_role("link", name=workshop["title"], exact=True).click()
    page.wait_for_load_state()

    assert page.url == f"{demo_server}/sessions/{workshop['code']}"
    assert page.get_by_role("heading", level=1).inner_text() == workshop["title"]
    assert page.locator(".people .person-name").all_inner_texts() == expected_people
    page.screenshot(path=screenshots / "session.png", full_page=True)


def test_parent_session_page_lists_its_tables(
    page: Page, demo_server: str, screenshots: Path
) -> None:
    lunch = fetch_json(f"{demo_server}/api/sessions/CAREER-LUNCH")

    page.goto("/sessions/CAREER-LUNCH")

    rows = page.locator(".child-grid [data-session]").evaluate_all(
        "rows => rows.map(row => row.dataset.session)"
    )
    assert rows == lunch["children"]
    page.screenshot(path=screenshots / "session-children.png", full_page=True)


def test_speaker_page_lists_their_sessions(page: Page, demo_server: str, screenshots: Path) -> None:
    workshop = api_sessions(demo_server, "kind=workshop")[0]
    chair = workshop["speakers"][0]
    expected = [
        s["code"]
        for s in api_sessions(demo_server)
        if any(p["id"] == chair["id"] for p in s["speakers"])
    ]

    page.goto(f"/speakers/{chair['id']}")

    assert page.get_by_role("heading", level=1).inner_text() == (
        f"{chair['name']}, {chair['degrees']}"
    )
    assert card_codes(page) == expected
    page.screenshot(path=screenshots / "speaker.png", full_page=True)


def test_home_fits_a_phone_and_shows_what_is_live(
    phone: Page, demo_server: str, screenshots: Path
) -> None:
    live = [
        s["code"]
        for s in api_sessions(demo_server)
        if s["status"] == "scheduled"
        and datetime.fromisoformat(s["start"]) <= DEMO_NOW < datetime.fromisoformat(s["end"])
    ]

    phone.goto("/")

    page_width = phone.evaluate("document.documentElement.scrollWidth")
    live_codes = phone.locator('section[aria-labelledby="live-title"] article.card').evaluate_all(
        "cards => cards.map(card => card.dataset.session)"
    )
    assert page_width == 390
    assert live_codes == live
    phone.screenshot(path=screenshots / "home-mobile.png")
    phone.screenshot(path=screenshots / "home-mobile-full.png", full_page=True)


def test_program_fits_a_phone(phone: Page, screenshots: Path) -> None:
    phone.goto("/program?day=2020-12-05")

    page_width = phone.evaluate("document.documentElement.scrollWidth")

    assert page_width == 390
    phone.screenshot(path=screenshots / "program-mobile.png")


def test_skip_link_is_the_first_stop_for_keyboard_users(page: Page) -> None:
    page.goto("/program")

    page.keyboard.press("Tab")
    first_stop = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")

    assert first_stop == "Skip to main content"
    assert page.evaluate("document.activeElement.id") == "main"


def test_home_on_a_desktop(page: Page, screenshots: Path) -> None:
    page.goto("/")

    headings = page.locator("h1, h2").all_text_contents()

    assert headings[:4] == [
        "62nd ASH Annual Meeting and Exposition",
        "Program by day",
        "Live now",
        "Next up",
    ]
    page.screenshot(path=screenshots / "home.png", full_page=True)


def test_bad_filter_shows_an_error_page(page: Page, screenshots: Path) -> None:
    response = page.goto("/program?kind=banquet&day=2020-13-01")

    problems = page.locator(".problems li").all_inner_texts()

    assert response is not None
    assert (response.status, len(problems)) == (400, 2)
    page.screenshot(path=screenshots / "error.png", full_page=True)
