"""Round-table lobby: one table at a time, seat limits, and values that never change."""

from __future__ import annotations

import pytest

from meeting.errors import InvalidInput, NotFound, Refused
from meeting.networking import TableCount, leave, move, open_tables, snapshot

pytestmark = pytest.mark.unit


def test_moving_seats_a_person_at_the_table() -> None:
    lobby = open_tables({"clinical": 8, "industry": 8})

    lobby = move(lobby, 1, "clinical")

    assert snapshot(lobby) == (TableCount("clinical", 1, 8), TableCount("industry", 0, 8))
    assert lobby.table_of(1) == "clinical"


def test_moving_to_another_table_leaves_the_first() -> None:
    lobby = move(open_tables({"clinical": 8, "industry": 8}), 1, "clinical")

    lobby = move(lobby, 1, "industry")

    assert dict(lobby.seated) == {"clinical": frozenset(), "industry": frozenset({1})}


def test_a_full_table_refuses_one_more() -> None:
    lobby = open_tables({"clinical": 2, "industry": 8})
    lobby = move(move(lobby, 1, "clinical"), 2, "clinical")
    lobby = move(lobby, 3, "industry")

    with pytest.raises(Refused) as refused:
        move(lobby, 3, "clinical")

    assert refused.value.message == "This table is full (2 of 2 seats)."
    assert lobby.table_of(3) == "industry"


def test_moving_to_ones_own_full_table_changes_nothing() -> None:
    lobby = move(open_tables({"clinical": 1}), 1, "clinical")

    assert move(lobby, 1, "clinical") == lobby


def test_an_unknown_table_is_not_found() -> None:
    lobby = open_tables({"clinical": 8})

    with pytest.raises(NotFound) as missing:
        move(lobby, 1, "private-practice")

    assert missing.value.message == "There is no table 'private-practice'."


def test_leaving_frees_the_seat() -> None:
    lobby = move(open_tables({"clinical": 1}), 1, "clinical")

    lobby = leave(lobby, 1)

    assert (snapshot(lobby), lobby.table_of(1)) == ((TableCount("clinical", 0, 1),), None)
    assert snapshot(move(lobby, 2, "clinical"))[0].full is True


def test_leaving_when_not_seated_changes_nothing() -> None:
    lobby = open_tables({"clinical": 8})

    assert leave(lobby, 1) == lobby


def test_moves_return_a_new_occupancy_and_keep_the_old_one() -> None:
    before = open_tables({"clinical": 8})

    after = move(before, 1, "clinical")

    assert (before.table_of(1), after.table_of(1)) == (None, "clinical")


def test_a_table_needs_a_seat() -> None:
    with pytest.raises(InvalidInput) as refused:
        open_tables({"clinical": 0})

    assert refused.value.message == "seats: table 'clinical' needs at least one seat"
