"""Room events written on the driver's cursor are the rows SQLAlchemy itself would write."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert, select, text

from meeting.db import SessionFactory, transaction
from meeting.live.events import NewEvent, append_event_rows, append_events
from meeting.live.models import RoomEvent
from meeting.program.models import Session
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_user

pytestmark = pytest.mark.integration


def test_driver_rows_are_byte_for_byte_what_sqlalchemy_writes(
    engine: Engine, db_factory: SessionFactory
) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        room = db.scalars(select(Session.id).where(Session.code == "PLEN-01")).one()
        author = make_user(db, name="Zoë Ångström").id
    payload = {"user": {"id": author, "name": "Zoë Ångström"}, "text": "📈 «quoted» 1.5"}

    with engine.connect() as conn, conn.begin():
        (ours,) = append_event_rows(conn, room, [NewEvent("chat", payload, author, NOW)])
        (breakout,) = append_event_rows(
            conn, room, [NewEvent("chat", payload, author, NOW, audience=[author])]
        )
        conn.execute(
            insert(RoomEvent),
            [
                {
                    "session_id": room,
                    "seq": 3 + i,
                    "type": "chat",
                    "payload": payload,
                    "user_id": author,
                    "created_at": NOW,
                    "audience": audience,
                    "hidden": False,
                }
                for i, audience in enumerate((None, [author]))
            ],
        )
        rows = conn.execute(
            text(
                "SELECT seq, type, payload, user_id, hidden, audience, created_at"
                " FROM room_event ORDER BY seq"
            )
        ).all()

    assert (ours.seq, breakout.seq, breakout.audience) == (1, 2, frozenset({author}))
    assert [tuple(r)[1:] for r in rows[:2]] == [tuple(r)[1:] for r in rows[2:]]


def test_events_in_a_session_are_numbered_on_from_the_last_one(db_factory: SessionFactory) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        room = db.scalars(select(Session.id).where(Session.code == "PLEN-01")).one()

    with transaction(db_factory) as db:
        first = append_events(db, room, [NewEvent("chat", {"text": "a"}, None, NOW)])
    with transaction(db_factory) as db:
        then = append_events(
            db,
            room,
            [
                NewEvent("chat", {"text": "b"}, None, NOW),
                NewEvent("chat", {"text": "c"}, None, NOW),
            ],
        )

    assert [e.seq for e in first + then] == [1, 2, 3]
