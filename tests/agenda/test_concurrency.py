"""200 simultaneous sign-ups for 20 seats: exactly 20 confirmed, 180 waitlisted in order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from meeting.accounts.models import User
from meeting.accounts.passwords import hash_password
from meeting.agenda.models import AgendaEntry
from meeting.agenda.service import add_to_agenda
from meeting.db import SessionFactory, transaction
from meeting.enums import AgendaState, CareerStage, SessionKind
from meeting.program.models import Meeting
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_session, pacific

pytestmark = pytest.mark.integration

SEATS = 20
PEOPLE = 200
THREADS = 40


def test_concurrent_signups_never_overbook(db_factory: SessionFactory) -> None:
    workshop = make_session(
        code="WS-FULL",
        kind=SessionKind.WORKSHOP,
        capacity=SEATS,
        start=pacific(5, 7),
        end=pacific(5, 9),
    )
    import_document(db_factory, make_program(sessions=(workshop,)))
    password_hash = hash_password("irrelevant password")
    with transaction(db_factory) as db:
        users = [
            User(
                email=f"p{i}@example.org",
                name=f"Person {i}",
                password_hash=password_hash,
                career_stage=CareerStage.FELLOW,
            )
            for i in range(PEOPLE)
        ]
        db.add_all(users)
    start = threading.Barrier(THREADS)

    def sign_up(user: User) -> AgendaState:
        if user.id <= THREADS:
            start.wait()  # the first wave starts at the same instant
        with transaction(db_factory) as db:
            meeting = db.scalars(select(Meeting)).one()
            result = add_to_agenda(db, user, meeting, "WS-FULL", NOW)
        assert result.state is not None
        return result.state

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        states = list(pool.map(sign_up, users))

    with transaction(db_factory, write=False) as db:
        counts = dict(
            db.execute(select(AgendaEntry.state, func.count()).group_by(AgendaEntry.state)).all()
        )
    assert states.count(AgendaState.CONFIRMED) == SEATS
    assert counts == {AgendaState.CONFIRMED: SEATS, AgendaState.WAITLISTED: PEOPLE - SEATS}
