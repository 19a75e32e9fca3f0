"""Round-table lobby rules: one table at a time, and no more people than seats.

Occupancy is a value: `move` and `leave` return a new one and never change their input,
so the live room can compute the next state, persist it, and only then publish it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from meeting.errors import InvalidInput, NotFound, Problem, Refused


@dataclass(frozen=True)
class Occupancy:
    """Who sits at which table, and how many seats each table has."""

    seats: Mapping[str, int]
    seated: Mapping[str, frozenset[int]]

    def table_of(self, person: int) -> str | None:
        """The table `person` sits at, if any."""
        return next((table for table, people in self.seated.items() if person in people), None)


@dataclass(frozen=True)
class TableCount:
    """How full one table is, for the lobby's list of tables."""

    table: str
    taken: int
    seats: int

    @property
    def full(self) -> bool:
        return self.taken >= self.seats


def open_tables(seats: Mapping[str, int]) -> Occupancy:
    """Empty tables with the given seat limits (table id -> seats), in that order."""
    problems = [
        Problem(f"table {table!r} needs at least one seat", "seats", field="seats")
        for table, limit in seats.items()
        if limit < 1
    ]
    if problems:
        raise InvalidInput(problems)
    return Occupancy(
        MappingProxyType(dict(seats)),
        MappingProxyType({table: frozenset[int]() for table in seats}),
    )


def move(occupancy: Occupancy, person: int, to_table: str) -> Occupancy:
    """Seat `person` at `to_table`, leaving the table they were at (if any)."""
    if to_table not in occupancy.seats:
        raise NotFound(f"There is no table {to_table!r}.")
    if person in occupancy.seated[to_table]:
        return occupancy
    taken, limit = len(occupancy.seated[to_table]), occupancy.seats[to_table]
    if taken >= limit:
        raise Refused(f"This table is full ({taken} of {limit} seats).")
    return _with(leave(occupancy, person), to_table, occupancy.seated[to_table] | {person})


def leave(occupancy: Occupancy, person: int) -> Occupancy:
    """Take `person` away from their table; a no-op when they are not seated."""
    table = occupancy.table_of(person)
    if table is None:
        return occupancy
    return _with(occupancy, table, occupancy.seated[table] - {person})


def snapshot(occupancy: Occupancy) -> tuple[TableCount, ...]:
    """Head counts per table, in table order."""
    return tuple(
        TableCount(table, len(occupancy.seated[table]), limit)
        for table, limit in occupancy.seats.items()
    )


def _with(occupancy: Occupancy, table: str, people: frozenset[int]) -> Occupancy:
    seated = dict(occupancy.seated)
    seated[table] = people
    return Occupancy(occupancy.seats, MappingProxyType(seated))
