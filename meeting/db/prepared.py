"""Hot reads run on the driver's cursor: a Core SELECT compiled once per dialect.

A cold feed makes three indexed lookups; through a SQLAlchemy execution each costs several
times the lookup itself. `PreparedRead` keeps SQLAlchemy's SQL and its column types (the
same result processors turn SQLite's text into aware datetimes and enums) and skips the
rest: one compile per dialect, then the DBAPI cursor. Bind values must be plain (str, int),
or lists of them for an `expanding` bind (`column.in_(bindparam(name, expanding=True))`),
whose IN list is spelled out per call: a batch of feeds reads all its agendas in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: Sequence[str] | None
    """Bind names in order for positional paramstyles (SQLite's qmark), else None."""
    processors: tuple[Callable[[Any], Any] | None, ...]
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
        if positions is not None:
            arguments: Any = tuple(values[name] for name in positions)
        else:
            arguments = values
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, arguments)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
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
        positions = (
            list(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        )
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
