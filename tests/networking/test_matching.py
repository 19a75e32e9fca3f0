"""The bipartite machinery: cheapest pairs and peeling pairs into rounds."""

from __future__ import annotations

import pytest

from meeting.networking.matching import pick_pairs, split_into_rounds

pytestmark = pytest.mark.unit


def test_pick_pairs_takes_the_cheapest_perfect_set() -> None:
    steps = [[-100], [-100]]
    candidates = [(0, 0, -5), (0, 1, -1), (1, 0, -4), (1, 1, -3)]

    pairs = pick_pairs(steps, steps, candidates)

    assert sorted(pairs) == [(0, 0), (1, 1)]


def test_pick_pairs_stops_when_more_pairs_would_cost_more() -> None:
    pairs = pick_pairs([[-1, 5]], [[0], [0]], [(0, 0, 0), (0, 1, 0)])

    assert len(pairs) == 1


def test_split_into_rounds_fills_rounds_and_serves_the_least_met_first() -> None:
    pairs = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)]

    rounds = split_into_rounds(pairs, 3, [0, 0, 0], [0, 0])

    assert [len(r) for r in rounds] == [2, 2, 1]
    assert sorted(p for r in rounds for p in r) == sorted(pairs)


def test_split_into_rounds_refuses_more_pairs_than_rounds() -> None:
    with pytest.raises(ValueError, match="more than 1 pairs"):
        split_into_rounds([(0, 0), (0, 1)], 1, [0], [0, 0])
