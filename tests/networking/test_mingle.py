"""Mingle groups: everyone placed once, sizes in bounds, new faces when that is easy."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.errors import InvalidInput
from meeting.networking import form_groups, repeat_pairs

pytestmark = pytest.mark.unit

BOUNDED = settings(max_examples=150, deadline=None)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
people = st.integers(0, 60).map(lambda count: list(range(1, count + 1)))


@st.composite
def histories(draw: st.DrawFn, present: list[int]) -> list[tuple[tuple[int, ...], ...]]:
    """Up to two earlier rounds, among some of the people present and some who left."""
    rounds = []
    for _ in range(draw(st.integers(0, 2))):
        pick = random.Random(draw(seeds))
        earlier = [*pick.sample(present, pick.randint(0, len(present))), -1, -2, -3]
        rounds.append(form_groups(earlier, [], pick))
    return rounds


@BOUNDED
@given(people.filter(lambda present: len(present) >= 3), seeds, st.data())
def test_everyone_is_in_exactly_one_group_of_three_to_five(
    present: list[int], seed: int, data: st.DataObject
) -> None:
    history = data.draw(histories(present))

    groups = form_groups(present, history, random.Random(seed))

    sizes = sorted(len(group) for group in groups)
    assert sorted(p for group in groups for p in group) == present
    assert 3 <= sizes[0] <= sizes[-1] <= 5
    assert sizes[-1] - sizes[0] <= 1


@BOUNDED
@given(st.integers(16, 48), seeds, seeds)
def test_no_pair_meets_again_after_one_round_of_sixteen_or_more(
    count: int, seed: int, earlier_seed: int
) -> None:
    present = list(range(1, count + 1))
    history = [form_groups(present, [], random.Random(earlier_seed))]

    groups = form_groups(present, history, random.Random(seed))

    assert repeat_pairs(groups, history) == 0


def test_twelve_people_avoid_each_other_in_groups_of_three() -> None:
    present = list(range(1, 13))
    history = [[(1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12)]]

    groups = form_groups(present, history, random.Random(7))

    assert ([len(group) for group in groups], repeat_pairs(groups, history)) == ([3] * 4, 0)


@settings(max_examples=50, deadline=None)
@given(people, seeds)
def test_the_same_seed_gives_the_same_groups(present: list[int], seed: int) -> None:
    history = [form_groups(present, [], random.Random(seed + 1))]

    first = form_groups(present, history, random.Random(seed))
    second = form_groups(present, history, random.Random(seed))

    assert first == second


@pytest.mark.parametrize("present", [[], [7], [7, 3]])
def test_fewer_than_three_people_make_one_group(present: list[int]) -> None:
    groups = form_groups(present, [], random.Random(0))

    assert groups == ((tuple(sorted(present)),) if present else ())


def test_smaller_bounds_are_honoured() -> None:
    groups = form_groups(list(range(1, 8)), [], random.Random(0), min_size=2, max_size=3)

    assert sorted(len(group) for group in groups) == [2, 2, 3]


def test_repeat_pairs_counts_each_pair_that_shared_a_group_before() -> None:
    history = [[(1, 2, 3), (4, 5, 6)], [(1, 4, 7)]]

    assert repeat_pairs([(1, 2, 4), (3, 5, 6), (7,)], history) == 3


def test_bounds_that_cannot_split_every_crowd_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        form_groups([1, 2, 3, 4, 5, 6, 7], [], random.Random(0), min_size=4, max_size=5)

    assert refused.value.message == "max_size: group sizes need 1 <= min and max >= 2 * min - 1"


def test_someone_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        form_groups([1, 2, 2, 3], [], random.Random(0))

    assert refused.value.message == "present: 2 is listed more than once"
