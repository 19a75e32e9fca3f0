"""Speed-mentoring ("Blood Buddies") rotations: who meets whom in each round.

Guaranteed by `plan_rotation` (and checked by `validate_plan`):
- nobody is in two places in one round, and no mentor-mentee pair meets twice;
- mentors' loads differ by at most one, and so do mentees' numbers of meetings;
- as many meetings as these rules allow; so with at least as many mentors as mentees and
  no more rounds than mentors, every mentee meets someone every round.
Preferences never bend those rules, but within them the plan is optimal, not greedy: it
has the most meetings on a topic the mentee asked for, then the earliest-ranked ones.
Best effort only: loads also stay even after each round, not just at the end, so that a
no-show half-way upsets the balance as little as possible.

`replan` keeps the played rounds and re-pairs the rest for the people present, with the
same hard rules (no pair twice across the whole plan) and as many meetings as possible.
Loads over the whole plan are then made as even as they can be among the people present
(least sum of squares, so late joiners catch up first). That is within one whenever the
played rounds allow it, but not always: a mentee who already met every mentor still
present cannot catch up.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol, TypeVar

from meeting.errors import InvalidInput, Problem
from meeting.networking.matching import pick_pairs, split_into_rounds


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


_Person = TypeVar("_Person", bound=_HasId)


@dataclass(frozen=True)
class Mentor:
    """A mentor and the topics they can speak to."""

    id: int
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mentee:
    """A mentee and the topics they hope to discuss, most wanted first."""

    id: int
    preferences: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Pairing:
    """One mentor and one mentee at the same table for a round."""

    mentor: int
    mentee: int


@dataclass(frozen=True)
class Round:
    """The pairs of one round, and who sits it out (more of one side than the other)."""

    pairings: tuple[Pairing, ...]
    waiting: tuple[int, ...] = ()
    idle_mentors: tuple[int, ...] = ()


@dataclass(frozen=True)
class RotationPlan:
    """Everyone taking part, and the rounds in the order they are played."""

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    rounds: tuple[Round, ...]


def plan_rotation(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], rounds: int, rng: random.Random
) -> RotationPlan:
    """Plan `rounds` rounds; the same `rng` seed gives the same plan."""
    if rounds < 1:
        raise InvalidInput(
            [Problem("a rotation needs at least one round", "rounds", field="rounds")]
        )
    _check_roster(mentors, mentees)
    planned = _plan_rounds((), mentors, mentees, rounds, rng)
    return RotationPlan(tuple(mentors), tuple(mentees), planned)


def replan(
    plan: RotationPlan,
    from_round: int,
    present_mentors: Sequence[Mentor],
    present_mentees: Sequence[Mentee],
    rng: random.Random,
) -> RotationPlan:
    """Re-pair rounds `from_round` (0-based) onwards for the people present now.

    Rounds before `from_round` count as played as planned. Late joiners are simply new
    entries in `present_mentors` / `present_mentees`; they join the plan's roster.
    """
    if not 0 <= from_round <= len(plan.rounds):
        raise InvalidInput(
            [
                Problem(
                    f"the plan has rounds 0 to {len(plan.rounds) - 1}",
                    "from_round",
                    field="from_round",
                )
            ]
        )
    _check_roster(present_mentors, present_mentees)
    mentors = _merge(plan.mentors, present_mentors)
    mentees = _merge(plan.mentees, present_mentees)
    _check_roster(mentors, mentees)
    played = plan.rounds[:from_round]
    rest = len(plan.rounds) - from_round
    planned = _plan_rounds(played, present_mentors, present_mentees, rest, rng)
    return RotationPlan(mentors, mentees, played + planned)


def preferred_topic(mentor: Mentor, mentee: Mentee) -> str | None:
    """The mentee's most wanted topic this mentor covers, if any."""
    return next((t for t in mentee.preferences if t in mentor.topics), None)


