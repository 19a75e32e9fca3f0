"""Reception "mingle" breakouts: small groups that keep meeting new people.

Guaranteed: everyone present is in exactly one group; with at least `min_size` people,
group sizes lie within the bounds and differ by at most one. Best effort: as few pairs as
possible who already shared a group (several seeded shuffles, each improved by swapping
people between groups while that removes repeats; the best is kept).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence

from meeting.errors import InvalidInput, Problem

Group = tuple[int, ...]
Grouping = Sequence[Collection[int]]
Known = dict[int, set[int]]

_NOBODY: frozenset[int] = frozenset()

_SHUFFLES = 4
_MAX_PASSES = 50


def form_groups(
    present: Sequence[int],
    history: Sequence[Grouping],
    rng: random.Random,
    *,
    min_size: int = 3,
    max_size: int = 5,
) -> tuple[Group, ...]:
    """Groups for the next round; the same `rng` seed gives the same groups.

    Fewer, larger groups are tried first, and more groups only when they cut repeats:
    after one round of groups of 4, say, twelve people can only avoid each other in
    groups of 3.
    """
    _check(present, min_size, max_size)
    if len(present) < min_size:
        return (tuple(sorted(present)),) if present else ()
    known = _acquaintances(history)
    best: list[list[int]] = []
    best_repeats = -1
    for count in range(-(-len(present) // max_size), len(present) // min_size + 1):
        for _ in range(_SHUFFLES):
            groups = _greedy(present, _sizes(len(present), count), known, rng)
            _swap_away_repeats(groups, known)
            repeats = sum(_repeats_in(group, known) for group in groups)
            if best_repeats < 0 or repeats < best_repeats:
                best, best_repeats = groups, repeats
            if repeats == 0:
                return _tidy(best)
    return _tidy(best)


def repeat_pairs(groups: Grouping, history: Sequence[Grouping]) -> int:
    """How many pairs in `groups` already shared a group in `history`."""
    known = _acquaintances(history)
    return sum(_repeats_in(group, known) for group in groups)


def _check(present: Sequence[int], min_size: int, max_size: int) -> None:
    problems = [
        Problem(f"{person} is listed more than once", "present", field="present")
        for person, times in Counter(present).items()
        if times > 1
    ]
    # Below this, some head counts (e.g. 7 people in groups of 4-5) cannot be split.
    if min_size < 1 or max_size < 2 * min_size - 1:
        problems.append(
            Problem(
                "group sizes need 1 <= min and max >= 2 * min - 1", "max_size", field="max_size"
            )
        )
    if problems:
        raise InvalidInput(problems)


def _sizes(people: int, count: int) -> list[int]:
    """`count` group sizes adding up to `people`, differing by at most one."""
    small, extra = divmod(people, count)
    return [small + 1] * extra + [small] * (count - extra)


def _greedy(
    present: Sequence[int], sizes: list[int], known: Known, rng: random.Random
) -> list[list[int]]:
    """Seat people in random order, each where they know the fewest, then the emptiest."""
    order = list(present)
    rng.shuffle(order)
    groups: list[list[int]] = [[] for _ in sizes]
    for person in order:
        open_groups = [k for k, size in enumerate(sizes) if len(groups[k]) < size]
        seat = min(
            open_groups,
            key=lambda k: (_links(person, groups[k], known, person), len(groups[k]) - sizes[k]),
        )
        groups[seat].append(person)
    return groups


def _tidy(groups: list[list[int]]) -> tuple[Group, ...]:
    return tuple(sorted(tuple(sorted(group)) for group in groups))


def _acquaintances(history: Sequence[Grouping]) -> dict[int, set[int]]:
    """Everyone each person already shared a group with."""
    known: dict[int, set[int]] = {}
    for grouping in history:
        for group in grouping:
            for person in group:
                known.setdefault(person, set()).update(group)
    for person, others in known.items():
        others.discard(person)
    return known


def _repeats_in(group: Collection[int], known: Known) -> int:
    return sum(len(known.get(person, _NOBODY).intersection(group)) for person in group) // 2


def _links(person: int, group: list[int], known: Known, skip: int) -> int:
    """Repeats `person` would have in `group`, not counting member `skip`."""
    met = known.get(person, _NOBODY)
    return sum(other in met for other in group if other != skip)


def _swap_away_repeats(groups: list[list[int]], known: Known) -> None:
    """Swap people between groups while a swap lowers the number of repeated pairs."""
    for _ in range(_MAX_PASSES):
        improved = False
        for g, first in enumerate(groups):
            for second in groups[g + 1 :]:
                for x, a in enumerate(first):
                    for y, b in enumerate(second):
                        before = _links(a, first, known, a) + _links(b, second, known, b)
                        if not before:
                            continue
                        after = _links(a, second, known, b) + _links(b, first, known, a)
                        if after < before:
                            first[x], second[y] = b, a
                            a = b  # noqa: PLW2901 - `a`'s seat now holds `b`
                            improved = True
        if not improved:
            return
