"""validate_plan names each broken rule; format_plan prints the rounds for people."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from meeting.errors import InvalidInput
from meeting.networking import (
    Mentee,
    Mentor,
    Pairing,
    RotationPlan,
    Round,
    format_plan,
    validate_plan,
)

pytestmark = pytest.mark.unit

EASTERN = ZoneInfo("America/New_York")


def make_plan(*rounds: Round, mentors: int = 2, mentees: int = 2) -> RotationPlan:
    """Mentors 1.., mentees 11.. and the given rounds, exactly as written."""
    return RotationPlan(
        mentors=tuple(Mentor(1 + k) for k in range(mentors)),
        mentees=tuple(Mentee(11 + k) for k in range(mentees)),
        rounds=rounds,
    )


def test_a_sound_plan_has_no_problems() -> None:
    plan = make_plan(
        Round((Pairing(1, 11), Pairing(2, 12))),
        Round((Pairing(1, 12), Pairing(2, 11))),
    )

    assert validate_plan(plan) == []


def test_a_pair_meeting_twice_is_reported_with_both_rounds() -> None:
    plan = make_plan(
        Round((Pairing(1, 11), Pairing(2, 12))),
        Round((Pairing(1, 11), Pairing(2, 12))),
    )

    assert validate_plan(plan) == [
        "Round 2: mentor 1 meets mentee 11 again (first in round 1).",
        "Round 2: mentor 2 meets mentee 12 again (first in round 1).",
    ]


def test_someone_in_two_places_is_reported() -> None:
    plan = make_plan(Round((Pairing(1, 11), Pairing(2, 12)), waiting=(11,), idle_mentors=(1,)))

    assert validate_plan(plan) == [
        "Round 1: mentor 1 is in more than one place.",
        "Round 1: mentee 11 is in more than one place.",
        "Round 1: mentee 11 waits though a new mentor is free every round.",
    ]


def test_uneven_loads_are_reported() -> None:
    plan = make_plan(
        Round((Pairing(1, 11),), idle_mentors=(2, 3), waiting=(12, 13)),
        Round((Pairing(1, 12),), idle_mentors=(2, 3), waiting=(11, 13)),
        mentors=3,
        mentees=3,
    )

    assert validate_plan(plan) == [
        "Mentor loads differ by more than one: 2 has 0, 1 has 2.",
        "Round 1: mentee 12 waits though a new mentor is free every round.",
        "Round 1: mentee 13 waits though a new mentor is free every round.",
        "Round 2: mentee 11 waits though a new mentor is free every round.",
        "Round 2: mentee 13 waits though a new mentor is free every round.",
    ]


def test_loads_are_not_judged_once_someone_left() -> None:
    plan = make_plan(
        Round((Pairing(1, 11), Pairing(2, 12))),
        Round((Pairing(1, 12),)),
    )

    assert validate_plan(plan) == []


def test_strangers_and_double_roles_are_reported() -> None:
    plan = RotationPlan(
        mentors=(Mentor(1), Mentor(11)),
        mentees=(Mentee(11),),
        rounds=(Round((Pairing(1, 11), Pairing(11, 99))),),
    )

    assert validate_plan(plan) == [
        "11 is listed both as a mentor and as a mentee.",
        "Round 1: 99 is not a mentee of this plan.",
    ]


def test_format_plan_prints_rounds_in_local_time_with_topics() -> None:
    plan = RotationPlan(
        mentors=(Mentor(1, frozenset({"myeloma"})), Mentor(2, frozenset({"anemia"}))),
        mentees=(Mentee(11, ("anemia",)), Mentee(12, ("lymphoma",)), Mentee(13)),
        rounds=(
            Round((Pairing(1, 12), Pairing(2, 11)), waiting=(13,)),
            Round((Pairing(1, 13),), waiting=(11, 12), idle_mentors=(2,)),
        ),
    )
    names = {1: "Dr. Ada Okafor", 2: "Dr. Li Wei", 11: "Sam Patel", 12: "Jo Kim"}

    text = format_plan(plan, names, 8, datetime(2019, 12, 6, 19, 0, tzinfo=UTC), EASTERN)

    assert text.splitlines() == [
        "Speed mentoring: 2 rounds of 8 minutes, from Fri 06 Dec 2019 14:00 (America/New_York)",
        "",
        "Round 1  14:00-14:08",
        "  Mentor          Mentee     Topic",
        "  Dr. Ada Okafor  Jo Kim     -",
        "  Dr. Li Wei      Sam Patel  anemia",
        "  Waiting: #13",
        "",
        "Round 2  14:08-14:16",
        "  Mentor          Mentee     Topic",
        "  Dr. Ada Okafor  #13        -",
        "  Waiting: Jo Kim, Sam Patel",
        "  Free mentors: Dr. Li Wei",
    ]


def test_format_plan_needs_an_aware_start() -> None:
    plan = make_plan(Round((Pairing(1, 11),)))

    with pytest.raises(InvalidInput) as refused:
        format_plan(plan, {}, 8, datetime(2019, 12, 6, 14, 0), EASTERN)  # noqa: DTZ001

    assert refused.value.message == "start: the start time needs a time zone"