def validate_plan(plan: RotationPlan) -> list[str]:
    """Every broken rule of the plan, in plain words (empty when the plan is sound).

    Even loads and "nobody waits needlessly" are checked while every round has the same
    people. Once someone leaves or joins they can be out of reach (a mentee who already
    met every mentor still present cannot catch up), so `replan` evens loads out as far
    as the played rounds allow instead, which no per-plan rule can judge.
    """
    problems = [
        f"{person} is listed both as a mentor and as a mentee."
        for person in sorted({m.id for m in plan.mentors} & {m.id for m in plan.mentees})
    ]
    mentor_ids, mentee_ids = {m.id for m in plan.mentors}, {m.id for m in plan.mentees}
    first_met: dict[Pairing, int] = {}
    for number, played in enumerate(plan.rounds, start=1):
        where = f"Round {number}"
        problems += [
            f"{where}: {p.mentor} is not a mentor of this plan."
            for p in played.pairings
            if p.mentor not in mentor_ids
        ]
        problems += [
            f"{where}: {p.mentee} is not a mentee of this plan."
            for p in played.pairings
            if p.mentee not in mentee_ids
        ]
        problems += _twice(
            where, "mentor", [p.mentor for p in played.pairings], played.idle_mentors
        )
        problems += _twice(where, "mentee", [p.mentee for p in played.pairings], played.waiting)
        for pairing in played.pairings:
            if pairing in first_met:
                problems.append(
                    f"{where}: mentor {pairing.mentor} meets mentee {pairing.mentee} again "
                    f"(first in round {first_met[pairing]})."
                )
            first_met.setdefault(pairing, number)
    rosters = {(frozenset(_mentors_at(r)), frozenset(_mentees_at(r))) for r in plan.rounds}
    if len(rosters) == 1:
        ((mentors, mentees),) = rosters
        pairings = [p for r in plan.rounds for p in r.pairings]
        problems += _unbalanced("Mentor", mentors, Counter(p.mentor for p in pairings))
        problems += _unbalanced("Mentee", mentees, Counter(p.mentee for p in pairings))
        if len(mentors) >= len(mentees) and len(plan.rounds) <= len(mentors):
            problems += [
                f"Round {number}: mentee {person} waits though a new mentor is free every round."
                for number, played in enumerate(plan.rounds, start=1)
                for person in played.waiting
            ]
    return problems


def format_plan(
    plan: RotationPlan,
    names: Mapping[int, str],
    round_minutes: int,
    start: datetime,
    zone: tzinfo,
) -> str:
    """A plain-text table of the rounds, with wall-clock times, for print or e-mail."""
    if start.tzinfo is None:
        raise InvalidInput([Problem("the start time needs a time zone", "start", field="start")])
    mentors = {m.id: m for m in plan.mentors}
    mentees = {m.id: m for m in plan.mentees}

    def name(person: int) -> str:
        return names.get(person, f"#{person}")

    def topic_of(pairing: Pairing) -> str | None:
        mentor, mentee = mentors.get(pairing.mentor), mentees.get(pairing.mentee)
        return preferred_topic(mentor, mentee) if mentor and mentee else None

    tables = [
        sorted((name(p.mentor), name(p.mentee), topic_of(p)) for p in played.pairings)
        for played in plan.rounds
    ]
    rows = [("Mentor", "Mentee", "Topic"), *(row for table in tables for row in table)]
    width_mentor = max(len(row[0]) for row in rows)
    width_mentee = max(len(row[1]) for row in rows)
    local_start = start.astimezone(zone)
    lines = [
        f"Speed mentoring: {len(plan.rounds)} rounds of {round_minutes} minutes, "
        f"from {local_start:%a %d %b %Y %H:%M} ({zone})"
    ]
    for number, (played, table) in enumerate(zip(plan.rounds, tables, strict=True), start=1):
        begins = local_start + timedelta(minutes=round_minutes * (number - 1))
        ends = begins + timedelta(minutes=round_minutes)
        lines += ["", f"Round {number}  {begins:%H:%M}-{ends:%H:%M}"]
        for mentor, mentee, topic in [("Mentor", "Mentee", "Topic"), *table]:
            line = f"  {mentor:<{width_mentor}}  {mentee:<{width_mentee}}  {topic or '-'}"
            lines.append(line.rstrip())
        if played.waiting:
            lines.append("  Waiting: " + ", ".join(sorted(map(name, played.waiting))))
        if played.idle_mentors:
            lines.append("  Free mentors: " + ", ".join(sorted(map(name, played.idle_mentors))))
    return "\n".join(lines) + "\n"


