"""Two attendees and a moderator in one live room, each in their own browser context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, signed_in_page

pytestmark = pytest.mark.e2e

ROOM = "LYM-101"  # live at the demo clock (10:20 Pacific on 5 December)


@pytest.fixture
def people(chromium: Browser, demo_server: str) -> Iterator[dict[str, Page]]:
    pages = {}
    for name, email, password in [
        ("fellow", "fellow@demo.meeting", "demo-fellow-2020"),
        ("member", "member@demo.meeting", "demo-member-2020"),
        ("chair", "chair@demo.meeting", "demo-chair-2020"),
    ]:
        page = signed_in_page(chromium, demo_server, email, password, f"/live/{ROOM}")
        expect(page.locator("#connection")).to_have_text("Connected")
        pages[name] = page
    yield pages
    for page in pages.values():
        page.context.close()


def question_texts(page: Page) -> list[str]:
    return page.locator("#questions .question-text").all_inner_texts()


def test_questions_upvotes_and_a_poll_between_two_browsers(
    people: dict[str, Page], screenshots: Path
) -> None:
    fellow, member, chair = people["fellow"], people["member"], people["chair"]

    for text in ("Which patients benefit most?", "How long was the follow-up?"):
        fellow.get_by_label("Ask the speakers").fill(text)
        fellow.get_by_role("button", name="Ask", exact=True).click()
    expect(member.locator("#questions li")).to_have_count(2)
    first_order = question_texts(member)
    member.get_by_role("button", name="Upvote: How long was the follow-up?").click()
    expect(fellow.locator("#questions li").first).to_contain_text("How long was the follow-up?")

    chair.get_by_label("New poll question").fill("Would you enrol your patients?")
    chair.get_by_label("Answers, one per line (2 to 6)").fill("Yes\nNo\nNot sure")
    chair.get_by_role("button", name="Open poll").click()
    expect(fellow.locator("#poll .poll-question")).to_have_text("Would you enrol your patients?")
    fellow.locator("#poll").get_by_role("button", name="Yes").click()
    member.locator("#poll").get_by_role("button", name="Not sure").click()
    expect(chair.locator("#poll")).to_contain_text("1 (50%)")
    fellow.screenshot(path=str(screenshots / "live-fellow.png"), full_page=True)
    chair.screenshot(path=str(screenshots / "live-moderator.png"), full_page=True)

    assert first_order == ["Which patients benefit most?", "How long was the follow-up?"]
    assert question_texts(fellow) == ["How long was the follow-up?", "Which patients benefit most?"]
    assert chair.locator("#poll li").all_inner_texts()[0].endswith("1 (50%)")


def test_a_moderator_on_a_phone_keeps_remove_and_mute_on_one_line(
    chromium: Browser, demo_server: str, screenshots: Path
) -> None:
    fellow = signed_in_page(
        chromium, demo_server, "fellow@demo.meeting", "demo-fellow-2020", f"/live/{ROOM}"
    )
    chair = signed_in_page(
        chromium, demo_server, "chair@demo.meeting", "demo-chair-2020", f"/live/{ROOM}", PHONE
    )
    try:
        expect(chair.locator("#connection")).to_have_text("Connected")
        expect(fellow.locator("#connection")).to_have_text("Connected")
        text = "Does the response hold in patients over seventy with bulky disease?"
        fellow.locator("#chat-text").fill(text)
        fellow.locator("#chat-text").press("Enter")
        message = chair.locator("#chat li", has_text=text)
        expect(message.get_by_role("button", name="Remove")).to_be_visible()
        expect(message.get_by_role("button", name="Mute")).to_be_visible()
        chair.screenshot(path=str(screenshots / "live-moderator-phone.png"), full_page=True)
        # Wherever a message's last line ends, the two buttons share a line: try the text
        # cut at every length, so one of them ends just before the line is full.
        splits = chair.evaluate(
            """(text) => {
                const li = [...document.querySelectorAll("#chat li")].find(
                    (node) => node.textContent.includes(text));
                const span = li.querySelector("span");
                const [remove, mute] = li.querySelectorAll("button");
                const split = [];
                for (let n = 1; n <= text.length; n++) {
                    span.textContent = text.slice(0, n);
                    const a = remove.getBoundingClientRect(), b = mute.getBoundingClientRect();
                    if (Math.abs(a.top - b.top) > 1) split.push(n);
                }
                span.textContent = text;
                return split;
            }""",
            text,
        )
        assert splits == []
        assert chair.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        fellow.context.close()
        chair.context.close()
