"""Calendars over HTTP: the public feeds, my agenda feed by secret token, 304s, rotation, limits."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx2
import pytest
from icalendar import Alarm, Calendar
from sqlalchemy import select
from starlette.testclient import TestClient

from meeting.agenda.service import add_to_agenda
from meeting.clock import FrozenClock
from meeting.db import SessionFactory, transaction
from meeting.enums import SessionStatus
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.calendars.readers import read_with_both
from tests.conftest import NOW, import_document
from tests.factories import make_meeting, make_program, make_user, pacific, with_session

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
CALENDAR = "text/calendar; charset=utf-8"
LATER = NOW + timedelta(hours=1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def register(client: TestClient) -> None:
    form = {
        "email": "fellow@example.org",
        "name": "Amara Okafor",
        "password": PASSWORD,
        "career_stage": "fellow",
        "timezone": "",
        "csrf_token": csrf_of(client.get("/register").text),
    }
    response = client.post("/register", data=form, follow_redirects=False)
    assert response.status_code == 303


def post_form(client: TestClient, path: str, **fields: str) -> int:
    """Submit a form as the browser does (with the CSRF token); the status code."""
    token = csrf_of(client.get("/program").text)
    data = {"csrf_token": token, **fields}
    return client.post(path, data=data, follow_redirects=False).status_code


def feed_links(client: TestClient) -> tuple[str, str]:
    """(webcal link, https link) from the agenda page's Subscribe box."""
    page = client.get("/agenda").text
    webcal = re.search(r'href="([^"]+)" data-feed="webcal"', page)
    https = re.search(r'href="([^"]+)" data-feed="https"', page)
    assert webcal is not None
    assert https is not None
    return webcal.group(1), https.group(1)


def subscribe(client: TestClient, *codes: str) -> str:
    """Register, add sessions, and return the feed's path (read from /agenda)."""
    register(client)
    for code in codes:
        post_form(client, "/agenda/add", code=code)
    _webcal, https = feed_links(client)
    return https.removeprefix("https://meeting.test")


def fetch_feed(client: TestClient, path: str, **headers: str) -> httpx2.Response:
    """GET as a calendar client does: no cookies."""
    client.cookies.clear()
    return client.get(path, headers=headers)


def statuses(body: bytes) -> list[tuple[str, str, int]]:
    return [(e.uid.split("@")[0], e.status, e.sequence) for e in read_with_both(body)]


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        (
            "/program.ics",
            ["WS-101", "PLEN-01", "LUNCH", "LUNCH-T1", "LUNCH-T2", "LYM-201", "REC-01", "LATE-01"],
        ),
        (
            "/m/test-2020/program.ics",
            ["WS-101", "PLEN-01", "LUNCH", "LUNCH-T1", "LUNCH-T2", "LYM-201", "REC-01", "LATE-01"],
        ),
        ("/tracks/lymphoma.ics", ["PLEN-01", "LYM-201"]),
        ("/sessions/PLEN-01.ics", ["PLEN-01"]),
    ],
)
def test_public_calendars(
    client: TestClient, program: ProgramDocument, path: str, codes: list[str]
) -> None:
    response = client.get(path)

    assert (response.status_code, response.headers["content-type"]) == (200, CALENDAR)
    assert response.headers["cache-control"] == "public, max-age=300, must-revalidate"
    assert [uid for uid, _status, _seq in statuses(response.content)] == codes


def vevent_of(body: bytes, uid: str) -> bytes:
    events: list[bytes] = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", body, re.S)
    return next(e for e in events if f"UID:{uid}\r\n".encode() in e)


def test_a_session_is_the_same_event_in_every_calendar(
    client: TestClient, program: ProgramDocument
) -> None:
    uid = "PLEN-01@test-2020.meeting"

    bodies = [
        client.get(p).content
        for p in ("/program.ics", "/tracks/lymphoma.ics", "/sessions/PLEN-01.ics")
    ]

    events = [vevent_of(body, uid) for body in bodies]
    assert events[0] == events[1] == events[2]


@pytest.mark.parametrize("path", ["/tracks/nope.ics", "/sessions/NOPE.ics"])
def test_unknown_track_or_session_is_404(
    client: TestClient, program: ProgramDocument, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "There is no" in response.text


@pytest.mark.parametrize("path", ["/program.ics", "/tracks/lymphoma.ics", "/sessions/PLEN-01.ics"])
def test_public_calendars_answer_conditional_gets(
    client: TestClient, program: ProgramDocument, path: str
) -> None:
    first = client.get(path)

    by_etag = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    by_date = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})

    assert (by_etag.status_code, by_etag.content, by_etag.headers["etag"]) == (
        304,
        b"",
        first.headers["etag"],
    )
    assert (by_date.status_code, stale.status_code, stale.content) == (304, 200, first.content)


