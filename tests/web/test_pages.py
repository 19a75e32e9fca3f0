"""Program pages through the Starlette test client, on both databases."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from meeting.program.document import ProgramDocument

pytestmark = pytest.mark.integration


def session_codes(html: str) -> list[str]:
    """Codes of the session cards on a page, in order (cards link to /sessions/{code})."""
    return re.findall(r'data-session="([^"]+)"', html)


def test_program_lists_sessions_in_time_order(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/program")

    assert response.status_code == 200
    assert session_codes(response.text) == [
        "WS-101",
        "PLEN-01",
        "LUNCH",
        "LUNCH-T1",
        "LUNCH-T2",
        "LYM-201",
        "REC-01",
        "LATE-01",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=workshop", ["WS-101"]),
        ("track=lymphoma", ["PLEN-01", "LYM-201"]),
        ("audience=trainees&day=2020-12-06", ["LUNCH", "LUNCH-T1", "LUNCH-T2"]),
        ("q=m%C3%BCller", ["WS-101", "PLEN-01"]),
        ("q=lymphoma+therapies", ["LYM-201"]),
        ("q=100%25", []),
    ],
)
def test_program_filters(
    client: TestClient, program: ProgramDocument, query: str, expected: list[str]
) -> None:
    response = client.get(f"/program?{query}")

    assert (response.status_code, session_codes(response.text)) == (200, expected)


def test_day_filter_uses_the_viewers_zone(client: TestClient, program: ProgramDocument) -> None:
    # 20:00 on 8 December in California is already 9 December in Tokyo.
    response = client.get("/program?tz=Asia/Tokyo&day=2020-12-09")

    assert session_codes(response.text) == ["LATE-01"]
    assert "13:00" in response.text
    assert (response.cookies.get("tz") or "").strip('"') == "Asia/Tokyo"


def test_remembered_zone_is_used_on_the_next_page(
    client: TestClient, program: ProgramDocument
) -> None:
    client.get("/program?tz=Australia/Sydney")

    response = client.get("/sessions/PLEN-01")

    # 09:00 PST on 5 Dec = 17:00 UTC = 04:00 AEDT on 6 Dec.
    assert re.search(r"04:00\s*(\u2013|-|to)\s*05:30", response.text)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=banquet", "kind"),
        ("day=2020-13-01", "day"),
        ("tz=Mars/Base", "tz"),
        ("audience=vip", "audience"),
    ],
)
def test_bad_filter_values_are_400_with_a_message(
    client: TestClient, program: ProgramDocument, query: str, field: str
) -> None:
    response = client.get(f"/program?{query}")

    assert response.status_code == 400
    assert query.split("=")[1] in response.text


def test_session_page_shows_speakers_and_children(
    client: TestClient, program: ProgramDocument
) -> None:
    lunch = client.get("/sessions/LUNCH")
    plenary = client.get("/sessions/PLEN-01")

    assert lunch.status_code == 200
    assert session_codes(lunch.text) == ["LUNCH-T1", "LUNCH-T2"]
    assert "Lachelle Weeks" in plenary.text
    assert "Jürgen Müller" in plenary.text


def test_unknown_session_is_a_helpful_404(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/sessions/NOPE")

    assert response.status_code == 404
    assert "There is no session with the code &#39;NOPE&#39;" in response.text


def test_unknown_path_is_a_404_page(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/no/such/page")

    assert (response.status_code, "Nothing lives at /no/such/page." in response.text) == (404, True)


def test_speaker_page_lists_their_sessions(client: TestClient, program: ProgramDocument) -> None:
    html = client.get("/program?q=m%C3%BCller").text
    speaker_id = re.findall(r'href="/speakers/(\d+)"', client.get("/sessions/WS-101").text)[0]

    response = client.get(f"/speakers/{speaker_id}")

    assert response.status_code == 200
    assert "Jürgen Müller" in response.text
    assert session_codes(response.text) == session_codes(html)


def test_home_shows_live_now_and_next_up(client: TestClient, program: ProgramDocument) -> None:
    # The test clock reads 10:20 Pacific on 5 December: the plenary is live.
    response = client.get("/")

    assert response.status_code == 200
    live, _, upcoming = response.text.partition('id="next-up"')
    assert session_codes(live) == ["PLEN-01"]
    assert session_codes(upcoming)[:2] == ["LUNCH", "LUNCH-T1"]


def test_other_meetings_live_under_their_slug(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/m/test-2020/sessions/LYM-201")
    missing = client.get("/m/nope/program")

    assert (response.status_code, "Advances in Lymphoma" in response.text) == (200, True)
    assert (missing.status_code, "There is no meeting called &#39;nope&#39;" in missing.text) == (
        404,
        True,
    )


def test_user_text_is_escaped(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/program?q=<script>alert(1)</script>")

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_no_meeting_loaded_says_how_to_load_one(client: TestClient) -> None:
    response = client.get("/program")

    assert response.status_code == 404
    assert "meeting import FILE" in response.text
