"""The attendee's agenda over JSON and organizers' PATCH: auth, rules, stable errors."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from meeting.db import SessionFactory, transaction
from meeting.enums import Role
from meeting.program.document import ProgramDocument
from tests.factories import make_user

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def signed_in(
    client: TestClient,
    db_factory: SessionFactory,
    *,
    role: Role = Role.ATTENDEE,
    stage: str = "fellow",
) -> TestClient:
    with transaction(db_factory) as db:
        user = make_user(db, role=role, career_stage=stage)
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


def test_agenda_api_needs_a_session(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/api/me/agenda")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_put_list_delete(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    api = signed_in(client, db_factory)

    put = api.put("/api/me/agenda/LYM-201").json()
    listed = api.get("/api/me/agenda").json()
    deleted = api.delete("/api/me/agenda/LYM-201").json()

    assert put == {"code": "LYM-201", "state": "confirmed", "waitlist_position": None}
    assert [(s["code"], s["state"], s["conflicts_with"]) for s in listed["sessions"]] == [
        ("LYM-201", "confirmed", [])
    ]
    assert deleted == {"code": "LYM-201", "state": None, "waitlist_position": None}
    assert api.get("/api/me/agenda").json()["sessions"] == []


def test_refusal_is_403_with_the_reason(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    api = signed_in(client, db_factory, stage="industry")

    response = api.put("/api/me/agenda/LUNCH-T1")

    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("This event is for trainees only")


def test_organizer_moves_a_session_and_the_agenda_shows_it(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    api = signed_in(client, db_factory, role=Role.ORGANIZER)
    api.put("/api/me/agenda/LYM-201")

    response = api.patch(
        "/api/sessions/LYM-201", json={"start": "2020-12-07T09:00:00-08:00", "room": "ch2"}
    )
    agenda = api.get("/api/me/agenda").json()["sessions"][0]

    assert [c["kind"] for c in response.json()["changes"]] == ["moved", "room-changed"]
    assert agenda["start"] == "2020-12-07T17:00:00+00:00"
    assert agenda["end"] == "2020-12-07T18:30:00+00:00"
    assert agenda["changed_since_added"] == ["moved", "room-changed"]
    assert agenda["moved_from"] == {
        "start": "2020-12-06T21:00:00+00:00",
        "end": "2020-12-06T22:30:00+00:00",
    }
    assert client.get("/api/meetings").json()["meetings"][0]["schedule_version"] == 2


def test_attendees_cannot_patch(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    api = signed_in(client, db_factory)

    response = api.patch("/api/sessions/LYM-201", json={"status": "cancelled"})

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only organizers may change the program."


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"start": "tomorrow"}, ["start"]),
        ({"start": "2020-12-07T09:00:00"}, ["start"]),
        ({"status": "postponed", "colour": "red"}, ["colour", "status"]),
        ({"room": "ch99"}, ["room"]),
        ({"start": "2020-12-07T09:00:00-08:00", "end": "2020-12-07T08:00:00-08:00"}, ["end"]),
    ],
)
def test_bad_patch_bodies_are_400_and_change_nothing(
    client: TestClient,
    db_factory: SessionFactory,
    program: ProgramDocument,
    body: dict[str, str],
    fields: list[str],
) -> None:
    api = signed_in(client, db_factory, role=Role.ORGANIZER)

    response = api.patch("/api/sessions/LYM-201", json=body)

    assert response.status_code == 400
    assert [p["field"] for p in response.json()["error"]["problems"]] == fields
    assert api.get("/api/sessions/LYM-201").json()["revision"] == 0


def test_non_json_body_is_400(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    api = signed_in(client, db_factory, role=Role.ORGANIZER)

    response = api.patch("/api/sessions/LYM-201", content=b"{not json")

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("the body is not JSON")
