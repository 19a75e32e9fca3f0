"""The JSON API: shapes, filters, paging, stable error bodies, and an OpenAPI document for all."""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from meeting.api import routes as api_routes
from meeting.program.document import ProgramDocument

pytestmark = pytest.mark.integration


def test_meetings_lists_every_meeting(client: TestClient, program: ProgramDocument) -> None:
    data = client.get("/api/meetings").json()

    assert [(m["slug"], m["timezone"], m["schedule_version"]) for m in data["meetings"]] == [
        ("test-2020", "America/Los_Angeles", 1)
    ]


def test_sessions_are_paginated_in_time_order(client: TestClient, program: ProgramDocument) -> None:
    first = client.get("/api/sessions?per_page=3").json()
    last = client.get("/api/sessions?per_page=3&page=3").json()

    assert [s["code"] for s in first["sessions"]] == ["WS-101", "PLEN-01", "LUNCH"]
    assert (first["total"], first["next_page"]) == (8, 2)
    assert ([s["code"] for s in last["sessions"]], last["next_page"]) == (
        ["REC-01", "LATE-01"],
        None,
    )


def test_session_detail_has_speakers_and_children(
    client: TestClient, program: ProgramDocument
) -> None:
    plenary = client.get("/api/sessions/PLEN-01").json()
    lunch = client.get("/api/sessions/LUNCH").json()

    assert plenary["start"] == "2020-12-05T17:00:00+00:00"
    assert [(s["name"], s["role"], s["degrees"]) for s in plenary["speakers"]] == [
        ("Lachelle Weeks", "chair", "MD, PhD"),
        ("Jürgen Müller", "speaker", "MD"),
    ]
    assert (lunch["children"], lunch["audience"]) == (["LUNCH-T1", "LUNCH-T2"], "trainees")


def test_filters_work_like_the_program_page(client: TestClient, program: ProgramDocument) -> None:
    data = client.get("/api/sessions?kind=round-table&q=industry").json()

    assert [s["code"] for s in data["sessions"]] == ["LUNCH-T2"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=gala", "kind"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("day=tomorrow", "day"),
    ],
)
def test_bad_parameters_are_400_with_a_stable_error_shape(
    client: TestClient, program: ProgramDocument, query: str, field: str
) -> None:
    response = client.get(f"/api/sessions?{query}")

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "invalid")
    assert [p["field"] for p in error["problems"]] == [field]


def test_unknown_session_is_a_json_404(client: TestClient, program: ProgramDocument) -> None:
    response = client.get("/api/sessions/NOPE")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is no session with the code 'NOPE' in Test Annual Meeting 2020.",
        }
    }


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()

    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    served = {
        (f"/api{route.path}", method)
        for route in api_routes()
        if isinstance(route, Route) and route.path != "/openapi.json"
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert documented == served
    assert not any(isinstance(route, Mount) for route in api_routes())
