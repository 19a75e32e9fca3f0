"""find_conflicts: overlaps, back-to-back, and parent/child rules."""

from __future__ import annotations

import pytest

from meeting.agenda.conflicts import Slot, find_conflicts
from tests.factories import pacific

pytestmark = pytest.mark.unit


def test_overlapping_sessions_conflict_both_ways() -> None:
    slots = [Slot("A", pacific(5, 9), pacific(5, 10)), Slot("B", pacific(5, 9, 30), pacific(5, 11))]

    assert find_conflicts(slots) == {"A": ["B"], "B": ["A"]}


def test_back_to_back_sessions_do_not_conflict() -> None:
    slots = [Slot("A", pacific(5, 9), pacific(5, 10)), Slot("B", pacific(5, 10), pacific(5, 11))]

    assert find_conflicts(slots) == {"A": [], "B": []}


def test_child_does_not_conflict_with_its_parent_but_siblings_do() -> None:
    slots = [
        Slot("LUNCH", pacific(6, 11), pacific(6, 12, 30)),
        Slot("T1", pacific(6, 11), pacific(6, 12, 30), parent="LUNCH"),
        Slot("T2", pacific(6, 11), pacific(6, 12, 30), parent="LUNCH"),
    ]

    assert find_conflicts(slots) == {"LUNCH": [], "T1": ["T2"], "T2": ["T1"]}


def test_a_child_conflicts_with_another_session_at_that_time() -> None:
    slots = [
        Slot("T1", pacific(6, 11), pacific(6, 12, 30), parent="LUNCH"),
        Slot("LYM", pacific(6, 12), pacific(6, 13)),
    ]

    assert find_conflicts(slots) == {"T1": ["LYM"], "LYM": ["T1"]}