def test_session_calendar_changes_when_the_session_moves(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    before = client.get("/sessions/LYM-201.ics")

    import_document(
        db_factory,
        with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16)),
        now=LATER,
    )
    after = client.get(
        "/sessions/LYM-201.ics",
        headers={
            "If-None-Match": before.headers["etag"],
        },
    )
    by_date = client.get(
        "/sessions/LYM-201.ics", headers={"If-Modified-Since": before.headers["last-modified"]}
    )

    assert (after.status_code, by_date.status_code) == (200, 200)
    assert statuses(after.content) == [("LYM-201", "CONFIRMED", 1)]


def test_agenda_page_offers_the_subscription(client: TestClient, program: ProgramDocument) -> None:
    register(client)

    page = client.get("/agenda").text
    webcal, https = feed_links(client)

    token = https.removeprefix("https://meeting.test/feeds/").removesuffix(".ics")
    assert (webcal, https) == (
        f"webcal://meeting.test/feeds/{token}.ics",
        f"https://meeting.test/feeds/{token}.ics",
    )
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert "Replace link" in page
    assert "The old one stops working at once" in page
    assert re.findall(r'<option value="([^"]+)"', page) == [
        "none",
        "5",
        "10",
        "15",
        "30",
        "1",
        "3",
        "7",
        "14",
        "30",
    ]


