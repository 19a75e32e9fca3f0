"""Speed-mentoring rotations: the hard rules hold for any roster, preferences when possible."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.errors import InvalidInput
from meeting.networking import (
    Mentee,
    Mentor,
    Pairing,
    RotationPlan,
    Round,
    plan_rotation,
    preferred_topic,
    replan,
    validate_plan,
)

pytestmark = pytest.mark.unit

TOPICS = ("anemia", "leukemia", "lymphoma", "myeloma", "thrombosis", "transfusion")
BOUNDED = settings(max_examples=150, deadline=None)
LIGHT = settings(max_examples=50, deadline=None)  # for properties that plan two or three times
seeds = st.integers(min_value=0, max_value=2**32 - 1)
# People are drawn as plain integers, decoded below: far cheaper for Hypothesis to make
# than nested collections, and they shrink just as well.
mentor_codes = st.integers(0, 2 ** len(TOPICS) - 1)  # bit k set: covers TOPICS[k]
mentee_codes = st.integers(0, 7**3 - 1)  # three base-7 digits: 0 none, k wants TOPICS[k-1]

Case = tuple[list[Mentor], list[Mentee], int]


def topics_of(code: int) -> frozenset[str]:
    return frozenset(topic for k, topic in enumerate(TOPICS) if code >> k & 1)


def as_mentors(codes: list[int], first_id: int = 100) -> list[Mentor]:
    return [Mentor(first_id + k, topics_of(code)) for k, code in enumerate(codes)]


def as_mentees(codes: list[int], first_id: int = 200) -> list[Mentee]:
    def wanted(code: int) -> tuple[str, ...]:
        digits = (code // 49, code // 7 % 7, code % 7)
        return tuple(dict.fromkeys(TOPICS[d - 1] for d in digits if d))

    return [Mentee(first_id + k, wanted(code)) for k, code in enumerate(codes)]


@st.composite
def rosters(draw: st.DrawFn) -> Case:
    """1-15 mentors (ids 100+) and 1-25 mentees (ids 200+), random topics, 1-8 rounds."""
    mentors = as_mentors(draw(st.lists(mentor_codes, min_size=1, max_size=15)))
    mentees = as_mentees(draw(st.lists(mentee_codes, min_size=1, max_size=25)))
    return mentors, mentees, draw(st.integers(1, 8))


@st.composite
def enough_mentors(draw: st.DrawFn) -> Case:
    """At least as many mentors as mentees, and no more rounds than mentors."""
    mentees = as_mentees(draw(st.lists(mentee_codes, min_size=1, max_size=15)))
    mentors = as_mentors(draw(st.lists(mentor_codes, min_size=len(mentees), max_size=15)))
    return mentors, mentees, draw(st.integers(1, min(8, len(mentors))))


def loads(plan: RotationPlan, side: str) -> Counter[int]:
    return Counter(getattr(p, side) for r in plan.rounds for p in r.pairings)


def places(rounds: Sequence[Round]) -> list[tuple[list[int], list[int]]]:
    """Per round, every mentor (seated or idle) and every mentee (seated or waiting)."""
    return [
        (
            sorted([*(p.mentor for p in r.pairings), *r.idle_mentors]),
            sorted([*(p.mentee for p in r.pairings), *r.waiting]),
        )
        for r in rounds
    ]


def expected_loads(people: int, meetings: int) -> list[int]:
    """Meetings spread as evenly as possible: differing by at most one, smallest first."""
    low, extra = divmod(meetings, people)
    return [low] * (people - extra) + [low + 1] * extra


def uneven_swaps(plan: RotationPlan, from_round: int) -> list[str]:
    """Swaps within a re-planned round that would even out loads over the whole plan.

    One exists when someone sitting out has two fewer meetings than someone seated
    with a partner they have never met.
    """
    mentors, mentees = loads(plan, "mentor"), loads(plan, "mentee")
    met = {p for r in plan.rounds for p in r.pairings}
    found = []
    for number, played in enumerate(plan.rounds[from_round:], start=from_round + 1):
        for p in played.pairings:
            found += [
                f"round {number}: mentee {z} instead of {p.mentee}"
                for z in played.waiting
                if Pairing(p.mentor, z) not in met and mentees[p.mentee] >= mentees[z] + 2
            ]
            found += [
                f"round {number}: mentor {b} instead of {p.mentor}"
                for b in played.idle_mentors
                if Pairing(b, p.mentee) not in met and mentors[p.mentor] >= mentors[b] + 2
            ]
    return found


@BOUNDED
@given(rosters(), seeds)
def test_plan_keeps_the_hard_rules(case: Case, seed: int) -> None:
    mentors, mentees, rounds = case
    smaller, larger = sorted((len(mentors), len(mentees)))
    meetings = smaller * min(rounds, larger)

    plan = plan_rotation(mentors, mentees, rounds, random.Random(seed))

    everyone = sorted(m.id for m in mentors), sorted(m.id for m in mentees)
    pairings = [p for r in plan.rounds for p in r.pairings]
    mentor_loads, mentee_loads = loads(plan, "mentor"), loads(plan, "mentee")
    assert places(plan.rounds) == [everyone] * rounds
    assert len(pairings) == len(set(pairings))
    assert sorted(mentor_loads[m.id] for m in mentors) == expected_loads(len(mentors), meetings)
    assert sorted(mentee_loads[m.id] for m in mentees) == expected_loads(len(mentees), meetings)
    assert validate_plan(plan) == []


@BOUNDED
@given(enough_mentors(), seeds)
def test_every_mentee_meets_someone_every_round_when_mentors_suffice(case: Case, seed: int) -> None:
    mentors, mentees, rounds = case

    plan = plan_rotation(mentors, mentees, rounds, random.Random(seed))

    assert [r.waiting for r in plan.rounds] == [()] * rounds
    assert [len(r.pairings) for r in plan.rounds] == [len(mentees)] * rounds


@LIGHT
@given(rosters(), seeds)
def test_the_same_seed_gives_the_same_plan(case: Case, seed: int) -> None:
    mentors, mentees, rounds = case

    first = plan_rotation(mentors, mentees, rounds, random.Random(seed))
    second = plan_rotation(mentors, mentees, rounds, random.Random(seed))

    assert first == second


@st.composite
def planted_round(draw: st.DrawFn) -> tuple[list[Mentor], list[Mentee]]:
    """Mentors with a topic of their own; each mentee wants one mentor's, among others.

    A round where every mentee meets a mentor on a wanted topic therefore exists.
    """
    count = draw(st.integers(1, 15))
    own = [f"topic-{k}" for k in range(count)]
    mentors = [
        Mentor(100 + k, frozenset({own[k]}) | topics_of(draw(mentor_codes))) for k in range(count)
    ]
    chosen = draw(st.permutations(range(count)))[: draw(st.integers(1, count))]
    mentees = []
    for k, mentor in enumerate(chosen):
        (noise,) = as_mentees([draw(mentee_codes)])
        rival = own[draw(st.integers(0, count - 1))]
        wanted = [t for t in dict.fromkeys([*noise.preferences, rival]) if t != own[mentor]]
        wanted.insert(draw(st.integers(0, len(wanted))), own[mentor])
        mentees.append(Mentee(200 + k, tuple(wanted)))
    return mentors, mentees


@BOUNDED
@given(planted_round(), seeds)
def test_plan_finds_a_round_where_every_mentee_gets_a_wanted_topic(
    case: tuple[list[Mentor], list[Mentee]], seed: int
) -> None:
    mentors, mentees = case
    by_mentor, by_mentee = {m.id: m for m in mentors}, {m.id: m for m in mentees}

    plan = plan_rotation(mentors, mentees, 1, random.Random(seed))

    (only,) = plan.rounds
    unwanted = [
        p
        for p in only.pairings
        if preferred_topic(by_mentor[p.mentor], by_mentee[p.mentee]) is None
    ]
    assert (len(only.pairings), unwanted) == (len(mentees), [])


@LIGHT
@given(rosters(), seeds, seeds)
def test_plan_finds_a_whole_plan_of_wanted_topics_when_one_exists(
    case: Case, seed: int, other_seed: int
) -> None:
    mentors, mentees, rounds = case
    blind = plan_rotation(mentors, mentees, rounds, random.Random(seed))
    met = {
        m.id: [p.mentor for r in blind.rounds for p in r.pairings if p.mentee == m.id]
        for m in mentees
    }
    mentors = [Mentor(m.id, frozenset({f"topic-{m.id}"})) for m in mentors]
    mentees = [Mentee(m.id, tuple(f"topic-{k}" for k in reversed(met[m.id]))) for m in mentees]
    by_mentor, by_mentee = {m.id: m for m in mentors}, {m.id: m for m in mentees}

    plan = plan_rotation(mentors, mentees, rounds, random.Random(other_seed))

    unwanted = [
        p
        for r in plan.rounds
        for p in r.pairings
        if preferred_topic(by_mentor[p.mentor], by_mentee[p.mentee]) is None
    ]
    assert unwanted == []


def test_an_earlier_preference_wins_over_a_later_one() -> None:
    mentors = [Mentor(1, frozenset({"anemia"})), Mentor(2, frozenset({"myeloma"}))]
    mentees = [Mentee(10, ("myeloma", "anemia"))]

    plan = plan_rotation(mentors, mentees, 1, random.Random(0))

    assert plan.rounds == (Round((Pairing(2, 10),), waiting=(), idle_mentors=(1,)),)


def test_preferences_go_to_those_who_can_use_them() -> None:
    mentors = [Mentor(1, frozenset({"anemia"})), Mentor(2, frozenset({"myeloma"}))]
    mentees = [Mentee(10, ("anemia",)), Mentee(11, ("myeloma", "anemia"))]

    plan = plan_rotation(mentors, mentees, 1, random.Random(0))

    assert plan.rounds[0].pairings == (Pairing(1, 10), Pairing(2, 11))


NoShows = tuple[Case, int, list[Mentor], list[Mentee]]


@st.composite
def no_shows(draw: st.DrawFn) -> NoShows:
    """A plan's roster, the round to re-plan from, and who is still there by then."""
    mentors, mentees, rounds = draw(rosters())
    from_round = draw(st.integers(0, rounds))
    stay_mentors = [m for m in mentors if draw(st.booleans())]
    stay_mentees = [m for m in mentees if draw(st.booleans())]
    return (mentors, mentees, rounds), from_round, stay_mentors, stay_mentees


