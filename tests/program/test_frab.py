"""frab schedule.xml: real published schedules in, XSD-valid schedules out, and the round trip."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from defusedxml import ElementTree

from meeting.enums import SessionKind, SessionStatus
from meeting.errors import InvalidInput, Problem
from meeting.program.document import ParsedProgram
from meeting.program.frab import parse_frab_xml, render_frab_xml
from meeting.program.frab_assembly import SHORTEST_SESSION
from tests.factories import make_program, with_session
from tests.program.frab_samples import (
    BASE_URL,
    CONFERENCE_XML,
    FIXTURES,
    event_xml,
    line_of,
    read_fixture,
    schedule_xml,
    session_views,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def congress() -> ParsedProgram:
    return parse_frab_xml(read_fixture("38c3-hub.schedule.xml"))


@pytest.fixture(scope="module")
def xsd() -> Any:
    """The c3voc XSD, compiled once (skipped without the dev extra's xmlschema)."""
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(FIXTURES / "schedule.xml.xsd"))


def problems_of(data: bytes) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        parse_frab_xml(data)
    return caught.value.problems


def test_parse_38c3_reads_every_event_room_and_track(congress: ParsedProgram) -> None:
    doc = congress.document

    counts = (len(doc.sessions), len(doc.rooms), len(doc.tracks), len(doc.speakers))

    assert counts == (1007, 72, 7, 571)
    assert (doc.meeting.slug, doc.meeting.title, doc.meeting.timezone) == (
        "38c3",
        "38C3",
        "Europe/Berlin",
    )
    assert (doc.meeting.start_date, doc.meeting.end_date) == (
        date(2024, 12, 27),
        date(2024, 12, 30),
    )
    assert congress.warnings == []


def test_parse_38c3_opening_ceremony(congress: ParsedProgram) -> None:
    doc = congress.document
    speakers = {s.key: s.name for s in doc.speakers}

    opening = next(s for s in doc.sessions if s.title == "38C3: Opening Ceremony")

    assert opening.code == "38c3-38c3-opening-ceremony"
    assert (opening.start, opening.end) == (
        datetime(2024, 12, 27, 9, 30, tzinfo=UTC),
        datetime(2024, 12, 27, 10, 0, tzinfo=UTC),
    )
    assert (opening.kind, opening.room, opening.tracks) == (SessionKind.OTHER, "saal-1", ("ccc",))
    assert [speakers[s.speaker] for s in opening.speakers] == [
        "Gabriela Bogk",
        "Senficon",
        "Aline Blankertz",
    ]
    assert opening.speakers[0].speaker == "0c16ffaa-709d-599f-959f-9a38b911361a"


def test_parse_38c3_maps_talk_type_and_track_colours(congress: ParsedProgram) -> None:
    doc = congress.document

    talk = next(s for s in doc.sessions if s.title.startswith("BioTerrorism Will Save"))

    assert (talk.kind, talk.tracks) == (SessionKind.SCIENTIFIC, ("ethics-society-politics",))
    assert [(t.slug, t.color) for t in doc.tracks[:2]] == [
        ("art-beauty", "#F9B000"),
        ("ethics-society-politics", "#E40429"),
    ]


def test_parse_31c3_repairs_missing_zone_and_exclusive_end() -> None:
    data = read_fixture("31c3-frab.schedule.xml")

    parsed = parse_frab_xml(data)

    doc = parsed.document
    assert (len(doc.sessions), len(doc.rooms), len(doc.tracks)) == (138, 4, 8)
    assert (doc.meeting.timezone, doc.meeting.start_date, doc.meeting.end_date) == (
        "UTC",
        date(2014, 12, 27),
        date(2014, 12, 30),
    )
    assert [str(w) for w in parsed.warnings] == [
        "line 4, conference: no time_zone_name; times are read as UTC",
        "line 4, conference: end 2014-12-31 read as exclusive (4 days): the last day is 2014-12-30",
    ]