def test_my_feed_has_confirmed_and_waitlisted_sessions(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    with transaction(db_factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        for _ in range(2):
            add_to_agenda(db, make_user(db), meeting, "WS-101", NOW)
    path = subscribe(client, "LYM-201", "WS-101")

    response = fetch_feed(client, path)

    assert (response.status_code, response.headers["content-type"]) == (200, CALENDAR)
    assert response.headers["cache-control"] == "private, max-age=300, must-revalidate"
    assert statuses(response.content) == [
        ("WS-101", "TENTATIVE", 0),
        ("LYM-201", "CONFIRMED", 0),
    ]


def test_my_feed_is_stable_and_answers_304(client: TestClient, program: ProgramDocument) -> None:
    path = subscribe(client, "LYM-201")

    first = fetch_feed(client, path)
    second = fetch_feed(client, path)
    by_etag = fetch_feed(client, path, **{"If-None-Match": first.headers["etag"]})
    by_date = fetch_feed(client, path, **{"If-Modified-Since": first.headers["last-modified"]})

    assert (second.content, second.headers["etag"]) == (first.content, first.headers["etag"])
    assert second.headers["last-modified"] == first.headers["last-modified"]
    assert (by_etag.status_code, by_etag.content, by_date.status_code) == (304, b"", 304)


def test_a_moved_session_comes_with_a_higher_sequence(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201", "PLEN-01")
    before = fetch_feed(client, path)

    moved = with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16, 30))
    import_document(db_factory, moved, now=LATER)
    after = fetch_feed(client, path, **{"If-None-Match": before.headers["etag"]})
    again = fetch_feed(client, path, **{"If-None-Match": after.headers["etag"]})

    assert after.status_code == 200
    assert [(e.uid, e.sequence, e.start.hour) for e in read_with_both(after.content)] == [
        ("PLEN-01@test-2020.meeting", 0, 17),
        ("LYM-201@test-2020.meeting", 1, 23),
    ]
    assert again.status_code == 304


def test_last_modified_moves_when_i_remove_a_session(
    client: TestClient, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201", "PLEN-01")
    before = fetch_feed(client, path)

    client.post(
        "/login",
        data={
            "email": "fellow@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_of(client.get("/login").text),
        },
    )
    post_form(client, "/agenda/remove", code="PLEN-01")
    after = fetch_feed(client, path, **{"If-Modified-Since": before.headers["last-modified"]})

    assert after.status_code == 200
    assert statuses(after.content) == [("LYM-201", "CONFIRMED", 0)]
    assert after.headers["last-modified"] != before.headers["last-modified"]


def test_cancelled_session_stays_for_a_week_then_leaves(
    client: TestClient, clock: FrozenClock, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201", "PLEN-01")
    clock.set(LATER)
    import_document(
        db_factory, with_session(program, "PLEN-01", status=SessionStatus.CANCELLED), now=LATER
    )

    kept = fetch_feed(client, path)
    clock.advance(timedelta(days=7))
    dropped = fetch_feed(client, path)

    assert statuses(kept.content) == [("PLEN-01", "CANCELLED", 1), ("LYM-201", "CONFIRMED", 0)]
    assert statuses(dropped.content) == [("LYM-201", "CONFIRMED", 0)]


def test_settings_add_reminders_and_shorten_the_grace(
    client: TestClient, clock: FrozenClock, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201", "PLEN-01")
    saved = post_form(client, "/agenda/calendar/settings", reminder="10", keep_cancelled_days="1")
    import_document(
        db_factory, with_session(program, "PLEN-01", status=SessionStatus.CANCELLED), now=NOW
    )
    clock.advance(timedelta(days=1, seconds=1))

    body = fetch_feed(client, path).content

    events = Calendar.from_ical(body).events
    assert saved == 303
    assert [
        (e.uid, [a.TRIGGER for a in e.subcomponents if isinstance(a, Alarm)]) for e in events
    ] == [("LYM-201@test-2020.meeting", [timedelta(minutes=-10)])]


def test_settings_outside_the_choices_are_refused(
    client: TestClient, program: ProgramDocument
) -> None:
    register(client)
    token = csrf_of(client.get("/agenda").text)

    response = client.post(
        "/agenda/calendar/settings",
        data={"csrf_token": token, "reminder": "7", "keep_cancelled_days": "7"},
    )

    assert response.status_code == 400
    assert "choose no reminder or 5, 10, 15 or 30 minutes" in response.text


def test_settings_and_replacing_need_the_csrf_token(
    client: TestClient, program: ProgramDocument
) -> None:
    register(client)

    refused = [
        client.post(path, data={"reminder": "5", "keep_cancelled_days": "7"}).status_code
        for path in ("/agenda/calendar/settings", "/agenda/calendar/link")
    ]

    assert refused == [403, 403]


def test_replacing_the_link_retires_the_old_one(
    client: TestClient, program: ProgramDocument
) -> None:
    old_path = subscribe(client, "LYM-201")

    replaced = post_form(client, "/agenda/calendar/link")
    _webcal, https = feed_links(client)
    new_path = https.removeprefix("https://meeting.test")
    old = fetch_feed(client, old_path)
    new = fetch_feed(client, new_path)

    assert (replaced, new_path != old_path) == (303, True)
    assert (old.status_code, old.content, old.headers.get("etag")) == (404, b"Not found\n", None)
    assert (new.status_code, statuses(new.content)) == (200, [("LYM-201", "CONFIRMED", 0)])


def test_unknown_and_malformed_tokens_look_alike(
    client: TestClient, program: ProgramDocument
) -> None:
    unknown = client.get("/feeds/" + "A" * 43 + ".ics")
    malformed = client.get("/feeds/not-a-token.ics")

    assert [
        (r.status_code, r.content, r.headers["content-type"]) for r in (unknown, malformed)
    ] == [
        (404, b"Not found\n", "text/plain; charset=utf-8"),
    ] * 2


def test_guessing_gets_429_but_my_token_keeps_working(
    client: TestClient, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201")

    guesses = [client.get(f"/feeds/guess{n:038d}.ics").status_code for n in range(21)]
    mine = fetch_feed(client, path)

    assert guesses == [404] * 20 + [429]
    assert mine.status_code == 200


def test_my_feed_is_also_served_under_the_meeting_mount(
    client: TestClient, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201")

    response = fetch_feed(client, "/m/test-2020" + path)

    assert statuses(response.content) == [("LYM-201", "CONFIRMED", 0)]


def test_session_page_links_its_calendar(client: TestClient, program: ProgramDocument) -> None:
    page = client.get("/sessions/PLEN-01").text

    assert re.findall(r'<a href="([^"]+\.ics)"', page) == ["/sessions/PLEN-01.ics"]


def test_same_code_in_two_meetings_gives_each_its_own_event(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    earlier = make_program(
        meeting=make_meeting(
            slug="test-2019", start_date=date(2019, 12, 7), end_date=date(2019, 12, 10)
        )
    )
    import_document(db_factory, earlier)

    default = client.get("/sessions/PLEN-01.ics")
    other = client.get("/m/test-2019/sessions/PLEN-01.ics")

    assert [e.uid for e in read_with_both(default.content)] == ["PLEN-01@test-2020.meeting"]
    assert [e.uid for e in read_with_both(other.content)] == ["PLEN-01@test-2019.meeting"]