@BOUNDED
@given(no_shows(), seeds)
def test_replan_after_no_shows_keeps_every_rule(change: NoShows, seed: int) -> None:
    (mentors, mentees, rounds), from_round, present_mentors, present_mentees = change
    plan = plan_rotation(mentors, mentees, rounds, random.Random(seed))

    again = replan(plan, from_round, present_mentors, present_mentees, random.Random(seed + 1))

    pairings = [p for r in again.rounds for p in r.pairings]
    present = sorted(m.id for m in present_mentors), sorted(m.id for m in present_mentees)
    assert validate_plan(again) == []
    assert again.rounds[:from_round] == plan.rounds[:from_round]
    assert places(again.rounds[from_round:]) == [present] * (rounds - from_round)
    assert len(pairings) == len(set(pairings))
    assert uneven_swaps(again, from_round) == []


@LIGHT
@given(no_shows(), seeds)
def test_replan_after_further_no_shows_still_never_repeats_a_pair(
    change: NoShows, seed: int
) -> None:
    (mentors, mentees, rounds), from_round, present_mentors, present_mentees = change
    first = replan(
        plan_rotation(mentors, mentees, rounds, random.Random(seed)),
        from_round,
        present_mentors,
        present_mentees,
        random.Random(seed + 1),
    )
    later = min(from_round + 1, rounds)

    again = replan(first, later, present_mentors[1:], present_mentees[:-1], random.Random(seed))

    pairings = [p for r in again.rounds for p in r.pairings]
    assert validate_plan(again) == []
    assert len(pairings) == len(set(pairings))
    assert uneven_swaps(again, later) == []


