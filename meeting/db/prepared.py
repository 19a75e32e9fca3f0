"""Hot statements run on the driver's cursor: Core SQL compiled once per dialect.

A cold feed makes three indexed lookups; through a SQLAlchemy execution each costs several
times the lookup itself. `PreparedRead` keeps SQLAlchemy's SQL and its column types (the
same result processors turn SQLite's text into aware datetimes and enums) and skips the
rest: one compile per dialect, then the DBAPI cursor. Bind values must be plain (str, int),
or lists of them for an `expanding` bind (`column.in_(bindparam(name, expanding=True))`),
whose IN list is spelled out per call: a batch of feeds reads all its agendas in one query.
`PreparedWrite` does the same for an INSERT or UPDATE (chat batches, a room's counter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.sql.compiler import Compiled, SQLCompiler
from sqlalchemy.sql.expression import UpdateBase

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: Sequence[str] | None
    """Bind names in order for positional paramstyles (SQLite's qmark), else None."""
    processors: tuple[Processor | None, ...]
    defaults: Mapping[str, Any]
    """Values SQLAlchemy bound itself (a LIMIT, a literal)."""
    expanding: SQLCompiler | None
    """The compiled statement when a bind is an IN list (its SQL depends on the list)."""


class PreparedRead:
    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self._statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, each a tuple with the columns' types applied."""
        compiled = self._by_dialect.get(connection.dialect.name) or self._compile(
            connection.dialect
        )
        values: Mapping[str, Any] = {**compiled.defaults, **params}
        sql, positions = compiled.sql, compiled.positions
        if compiled.expanding is not None:
            state = compiled.expanding.construct_expanded_state(values)
            sql, values = state.statement, state.parameters
            positions = state.positiontup if positions is not None else None
        with _cursor(connection) as cursor:
            cursor.execute(sql, _arguments(values, positions))
            fetched = cursor.fetchall()
        processors = compiled.processors
        if not any(processors):
            return list(fetched)
        return [
            tuple(
                value if p is None else p(value) for p, value in zip(processors, row, strict=True)
            )
            for row in fetched
        ]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect)
        positions = _positions(compiled)
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self._statement.selected_columns
        )
        expanding = any(bind.expanding for bind in compiled.binds.values())
        prepared = _Compiled(
            str(compiled),
            positions,
            processors,
            dict(compiled.params),
            compiled if expanding else None,
        )
        self._by_dialect[dialect.name] = prepared
        return prepared


@dataclass(frozen=True)
class _CompiledWrite:
    sql: str
    positions: Sequence[str] | None
    processors: Mapping[str, Processor]
    """Bind processors of the columns that need one (JSON, aware datetimes, booleans)."""


class PreparedWrite:
    """An INSERT or UPDATE on the driver's cursor. Values of the columns named in `columns`
    get their bind processing, as SQLAlchemy applies it; other binds must be plain values.

    Through a SQLAlchemy execution each statement of a chat batch cost several times what
    the database takes to run it, in a thread that holds the GIL the broadcasting loop needs.
    """

    def __init__(self, statement: UpdateBase, columns: Sequence[str] = ()) -> None:
        self._statement = statement
        self._columns = tuple(columns)
        self._by_dialect: dict[str, _CompiledWrite] = {}

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once; the rows it returns (RETURNING), untyped."""
        compiled = self._compiled(connection.dialect)
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, self._arguments(compiled, params))
            return list(cursor.fetchall()) if cursor.description else []

    def executemany(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        compiled = self._compiled(connection.dialect)
        with _cursor(connection) as cursor:
            cursor.executemany(compiled.sql, [self._arguments(compiled, row) for row in rows])

    @staticmethod
    def _arguments(compiled: _CompiledWrite, params: Mapping[str, Any]) -> Any:
        processors = compiled.processors
        values = {
            name: processors[name](value) if name in processors else value
            for name, value in params.items()
        }
        return _arguments(values, compiled.positions)

    def _compiled(self, dialect: Dialect) -> _CompiledWrite:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        compiled = self._statement.compile(dialect=dialect, column_keys=self._columns or None)
        table = self._statement.table
        processors = {
            name: processor
            for name in self._columns
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        }
        found = _CompiledWrite(str(compiled), _positions(compiled), processors)
        self._by_dialect[dialect.name] = found
        return found


def _positions(compiled: Compiled) -> list[str] | None:
    """Bind names in order for a positional paramstyle (SQLite's qmark), else None."""
    if isinstance(compiled, SQLCompiler) and compiled.positional and compiled.positiontup:
        return list(compiled.positiontup)
    return None


def _arguments(values: Mapping[str, Any], positions: Sequence[str] | None) -> Any:
    """What the DBAPI takes: the values in bind order (positional), or the mapping."""
    return values if positions is None else tuple(values[name] for name in positions)


@contextmanager
def _cursor(connection: Connection) -> Iterator[Any]:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()