def test_parse_31c3_takes_codes_from_valid_slugs_else_ids() -> None:
    data = read_fixture("31c3-frab.schedule.xml")

    sessions = parse_frab_xml(data).document.sessions

    assert [s.code for s in sessions[1:3]] == [
        "31c3_-_6571_-_en_-_saal_1_-_201412271130_-_31c3_keynote_-_alecempire",
        "6264",  # its slug has a non-ASCII quote, so the id is used
    ]
    assert (sessions[2].start, sessions[2].speakers[0].speaker) == (
        datetime(2014, 12, 27, 11, 45, tzinfo=UTC),
        "p-4085",
    )


def test_render_then_parse_keeps_every_scheduled_session() -> None:
    program = with_session(make_program(), "LATE-01", status=SessionStatus.CANCELLED)

    parsed = parse_frab_xml(render_frab_xml(program, version="3", base_url=BASE_URL))

    assert session_views(parsed.document) == session_views(program)
    assert [s.code for s in parsed.document.sessions if s.code == "LATE-01"] == []
    meeting, original = parsed.document.meeting, program.meeting
    assert (meeting.slug, meeting.title, meeting.timezone) == (
        original.slug,
        original.title,
        original.timezone,
    )
    assert (meeting.start_date, meeting.end_date) == (original.start_date, original.end_date)
    assert parsed.warnings == []


def test_render_passes_the_c3voc_xsd(xsd: Any) -> None:
    program = make_program()

    data = render_frab_xml(program, version="3", base_url=BASE_URL)

    assert [str(e.reason) for e in xsd.iter_errors(data.decode())] == []


def test_render_of_the_38c3_import_passes_the_c3voc_xsd(xsd: Any, congress: ParsedProgram) -> None:
    data = render_frab_xml(congress.document, version="1", base_url=BASE_URL)

    assert [str(e.reason) for e in xsd.iter_errors(data.decode())] == []


def test_render_spells_the_event_as_consumers_expect() -> None:
    program = make_program()
    url = f"{BASE_URL}/m/test-2020/sessions/PLEN-01"

    root = ElementTree.fromstring(render_frab_xml(program, version="3", base_url=BASE_URL))

    event = next(e for e in root.iter("event") if e.findtext("url") == url)
    assert (event.get("guid"), event.get("id")) == (str(uuid.uuid5(uuid.NAMESPACE_URL, url)), "1")
    assert [event.findtext(tag) for tag in ("date", "start", "duration", "room", "slug")] == [
        "2020-12-05T09:00:00-08:00",
        "09:00",
        "01:30",
        "Channel 1",
        "test_2020-plen-01",
    ]
    assert [event.findtext(tag) for tag in ("type", "track")] == ["plenary", "Lymphoma"]
    assert [(p.get("id"), p.text) for p in event.iter("person")] == [
        ("1", "Lachelle Weeks"),
        ("2", "Jürgen Müller"),
    ]
    assert [(d.get("index"), d.get("date")) for d in root.iter("day")] == [
        ("1", "2020-12-05"),
        ("2", "2020-12-06"),
        ("3", "2020-12-07"),
        ("4", "2020-12-08"),
    ]


def test_render_uses_given_event_ids() -> None:
    program = make_program()
    ids = {s.code: 100 + i for i, s in enumerate(program.sessions)}

    root = ElementTree.fromstring(
        render_frab_xml(program, version="3", base_url=BASE_URL, event_ids=ids)
    )

    assert sorted(int(e.get("id", "0")) for e in root.iter("event")) == sorted(ids.values())


def test_render_refuses_event_ids_missing_a_session() -> None:
    program = make_program()

    with pytest.raises(ValueError, match="event_ids has no id for PLEN-01"):
        render_frab_xml(program, version="3", base_url=BASE_URL, event_ids={})


def test_render_refuses_a_base_url_that_is_not_http() -> None:
    program = make_program()

    with pytest.raises(ValueError, match="base_url must be an http"):
        render_frab_xml(program, version="3", base_url="meeting.example")


def test_parse_reports_broken_xml_with_its_line() -> None:
    data = b"<schedule>\n<conference>\n</schedule>\n"

    problems = problems_of(data)

    assert problems == [Problem("not well-formed XML: mismatched tag (column 3)", line=3)]


