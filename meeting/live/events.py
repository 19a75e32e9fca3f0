"""A room's numbered event log: numbering under a row lock, frames, replay."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as DbSession

from meeting.db.prepared import PreparedWrite
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
    return [numbered_event(seq, event) for seq, event in zip(seqs, new, strict=True)]


def numbered_event(seq: int, event: NewEvent) -> NumberedEvent:
    """A stored event as it goes out, under the id it was stored with."""
    audience = frozenset(event.audience) if event.audience is not None else None
    return NumberedEvent(seq, _frame(event.type, seq, event.at, event.payload), audience)


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


# Built once: statement construction costs more than running them on the chat path.
_BUMP = PreparedWrite(
    update(RoomCounter)
    .where(RoomCounter.session_id == bindparam("room"))
    .values(last_seq=RoomCounter.last_seq + bindparam("count"))
    .returning(RoomCounter.last_seq)
)
_INSERT_EVENT = PreparedWrite(
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
