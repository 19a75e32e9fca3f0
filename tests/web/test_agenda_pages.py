"""Accounts and agenda in the browser's shape: forms with CSRF, redirects, what /agenda shows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from meeting.agenda.service import add_to_agenda
from meeting.db import SessionFactory, transaction
from meeting.enums import SessionStatus
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.conftest import NOW, import_document
from tests.factories import make_user, pacific, with_session

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def register(client: TestClient, **fields: str) -> None:
    token = csrf_of(client.get("/register").text)
    form = {
        "email": "fellow@example.org",
        "name": "Amara Okafor",
        "password": PASSWORD,
        "career_stage": "fellow",
        "timezone": "",
        "csrf_token": token,
        **fields,
    }
    response = client.post("/register", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/agenda")


def post_form(client: TestClient, path: str, **fields: str) -> object:
    token = csrf_of(client.get("/program").text)
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def agenda_items(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-agenda-item="([^"]+)" data-state="([^"]+)"', html)


def test_agenda_needs_an_account(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/agenda", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/agenda")


def test_register_then_add_sessions_and_see_the_conflict(
    client: TestClient, program: ProgramDocument
) -> None:
    register(client)

    for code in ("LUNCH-T1", "LYM-201", "LUNCH-T2"):
        post_form(client, "/agenda/add", code=code, next="/program")
    page = client.get("/agenda").text

    assert agenda_items(page) == [
        ("LUNCH-T1", "confirmed"),
        ("LUNCH-T2", "confirmed"),
        ("LYM-201", "confirmed"),
    ]
    assert "Overlaps with Table: Industry" in page
    assert "Overlaps with Table: Medical education" in page


def test_form_without_csrf_token_is_refused(client: TestClient, program: ProgramDocument) -> None:
    register(client)

    response = client.post("/agenda/add", data={"code": "LYM-201"}, follow_redirects=False)

    assert response.status_code == 403
    assert "This form has expired or came from another site" in response.text
    assert agenda_items(client.get("/agenda").text) == []


def test_refusal_page_says_why(client: TestClient, program: ProgramDocument) -> None:
    register(client, career_stage="faculty")

    response = post_form(client, "/agenda/add", code="LUNCH-T1")

    assert getattr(response, "status_code", None) == 403
    assert "This event is for trainees only" in getattr(response, "text", "")


def test_full_workshop_puts_me_on_the_waitlist(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    with transaction(db_factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        for _ in range(2):
            add_to_agenda(db, make_user(db), meeting, "WS-101", NOW)
    register(client)

    post_form(client, "/agenda/add", code="WS-101")
    page = client.get("/agenda").text

    assert agenda_items(page) == [("WS-101", "waitlisted")]
    assert "Number 1 on the waitlist" in page


def test_moved_and_cancelled_sessions_are_shown_as_changed(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    register(client, timezone="Asia/Tokyo")
    post_form(client, "/agenda/add", code="LYM-201")
    post_form(client, "/agenda/add", code="PLEN-01")

    moved = with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16, 30))
    cancelled = with_session(moved, "PLEN-01", status=SessionStatus.CANCELLED)
    import_document(db_factory, cancelled)
    page = client.get("/agenda").text

    # In Tokyo: 13:00 PST on 6 Dec was 06:00 on 7 Dec; 15:00 PST is 08:00.
    assert re.search(
        r"Moved since you added it: was\s+<del>Mon 7 Dec 06:00\u201307:30</del>,\s+"
        r"now <ins>Mon 7 Dec 08:00\u201309:30</ins>",
        page,
    )
    assert "Cancelled by the organizers" in page


def test_wrong_password_says_so_and_sets_no_session(
    client: TestClient, program: ProgramDocument
) -> None:
    register(client)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/program").text)})

    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": "fellow@example.org", "password": "nope nope nope", "csrf_token": token},
    )

    assert response.status_code == 400
    assert "That email and password do not match an account." in response.text
    assert client.get("/agenda", follow_redirects=False).status_code == 303
