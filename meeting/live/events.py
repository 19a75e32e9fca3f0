"""A room's numbered event log: numbering under a row lock, frames, replay."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql.expression import UpdateBase

from meeting.live.models import RoomCounter, RoomEvent


@dataclass(frozen=True)
class NumberedEvent:
    """A stored event ready to publish; `audience` limits it to some people (a breakout)."""

    seq: int
    frame: str
    audience: frozenset[int] | None = None

    def for_user(self, user_id: int) -> bool:
        return self.audience is None or user_id in self.audience


@dataclass(frozen=True)
class NewEvent:
    """An event about to be stored: what happened, by whom, when, and for whom."""

    type: str
    payload: dict[str, Any]
    user_id: int | None
    at: datetime
    audience: list[int] | None = None


def append_events(db: DbSession, session_id: int, new: list[NewEvent]) -> list[NumberedEvent]:
    """Store events of one room under consecutive ids, in the session's transaction."""
    return append_event_rows(db.connection(), session_id, new)


def append_event(
    db: DbSession,
    session_id: int,
    type_: str,
    payload: dict[str, Any],
    user_id: int | None,
    now: datetime,
    *,
    audience: list[int] | None = None,
) -> NumberedEvent:
    """Store the next numbered event of a room and return it ready to publish."""
    (event,) = append_events(db, session_id, [NewEvent(type_, payload, user_id, now, audience)])
    return event


def append_event_rows(
    conn: Connection, session_id: int, new: list[NewEvent]
) -> list[NumberedEvent]:
    """Store events of one room under consecutive ids, in order: two statements on the
    driver's cursor (chat comes through here in batches, several a second per busy room)."""
    if not new:
        return []
    last = _take_seqs(conn, session_id, len(new))
    seqs = range(last - len(new) + 1, last + 1)
    _INSERT_EVENT.executemany(
        conn,
        [
            {
                "session_id": session_id,
                "seq": seq,
                "type": event.type,
                "payload": event.payload,
                "user_id": event.user_id,
                "created_at": event.at,
                "audience": event.audience,
                "hidden": False,
            }
            for seq, event in zip(seqs, new, strict=True)
        ],
    )
    return [
        NumberedEvent(
            seq,
            _frame(event.type, seq, event.at, event.payload),
            frozenset(event.audience) if event.audience is not None else None,
        )
        for seq, event in zip(seqs, new, strict=True)
    ]


def _take_seqs(conn: Connection, session_id: int, count: int) -> int:
    """Reserve the room's next `count` event ids; returns the last. One UPDATE … RETURNING,
    which also holds the counter row's lock until the transaction ends (the row is made on
    the room's first event)."""
    taken = _BUMP.execute(conn, {"room": session_id, "count": count})
    if not taken:
        insert_ignoring = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert_ignoring(RoomCounter)
            .values(session_id=session_id, last_seq=0)
            .on_conflict_do_nothing()
        )
        taken = _BUMP.execute(conn, {"room": session_id, "count": count})
    return int(taken[0][0])


BindProcessor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: Sequence[str] | None
    """Bind names in order for positional paramstyles (SQLite's qmark), else None."""
    processors: Mapping[str, BindProcessor]


class _DriverWrite:
    """A Core INSERT/UPDATE compiled once per dialect, run on the driver's cursor.

    Through a SQLAlchemy execution each statement of a chat batch cost several times what
    the database takes to run it, in a thread that holds the GIL the broadcasting loop
    needs. Values get the bind processing of the columns named in `columns` (JSON, aware
    datetimes, booleans), as SQLAlchemy applies it; other binds must be plain values.
    """

    def __init__(self, statement: UpdateBase, columns: Sequence[str] = ()) -> None:
        self._statement = statement
        self._columns = tuple(columns)
        self._by_dialect: dict[str, _Compiled] = {}

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once; the rows it returns (RETURNING), untyped."""
        compiled = self._compiled(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, _arguments(compiled, params))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        compiled = self._compiled(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(compiled.sql, [_arguments(compiled, row) for row in rows])
        finally:
            cursor.close()

    def _compiled(self, dialect: Dialect) -> _Compiled:
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
        positions = (
            tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        )
        found = self._by_dialect[dialect.name] = _Compiled(str(compiled), positions, processors)
        return found


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    processors = compiled.processors
    values = {
        name: processors[name](value) if name in processors else value
        for name, value in params.items()
    }
    if compiled.positions is None:
        return values
    return tuple(values[name] for name in compiled.positions)


# Built once: statement construction costs more than running them on the chat path.
_BUMP = _DriverWrite(
    update(RoomCounter)
    .where(RoomCounter.session_id == bindparam("room"))
    .values(last_seq=RoomCounter.last_seq + bindparam("count"))
    .returning(RoomCounter.last_seq)
)
_INSERT_EVENT = _DriverWrite(
    insert(RoomEvent),
    ("session_id", "seq", "type", "payload", "user_id", "created_at", "audience", "hidden"),
)


def as_numbered(row: RoomEvent) -> NumberedEvent:
    audience = frozenset(row.audience) if row.audience is not None else None
    return NumberedEvent(row.seq, event_frame(row), audience)


def lock_room(db: DbSession, session_id: int) -> None:
    """Serialise the writers of one room (its counter row), e.g. before checking seats."""
    _locked_counter(db, session_id)


def _locked_counter(db: DbSession, session_id: int) -> RoomCounter:
    """The room's counter row (created once), locked until the transaction ends."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(RoomCounter).values(session_id=session_id, last_seq=0).on_conflict_do_nothing()
    )
    return db.scalars(
        select(RoomCounter).where(RoomCounter.session_id == session_id).with_for_update()
    ).one()


def event_frame(row: RoomEvent) -> str:
    """The frame of a stored event, the same live and on replay (removed chat redacted)."""
    payload: dict[str, Any] = {"removed": True} if row.hidden else row.payload
    return _frame(row.type, row.seq, row.created_at, payload)


def _frame(type_: str, seq: int, at: datetime, payload: dict[str, Any]) -> str:
    return json.dumps(
        {"type": type_, "id": seq, "at": at.isoformat(), **payload},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def events_after(
    db: DbSession, session_id: int, after: int, limit: int = 5000
) -> list[NumberedEvent]:
    """Stored events with ids above `after`, in order (resume and gap filling)."""
    rows = db.scalars(
        select(RoomEvent)
        .where(RoomEvent.session_id == session_id, RoomEvent.seq > after)
        .order_by(RoomEvent.seq)
        .limit(limit)
    ).all()
    return [as_numbered(row) for row in rows]


def last_event_id(db: DbSession, session_id: int) -> int:
    counter = db.get(RoomCounter, session_id)
    return counter.last_seq if counter else 0
