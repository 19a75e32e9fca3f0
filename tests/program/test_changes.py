"""diff_session: which change-log rows a difference between two states produces."""

from __future__ import annotations

import pytest

from meeting.enums import ChangeKind
from meeting.program.changes import Change, diff_session

pytestmark = pytest.mark.unit

OLD = {"title": "A", "start": "s1", "end": "e1", "room": "ch1", "status": "scheduled", "tracks": []}


def test_new_session_is_one_created_change() -> None:
    assert diff_session(None, OLD) == [Change(ChangeKind.CREATED, {}, OLD)]


def test_identical_states_have_no_changes() -> None:
    assert diff_session(OLD, dict(OLD)) == []


def test_move_room_and_title_are_separate_rows() -> None:
    new = {**OLD, "start": "s2", "end": "e2", "room": "ch2", "title": "B"}

    changes = diff_session(OLD, new)

    assert changes == [
        Change(ChangeKind.MOVED, {"start": "s1", "end": "e1"}, {"start": "s2", "end": "e2"}),
        Change(ChangeKind.ROOM_CHANGED, {"room": "ch1"}, {"room": "ch2"}),
        Change(ChangeKind.DETAILS_CHANGED, {"title": "A"}, {"title": "B"}),
    ]


def test_cancel_and_restore() -> None:
    cancelled = {**OLD, "status": "cancelled"}

    assert diff_session(OLD, cancelled) == [
        Change(ChangeKind.CANCELLED, {"status": "scheduled"}, {"status": "cancelled"})
    ]
    assert diff_session(cancelled, OLD) == [
        Change(ChangeKind.RESTORED, {"status": "cancelled"}, {"status": "scheduled"})
    ]
