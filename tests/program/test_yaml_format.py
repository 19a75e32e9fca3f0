"""The YAML program format: parsing, located problems, and the exact round trip."""

from __future__ import annotations

import pytest
import yaml

from meeting.enums import SessionKind
from meeting.errors import InvalidInput
from meeting.program.yaml_format import parse_program_yaml, render_program_yaml
from tests.factories import make_program, pacific

pytestmark = pytest.mark.unit

# libyaml (used when PyYAML has it) and the pure-Python parser word this differently.
UNCLOSED_LIST = (
    "line 2: not valid YAML: did not find expected ',' or ']'"
    if yaml.__with_libyaml__
    else "line 1: not valid YAML: expected ',' or ']', but got '<stream end>'"
)

VALID = """\
format: meeting-program/1
meeting:
  slug: mini
  title: Mini meeting
  timezone: America/Los_Angeles
  start_date: "2020-12-05"
  end_date: "2020-12-06"
rooms:
  - {slug: ch1, name: Channel 1}
sessions:
  - code: A-1
    title: First
    kind: plenary
    start: "2020-12-05 09:00"
    duration: 90
    room: ch1
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_program_yaml(text)
    return [str(p) for p in caught.value.problems]


def test_parse_reads_local_times_into_utc() -> None:
    parsed = parse_program_yaml(VALID)

    session = parsed.document.sessions[0]
    assert (session.code, session.kind, session.start, session.end) == (
        "A-1",
        SessionKind.PLENARY,
        pacific(5, 9),
        pacific(5, 10, 30),
    )


def test_render_then_parse_gives_the_same_document() -> None:
    program = make_program()

    text = render_program_yaml(program)

    assert parse_program_yaml(text).document == program


def test_render_is_stable_across_a_round_trip() -> None:
    text = render_program_yaml(make_program())

    again = render_program_yaml(parse_program_yaml(text).document)

    assert again == text


def test_schema_problems_are_listed_with_line_path_and_session() -> None:
    text = VALID.replace("kind: plenary", "kind: plenry").replace(
        '"2020-12-05 09:00"', '"2020-12-05 9:00"'
    )

    problems = problems_of(text)

    assert len(problems) == 2
    assert problems[0].startswith("line 13, sessions[0].kind, session A-1: 'plenry' is not one of")
    assert problems[1] == (
        "line 14, sessions[0].start, session A-1: '2020-12-05 9:00' is not in the expected "
        "form (YYYY-MM-DD HH:MM)"
    )


def test_unknown_references_are_all_reported() -> None:
    text = VALID.replace("room: ch1", "room: ch9\n    tracks: [nope]\n    parent: GHOST")

    problems = problems_of(text)

    assert problems == [
        "line 16, sessions[0].room, session A-1: unknown room 'ch9'",
        "line 17, sessions[0].tracks[0], session A-1: unknown track 'nope'",
        "line 18, sessions[0].parent, session A-1: unknown parent session 'GHOST'",
    ]


def test_end_before_start_and_outside_dates_are_refused() -> None:
    text = VALID.replace('start: "2020-12-05 09:00"', 'start: "2020-12-09 09:00"').replace(
        "duration: 90", 'end: "2020-12-09 08:00"'
    )

    problems = problems_of(text)

    assert problems == [
        "line 14, sessions[0].start, session A-1: starts on 2020-12-09, outside the meeting "
        "(2020-12-05 to 2020-12-06)",
        "line 15, sessions[0].end, session A-1: end must be after start",
    ]


def test_both_end_and_duration_is_a_problem() -> None:
    text = VALID.replace("duration: 90", 'duration: 90\n    end: "2020-12-05 10:00"')

    assert problems_of(text) == [
        "line 11, sessions[0], session A-1: give either end or duration (not both, not neither)"
    ]


def test_unknown_field_is_named() -> None:
    text = VALID.replace("room: ch1", "room: ch1\n    speeker: someone")

    assert problems_of(text) == [
        "line 11, sessions[0], session A-1: unknown field ('speeker' was unexpected)"
    ]


def test_time_in_the_spring_forward_gap_is_refused() -> None:
    text = (
        VALID.replace('"2020-12-05"', '"2021-03-14"')
        .replace('"2020-12-06"', '"2021-03-14"')
        .replace('"2020-12-05 09:00"', '"2021-03-14 02:30"')
    )

    assert problems_of(text) == [
        "line 14, sessions[0].start, session A-1: 2021-03-14 02:30 does not exist in "
        "America/Los_Angeles (clocks skip that hour)"
    ]


def test_time_in_the_fall_back_hour_takes_the_first_occurrence() -> None:
    text = (
        VALID.replace('"2020-12-05"', '"2020-11-01"')
        .replace('"2020-12-06"', '"2020-11-01"')
        .replace('"2020-12-05 09:00"', '"2020-11-01 01:30"')
    )

    session = parse_program_yaml(text).document.sessions[0]

    assert session.start.isoformat() == "2020-11-01T08:30:00+00:00"


def test_unknown_time_zone_is_reported() -> None:
    problems = problems_of(VALID.replace("America/Los_Angeles", "Mars/Olympus_Mons"))

    assert problems == ["line 5, meeting.timezone: unknown time zone 'Mars/Olympus_Mons'"]


def test_schema_and_reference_problems_are_listed_together() -> None:
    second = (
        VALID.split("sessions:\n", 1)[1].replace("A-1", "B-2").replace("room: ch1", "room: ch7")
    )
    text = VALID.replace("kind: plenary", "kind: plenry") + second

    problems = problems_of(text)

    assert [p.split(": ", 1)[0] for p in problems] == [
        "line 13, sessions[0].kind, session A-1",
        "line 22, sessions[1].room, session B-2",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        (
            "format: [unclosed",
            UNCLOSED_LIST,
        ),
        ("- just\n- a list\n", "(top level): ['just', 'a list'] is not of type 'object'"),
    ],
)
def test_files_that_are_not_programs_are_refused(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]
