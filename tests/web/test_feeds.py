"""frab XML and c3voc JSON over HTTP: content, validators, 304s, and freshness after changes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from meeting.db import SessionFactory
from meeting.program.document import ProgramDocument
from tests.conftest import import_document
from tests.factories import pacific, with_session

pytestmark = pytest.mark.integration


def test_schedule_xml_lists_every_scheduled_session(
    client: TestClient, program: ProgramDocument
) -> None:
    response = client.get("/schedule.xml")

    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    titles = sorted(e.findtext("title") or "" for e in root.iter("event"))
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert titles == sorted(s.title for s in program.sessions)


def test_schedule_json_is_c3voc_shaped(client: TestClient, program: ProgramDocument) -> None:
    data = client.get("/schedule.json").json()

    conference = data["schedule"]["conference"]
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert (conference["acronym"], len(events)) == ("test_2020", 8)


@pytest.mark.parametrize("path", ["/schedule.xml", "/schedule.json"])
def test_conditional_get_answers_304(
    client: TestClient, program: ProgramDocument, path: str
) -> None:
    first = client.get(path)

    by_etag = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    by_date = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})

    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_date.status_code == 304
    assert (stale.status_code, stale.content) == (200, first.content)


def test_export_changes_when_the_program_does(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    before = client.get("/schedule.xml")

    import_document(
        db_factory, with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16))
    )
    after = client.get("/schedule.xml", headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert b"15:00" in after.content
