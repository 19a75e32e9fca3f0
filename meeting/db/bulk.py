"""Insert many rows in one statement, whatever the database.

psycopg runs an executemany as one INSERT per row (pipelined, yet each is bound, sent and
executed on its own): a tenth of a millisecond a row, most of an import's time on
PostgreSQL. There the rows go as one array per column through unnest() instead, one
statement for all. SQLite's executemany is a C loop over one prepared statement already,
and JSON values bind more slowly in arrays than one by one, so those keep executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from itertools import groupby
from typing import Any

from sqlalchemy import ARRAY, JSON, ColumnDefault, Table, bindparam, insert, text, update
from sqlalchemy.orm import Session as DbSession

Row = dict[str, Any]


def insert_rows(db: DbSession, table: Table, rows: list[Row]) -> None:
    """INSERT `rows` (all with the same keys) into `table`, column defaults applied."""
    if not rows:
        return
    dialect = db.get_bind().dialect
    defaults = _python_defaults(table, set(rows[0]))
    if dialect.name != "postgresql" or defaults is None or _has_json(table, rows[0]):
        db.execute(insert(table), rows)
        return
    names = [*rows[0], *defaults]
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    columns.update({name: [make() for _row in rows] for name, make in defaults.items()})
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(
        f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names
    )
    statement = text(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "  # noqa: S608
        f"({', '.join(quote(name) for name in names)}) SELECT * FROM unnest({arrays})"
    ).bindparams(*(bindparam(name, type_=ARRAY(table.c[name].type)) for name in names))
    db.execute(statement, columns)


def update_rows(db: DbSession, table: Table, rows: list[Row]) -> None:
    """UPDATE by primary key: each row has "id" and the columns to set. Rows in a run with
    the same keys share one executemany."""
    for keys, run in groupby(rows, key=tuple):
        statement = update(table).where(table.c.id == bindparam("id_"))
        names = [key for key in keys if key != "id"]
        db.execute(statement, [{"id_": row["id"], **{n: row[n] for n in names}} for row in run])


def _has_json(table: Table, names: Iterable[str]) -> bool:
    return any(isinstance(table.c[name].type, JSON) for name in names)


def _python_defaults(table: Table, given: set[str]) -> dict[str, Callable[[], Any]] | None:
    """Makers of the Python-side defaults of the columns not given; None when a default
    is of a kind only SQLAlchemy's own INSERT can apply (SQL expressions, sequences)."""
    makers: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if not isinstance(default, ColumnDefault):
            return None
        if default.is_scalar:
            makers[column.name] = partial(_same, default.arg)
        elif default.is_callable:
            # SQLAlchemy wraps a callable taking no argument as one taking the context.
            makers[column.name] = partial(default.arg, None)
        else:
            return None
    return makers


def _same(value: Any) -> Any:
    return value
