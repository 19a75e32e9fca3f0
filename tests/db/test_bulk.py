"""insert_rows stores exactly what a row-by-row INSERT stores, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session as DbSession

from meeting.db import SessionFactory, transaction
from meeting.db.bulk import insert_rows, update_rows
from meeting.enums import Audience, SessionKind, SessionStatus
from meeting.program.models import Meeting, Session

pytestmark = pytest.mark.integration

SESSIONS = cast(Table, Session.__table__)
TEXTS = [
    "",
    "plain",
    'quote " and \\ back',
    "{braces, comma}",
    "NULL",
    "Grüße \u2013 ünïcode",
    "x" * 300,
]


def session_rows(meeting_id: int, prefix: str = "s") -> list[dict[str, Any]]:
    start = datetime(2020, 12, 5, 17, 0, tzinfo=UTC)
    return [
        {
            "meeting_id": meeting_id,
            "code": f"{prefix}-{i}",
            "title": text,
            "kind": SessionKind.PLENARY if i % 2 else SessionKind.WORKSHOP,
            "start_at": start + timedelta(minutes=i),
            "end_at": start + timedelta(minutes=i + 30),
            "room_id": None,
            "audience": Audience.MEMBERS,
            "capacity": None if i % 2 else i,
            "status": SessionStatus.SCHEDULED,
            "parent_id": None,
            "description": text,
            "stream_url": "",
            "recording_url": "",
            "position": i,
            "revision": 0,
            "cancelled_at": None if i % 3 else start,
        }
        for i, text in enumerate(TEXTS)
    ]


def add_meeting(db: DbSession) -> int:
    meeting = Meeting(
        slug="bulk",
        title="Bulk",
        timezone="UTC",
        start_date=date(2020, 12, 5),
        end_date=date(2020, 12, 6),
    )
    db.add(meeting)
    db.flush()
    return meeting.id


def stored(factory: SessionFactory, prefix: str) -> list[tuple[Any, ...]]:
    with transaction(factory, write=False) as db:
        rows = db.execute(
            select(*(c for c in SESSIONS.c if c.name not in {"id", "created_at", "updated_at"}))
            .where(SESSIONS.c.code.startswith(prefix))
            .order_by(SESSIONS.c.position)
        )
        return [tuple(row)[2:] for row in rows]


def test_bulk_rows_read_back_as_row_by_row_ones(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        meeting_id = add_meeting(db)
        db.execute(insert(SESSIONS), session_rows(meeting_id, "one"))

        insert_rows(db, SESSIONS, session_rows(meeting_id, "bulk"))

    assert stored(db_factory, "bulk") == stored(db_factory, "one")
    assert len(stored(db_factory, "bulk")) == len(TEXTS)


def test_bulk_rows_get_the_column_defaults(db_factory: SessionFactory) -> None:
    before = datetime.now(UTC)
    with transaction(db_factory) as db:
        meeting_id = add_meeting(db)
        rows = [{k: v for k, v in r.items() if k != "position"} for r in session_rows(meeting_id)]

        insert_rows(db, SESSIONS, rows)

    with transaction(db_factory, write=False) as db:
        made = db.execute(select(SESSIONS.c.position, SESSIONS.c.created_at)).all()
    assert {position for position, _ in made} == {0}
    assert all(created >= before for _, created in made)


def test_updates_with_different_columns_each_set_their_own(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        insert_rows(db, SESSIONS, session_rows(add_meeting(db)))
        ids = [id_ for (id_,) in db.execute(select(SESSIONS.c.id).order_by(SESSIONS.c.position))]

        update_rows(
            db,
            SESSIONS,
            [
                {"id": ids[0], "title": "First", "revision": 1},
                {"id": ids[1], "title": "Second", "revision": 2},
                {"id": ids[2], "position": 9},
                {"id": ids[3], "title": "Fourth", "revision": 4},
            ],
        )

    with transaction(db_factory, write=False) as db:
        rows = db.execute(
            select(SESSIONS.c.title, SESSIONS.c.revision, SESSIONS.c.position)
            .where(SESSIONS.c.id.in_(ids[:4]))
            .order_by(SESSIONS.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("First", 1, 0),
        ("Second", 2, 1),
        (TEXTS[2], 0, 9),
        ("Fourth", 4, 3),
    ]
