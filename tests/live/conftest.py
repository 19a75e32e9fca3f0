"""Live-room fixtures: the sample program, three people, and a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from meeting.clock import FrozenClock
from meeting.config import Settings
from meeting.db import SessionFactory, transaction
from meeting.enums import Role
from meeting.live.rooms import RoomInfo
from meeting.program.models import Session
from tests.conftest import import_document
from tests.factories import make_program, make_user
from tests.servers import login_cookie, thread_server


@pytest.fixture
def plenary_room(db_factory: SessionFactory) -> RoomInfo:
    """The sample program imported; its plenary session's room."""
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        s = db.scalars(select(Session).where(Session.code == "PLEN-01")).one()
        return RoomInfo(s.id, s.code, s.title, s.start_at, s.end_at)


@dataclass(frozen=True)
class People:
    alice: str
    bob: str
    mod: str
    alice_id: int
    faculty: str


@pytest.fixture
def server(settings: Settings, clock: FrozenClock, db_factory: SessionFactory) -> Iterator[str]:
    import_document(db_factory, make_program())
    with thread_server(settings, clock) as base:
        yield base


@pytest.fixture
def people(server: str, db_factory: SessionFactory) -> People:
    with transaction(db_factory) as db:
        alice = make_user(db, email="alice@example.org", name="Alice Adeyemi")
        make_user(db, email="bob@example.org", name="Bob Sørensen")
        make_user(db, email="mod@example.org", name="Mei Chen", role=Role.MODERATOR)
        make_user(db, email="prof@example.org", name="Prof Faculty", career_stage="faculty")
    return People(
        alice=login_cookie(server, "alice@example.org"),
        bob=login_cookie(server, "bob@example.org"),
        mod=login_cookie(server, "mod@example.org"),
        alice_id=alice.id,
        faculty=login_cookie(server, "prof@example.org"),
    )