def test_parse_refuses_another_root_element() -> None:
    data = b"<?xml version='1.0'?>\n<feed/>"

    problems = problems_of(data)

    assert problems == [Problem("the root element is <feed>, not <schedule>", line=1)]


def test_parse_refuses_a_schedule_without_conference() -> None:
    data = b"<?xml version='1.0'?>\n<schedule>\n<version>1</version>\n</schedule>\n"

    problems = problems_of(data)

    assert problems == [Problem("no <conference> element", "schedule", 2)]


def test_parse_refuses_entity_declarations() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY x "y">]>\n<schedule>&x;</schedule>'

    problems = problems_of(data)

    assert problems == [
        Problem("XML entity declarations and external references are refused", line=2)
    ]


def test_parse_refuses_an_event_without_date_or_start() -> None:
    data = schedule_xml(event_xml(date="").replace("<start>10:00</start>", ""))

    problems = problems_of(data)

    assert problems == [
        Problem(
            "no parseable date, nor a day date and start time",
            "event id=7",
            line_of(data, "<event "),
            "7",
            "date",
        )
    ]


def test_parse_refuses_an_unknown_time_zone_and_a_bad_duration_together() -> None:
    conference = CONFERENCE_XML.replace("Europe/Berlin", "Mars/Olympus")
    data = schedule_xml(event_xml(duration="90min"), conference=conference)

    problems = problems_of(data)

    assert [str(p) for p in problems] == [
        "line 4, conference: unknown time zone 'Mars/Olympus'",
        f"line {line_of(data, '<event ')}, event id=7, session 7: duration '90min' is not HH:MM",
    ]


def test_parse_takes_start_from_day_and_time_past_midnight() -> None:
    event = event_xml(date="").replace("<start>10:00</start>", "<start>01:30</start>")

    parsed = parse_frab_xml(schedule_xml(event))

    assert parsed.document.sessions[0].start == datetime(2024, 5, 2, 23, 30, tzinfo=UTC)
    assert parsed.warnings == []


def test_parse_takes_codes_from_our_urls_and_pretalx_urls() -> None:
    ours = event_xml("1", url=f"{BASE_URL}/m/asco/sessions/PLEN.01", slug="x")
    pretalx = event_xml("2", url="https://pretalx.example/democon/talk/ABC123/")
    hub = event_xml("3", url="https://hub.example/event/a-talk/", slug="demo24-a-talk")

    sessions = parse_frab_xml(schedule_xml(ours, pretalx, hub)).document.sessions

    assert [s.code for s in sessions] == ["PLEN.01", "ABC123", "demo24-a-talk"]


def test_parse_repairs_duplicates_and_empty_durations_with_warnings() -> None:
    data = schedule_xml(
        event_xml("1", slug="same-slug"),
        event_xml("2", slug="same-slug", duration="00:00"),
        event_xml("1", title="Repeated id"),
    )

    parsed = parse_frab_xml(data)

    assert [(s.code, s.end - s.start) for s in parsed.document.sessions] == [
        ("same-slug", timedelta(minutes=30)),
        ("same-slug-2", SHORTEST_SESSION),
    ]
    second, third = line_of(data, "<event ", 2), line_of(data, "<event ", 3)
    assert [str(w) for w in parsed.warnings] == [
        f"line {second}, event id=2, session same-slug-2: "
        "code 'same-slug' is taken by an earlier event; renamed",
        f"line {second}, event id=2, session same-slug-2: "
        "duration 0:00:00 is not positive; given 5 minutes",
        f"line {third}, event id=1: event id 1 appears again; the first one is kept",
    ]


def test_parse_widens_the_meeting_dates_to_its_sessions() -> None:
    late = event_xml(date="<date>2024-05-04T01:00:00+02:00</date>")

    parsed = parse_frab_xml(schedule_xml(late))

    meeting = parsed.document.meeting
    assert (meeting.start_date, meeting.end_date) == (date(2024, 5, 2), date(2024, 5, 4))
    assert [str(w) for w in parsed.warnings] == [
        "line 4, conference: 1 session(s) start outside the conference's 2024-05-02 to "
        "2024-05-03; the meeting's dates are widened to 2024-05-02 to 2024-05-04"
    ]
