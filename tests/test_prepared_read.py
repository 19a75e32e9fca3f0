"""PreparedRead gives the rows SQLAlchemy would, types applied, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, bindparam, select

from meeting.agenda.models import AgendaEntry
from meeting.agenda.service import add_to_agenda
from meeting.db import SessionFactory, transaction
from meeting.db.prepared import PreparedRead
from meeting.db.reads import read_connection
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting, Session
from tests.conftest import NOW
from tests.factories import make_user

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        (
            select(Session.code, Session.start_at, Session.status, Session.cancelled_at)
            .where(Session.meeting_id == bindparam("meeting_id"))
            .order_by(Session.start_at, Session.id),
            {"meeting_id": 1},
        ),
        (
            select(Meeting.slug, Meeting.start_date, Meeting.schedule_version)
            .order_by(Meeting.start_date.desc())
            .limit(1),
            {},
        ),
        (select(AgendaEntry.session_id, AgendaEntry.state, AgendaEntry.added_at), {}),
    ],
)
def test_rows_match_a_sqlalchemy_execution(
    engine: Engine,
    db_factory: SessionFactory,
    program: ProgramDocument,
    statement: object,
    params: dict[str, int],
) -> None:
    with transaction(db_factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        add_to_agenda(db, make_user(db), meeting, "LYM-201", NOW)

    with read_connection(engine) as conn:
        expected = [tuple(row) for row in conn.execute(statement, params)]  # type: ignore[call-overload]
        prepared = PreparedRead(statement)  # type: ignore[arg-type]
        got = prepared.rows(conn, params)
        again = prepared.rows(conn, params)

    assert expected
    assert got == expected
    assert again == expected
    assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]