def _plan_rounds(
    played: Sequence[Round],
    mentors: Sequence[Mentor],
    mentees: Sequence[Mentee],
    count: int,
    rng: random.Random,
) -> tuple[Round, ...]:
    """New rounds for the people present, given what was already played.

    One min-cost flow picks the whole set of pairs for all `count` rounds at once, with
    costs ordered lexicographically: most meetings first, then the most even loads over
    the whole plan (sum of squared loads), then preferences. Splitting that set into
    matchings is always possible since nobody gets more than `count` pairs.
    """
    if count == 0:
        return ()
    met = {(p.mentor, p.mentee) for r in played for p in r.pairings}
    mentor_load = Counter(p.mentor for r in played for p in r.pairings)
    mentee_load = Counter(p.mentee for r in played for p in r.pairings)
    lefts, rights = list(mentors), list(mentees)
    rng.shuffle(lefts)
    rng.shuffle(rights)
    ranks = max((len(m.preferences) for m in rights), default=0)
    allowed = [
        (i, j, _rank_weight(m, n, ranks, len(lefts) * len(rights)))
        for i, m in enumerate(lefts)
        for j, n in enumerate(rights)
        if (m.id, n.id) not in met
    ]
    balance_unit = 1 + sum(weight for *_, weight in allowed)
    squares = sum((mentor_load[m.id] + count) ** 2 for m in lefts)
    squares += sum((mentee_load[m.id] + count) ** 2 for m in rights)
    meeting_reward = balance_unit * (squares + 1)
    pairs = pick_pairs(
        [_steps(mentor_load[m.id], count, balance_unit) for m in lefts],
        [_steps(mentee_load[m.id], count, balance_unit) for m in rights],
        [(i, j, -meeting_reward - weight) for i, j, weight in allowed],
    )
    rng.shuffle(pairs)
    return tuple(
        Round(
            pairings=tuple(sorted(Pairing(lefts[i].id, rights[j].id) for i, j in matching)),
            waiting=tuple(sorted({m.id for m in rights} - {rights[j].id for _, j in matching})),
            idle_mentors=tuple(sorted({m.id for m in lefts} - {lefts[i].id for i, _ in matching})),
        )
        for matching in split_into_rounds(
            pairs,
            count,
            [mentor_load[m.id] for m in lefts],
            [mentee_load[m.id] for m in rights],
        )
    )


def _steps(load: int, count: int, unit: int) -> list[int]:
    # Marginal cost of each extra meeting is that of the squared whole-plan load.
    return [unit * (2 * (load + k) - 1) for k in range(1, count + 1)]


def _rank_weight(mentor: Mentor, mentee: Mentee, ranks: int, pairs: int) -> int:
    """Worth of a pair: a covered preference outweighs any mix of preference ranks."""
    topic = preferred_topic(mentor, mentee)
    if topic is None:
        return 0
    return ranks * pairs + 1 + ranks - mentee.preferences.index(topic)


def _twice(where: str, role: str, paired: list[int], sitting_out: Iterable[int]) -> list[str]:
    counts = Counter([*paired, *sitting_out])
    return [
        f"{where}: {role} {person} is in more than one place."
        for person, times in sorted(counts.items())
        if times > 1
    ]


def _mentors_at(played: Round) -> set[int]:
    return {p.mentor for p in played.pairings} | set(played.idle_mentors)


def _mentees_at(played: Round) -> set[int]:
    return {p.mentee for p in played.pairings} | set(played.waiting)


def _unbalanced(role: str, people: frozenset[int], loads: Counter[int]) -> list[str]:
    if not people:
        return []
    low = min(sorted(people), key=lambda person: loads[person])
    high = max(sorted(people), key=lambda person: loads[person])
    if loads[high] - loads[low] <= 1:
        return []
    return [
        f"{role} loads differ by more than one: {low} has {loads[low]}, {high} has {loads[high]}."
    ]


def _check_roster(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> None:
    problems = [
        Problem(f"{person} is listed more than once", field, field=field)
        for field, people in (("mentors", mentors), ("mentees", mentees))
        for person, times in Counter(p.id for p in people).items()
        if times > 1
    ]
    problems += [
        Problem(f"{person} cannot be both a mentor and a mentee", "mentees", field="mentees")
        for person in sorted({m.id for m in mentors} & {m.id for m in mentees})
    ]
    if problems:
        raise InvalidInput(problems)


def _merge(known: Iterable[_Person], present: Iterable[_Person]) -> tuple[_Person, ...]:
    latest: dict[int, _Person] = {person.id: person for person in present}
    merged: list[_Person] = [latest.pop(person.id, person) for person in known]
    return (*merged, *latest.values())
