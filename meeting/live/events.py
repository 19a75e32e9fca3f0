"""A room's numbered event log: numbering under a row lock, frames, replay."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as DbSession

from meeting.live.models import RoomCounter, RoomEvent


@dataclass(frozen=True)
class NumberedEvent:
    """A stored event ready to publish; `audience` limits it to some people (a breakout)."""

    seq: int
    frame: str
    audience: frozenset[int] | None = None

    def for_user(self, user_id: int) -> bool:
        return self.audience is None or user_id in self.audience


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
    counter = _locked_counter(db, session_id)
    counter.last_seq += 1
    row = RoomEvent(
        session_id=session_id,
        seq=counter.last_seq,
        type=type_,
        payload=payload,
        user_id=user_id,
        created_at=now,
        audience=audience,
    )
    db.add(row)
    db.flush()
    return as_numbered(row)


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
    if row.hidden:
        payload: dict[str, Any] = {"removed": True}
    else:
        payload = row.payload
    return json.dumps(
        {"type": row.type, "id": row.seq, "at": row.created_at.isoformat(), **payload},
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
