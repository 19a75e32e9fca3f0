"""c3voc schedule.json: a real frab export in, schema-valid schedules out, and the round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import jsonschema
import pytest

from meeting.enums import SessionKind, SessionStatus
from meeting.errors import InvalidInput, Problem
from meeting.program.c3voc import parse_c3voc_json, render_c3voc_json
from meeting.program.frab import parse_frab_xml, render_frab_xml
from tests.factories import make_program, with_session
from tests.program.frab_samples import (
    BASE_URL,
    FIXTURES,
    event_json,
    read_fixture,
    schedule_json,
    session_views,
)

pytestmark = pytest.mark.unit

DAY_0 = "schedule.conference.days[0]"


def problems_of(data: bytes) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        parse_c3voc_json(data)
    return caught.value.problems


def schema_errors(data: bytes) -> list[str]:
    schema = json.loads((FIXTURES / "schedule.schema.json").read_bytes())
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(data))]


def test_parse_camp2019_reads_every_event() -> None:
    data = read_fixture("camp2019-frab.schedule.json")

    parsed = parse_c3voc_json(data)

    doc = parsed.document
    assert (len(doc.sessions), [r.name for r in doc.rooms], len(doc.tracks)) == (
        79,
        ["Curie", "Meitner"],
        7,
    )
    assert (doc.meeting.slug, doc.meeting.timezone) == ("camp2019", "Europe/Berlin")
    assert (doc.meeting.start_date, doc.meeting.end_date) == (date(2019, 8, 21), date(2019, 8, 25))
    assert [str(w) for w in parsed.warnings] == [
        "schedule.conference: end 2019-08-26 read as exclusive (5 days): the last day is 2019-08-25"
    ]


def test_parse_camp2019_opening_ceremony() -> None:
    data = read_fixture("camp2019-frab.schedule.json")

    doc = parse_c3voc_json(data).document

    opening = doc.sessions[0]
    assert (opening.code, opening.title) == ("Camp2019-10386-opening_ceremony", "Opening Ceremony")
    assert (opening.start, opening.end) == (
        datetime(2019, 8, 21, 9, 0, tzinfo=UTC),
        datetime(2019, 8, 21, 9, 30, tzinfo=UTC),
    )
    assert (opening.kind, opening.room, opening.tracks) == (
        SessionKind.SCIENTIFIC,
        "curie",
        ("ccc",),
    )
    assert [s.speaker for s in opening.speakers] == ["p-7797", "p-4827"]
    assert [s.name for s in doc.speakers[:2]] == ["jinxx", "smtw"]
    assert opening.description == "A hearty welcome me lasses and lads!"


def test_render_then_parse_keeps_every_scheduled_session() -> None:
    program = with_session(make_program(), "LATE-01", status=SessionStatus.CANCELLED)

    parsed = parse_c3voc_json(render_c3voc_json(program, version="3", base_url=BASE_URL))

    assert session_views(parsed.document) == session_views(program)
    assert parsed.warnings == []


def test_render_passes_the_c3voc_json_schema() -> None:
    program = make_program()

    data = render_c3voc_json(program, version="3", base_url=BASE_URL)

    assert schema_errors(data) == []


def test_render_of_the_camp2019_import_passes_the_c3voc_json_schema() -> None:
    program = parse_c3voc_json(read_fixture("camp2019-frab.schedule.json")).document

    data = render_c3voc_json(program, version="1", base_url=BASE_URL)

    assert schema_errors(data) == []


def test_json_and_xml_exports_describe_the_same_events() -> None:
    program = make_program()

    from_json = parse_c3voc_json(render_c3voc_json(program, version="3", base_url=BASE_URL))
    from_xml = parse_frab_xml(render_frab_xml(program, version="3", base_url=BASE_URL))

    assert session_views(from_json.document) == session_views(from_xml.document)


def test_render_spells_the_event_as_consumers_expect() -> None:
    program = make_program()

    document = json.loads(render_c3voc_json(program, version="3", base_url=BASE_URL))

    conference = document["schedule"]["conference"]
    event = conference["days"][0]["rooms"]["Channel 1"][0]
    assert (conference["acronym"], conference["daysCount"], conference["time_zone_name"]) == (
        "test_2020",
        4,
        "America/Los_Angeles",
    )
    assert {k: event[k] for k in ("id", "date", "start", "duration", "room", "type", "track")} == {
        "id": 1,
        "date": "2020-12-05T09:00:00-08:00",
        "start": "09:00",
        "duration": "01:30",
        "room": "Channel 1",
        "type": "plenary",
        "track": "Lymphoma",
    }
    assert event["persons"][0] | {"guid": "-"} == {
        "id": 1,
        "guid": "-",
        "public_name": "Lachelle Weeks",
    }


def test_parse_reads_pretalx_persons_by_code() -> None:
    person = {"code": "XYZ789", "name": "Grace Hopper", "biography": "Compilers."}
    data = schedule_json(event_json(persons=[person]))

    doc = parse_c3voc_json(data).document

    assert [(s.key, s.name, s.bio) for s in doc.speakers] == [
        ("xyz789", "Grace Hopper", "Compilers.")
    ]


def test_parse_reports_bad_json_with_line_and_column() -> None:
    data = b'{\n  "schedule": {\n    "version": "1",,\n  }\n}\n'

    problems = problems_of(data)

    assert problems == [
        Problem(
            "not valid JSON: Expecting property name enclosed in double quotes (column 20)", line=3
        )
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[1, 2]", Problem("the top level is a JSON list, not an object", "$")),
        (b'{"version": "1"}', Problem("no schedule object", "schedule")),
        (b'{"schedule": {"version": "1"}}', Problem("no conference object", "schedule.conference")),
        (
            b'{"schedule": {"conference": {"title": "x", "days": {}}}}',
            Problem("days must be a list of days", "schedule.conference.days"),
        ),
    ],
)
def test_parse_refuses_the_wrong_shape(data: bytes, expected: Problem) -> None:
    problems = problems_of(data)

    assert problems == [expected]


def test_parse_refuses_an_event_that_is_not_an_object() -> None:
    data = schedule_json(event_json(1), "not an event", event_json(3))

    problems = problems_of(data)

    assert problems == [Problem("an event must be an object", f"{DAY_0}.rooms['Hall A'][1]")]


def test_parse_refuses_an_event_without_date() -> None:
    data = schedule_json(event_json(1, date=None, start=None), event_json(2, duration="1h"))

    problems = problems_of(data)

    assert [str(p) for p in problems] == [
        f"{DAY_0}.rooms['Hall A'][0], session 1: no parseable date, nor a day date and start time",
        f"{DAY_0}.rooms['Hall A'][1], session 2: duration '1h' is not HH:MM",
    ]


def test_parse_reads_end_when_duration_is_missing() -> None:
    data = schedule_json(event_json(duration=None, end="2024-05-02T11:15:00+02:00"))

    session = parse_c3voc_json(data).document.sessions[0]

    assert session.end == datetime(2024, 5, 2, 9, 15, tzinfo=UTC)