@LIGHT
@given(rosters(), seeds, st.data())
def test_replan_with_everyone_still_there_keeps_loads_within_one(
    case: Case, seed: int, data: st.DataObject
) -> None:
    mentors, mentees, rounds = case
    plan = plan_rotation(mentors, mentees, rounds, random.Random(seed))
    from_round = data.draw(st.integers(0, rounds))

    again = replan(plan, from_round, mentors, mentees, random.Random(seed + 1))

    assert validate_plan(again) == []
    assert sorted(loads(again, "mentor").values()) == sorted(loads(plan, "mentor").values())


@BOUNDED
@given(rosters(), seeds, st.data())
def test_late_joiners_only_meet_in_rounds_after_they_came(
    case: Case, seed: int, data: st.DataObject
) -> None:
    mentors, mentees, rounds = case
    plan = plan_rotation(mentors, mentees, rounds, random.Random(seed))
    from_round = data.draw(st.integers(0, rounds))
    new_mentors = as_mentors(data.draw(st.lists(mentor_codes, max_size=3)), first_id=150)
    new_mentees = as_mentees(data.draw(st.lists(mentee_codes, max_size=4)), first_id=250)
    joiners = {m.id for m in new_mentors} | {m.id for m in new_mentees}

    again = replan(
        plan, from_round, mentors + new_mentors, mentees + new_mentees, random.Random(seed)
    )

    early = [
        p for r in again.rounds[:from_round] for p in r.pairings if {p.mentor, p.mentee} & joiners
    ]
    pairings = [p for r in again.rounds for p in r.pairings]
    assert validate_plan(again) == []
    assert (again.mentors, again.mentees) == (
        tuple(mentors + new_mentors),
        tuple(mentees + new_mentees),
    )
    assert early == []
    assert len(pairings) == len(set(pairings))
    assert uneven_swaps(again, from_round) == []


def test_replan_refuses_a_round_outside_the_plan() -> None:
    plan = plan_rotation([Mentor(1)], [Mentee(2)], 2, random.Random(0))

    with pytest.raises(InvalidInput) as refused:
        replan(plan, 3, [Mentor(1)], [Mentee(2)], random.Random(0))

    assert refused.value.message == "from_round: the plan has rounds 0 to 1"


def test_plan_refuses_people_listed_twice_or_in_both_roles() -> None:
    with pytest.raises(InvalidInput) as refused:
        plan_rotation([Mentor(1), Mentor(1)], [Mentee(1)], 2, random.Random(0))

    assert [p.message for p in refused.value.problems] == [
        "1 is listed more than once",
        "1 cannot be both a mentor and a mentee",
    ]


def test_plan_needs_at_least_one_round() -> None:
    with pytest.raises(InvalidInput) as refused:
        plan_rotation([Mentor(1)], [Mentee(2)], 0, random.Random(0))

    assert refused.value.message == "rounds: a rotation needs at least one round"
