"""Shared fixtures: every database test runs on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, make_url, text
from starlette.testclient import TestClient

from meeting.app import create_app
from meeting.clock import FrozenClock
from meeting.config import Settings
from meeting.db import SessionFactory, create_db_engine, make_session_factory, transaction
from meeting.db.base import Base
from meeting.db.migrate import upgrade_database
from meeting.program.document import ParsedProgram, ProgramDocument
from meeting.program.importer import ImportSummary, import_program
from tests.factories import make_program

POSTGRES_ENV = "MEETING_TEST_POSTGRES_URL"
REDIS_ENV = "MEETING_TEST_REDIS_URL"
TEST_DATABASE = f"meeting_test_{os.getpid()}"  # one per run: parallel runs never collide
NOW = datetime(2020, 12, 5, 18, 20, tzinfo=UTC)


def missing_service(reason: str) -> NoReturn:
    """Skip with the reason; in CI (MEETING_REQUIRE_SERVICES=1) a missing service fails."""
    if os.environ.get("MEETING_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return None
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        missing_service(f"the Redis tests need {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        missing_service(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    admin_engine = create_db_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEST_DATABASE}"))
    admin_engine.dispose()
    url = make_url(admin).set(database=TEST_DATABASE).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    yield url
    admin_engine = create_db_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)"))
    admin_engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "meeting.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


def _truncate_all(url: str) -> None:
    engine = create_db_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        base_url="https://meeting.test",
        var_dir=tmp_path,
        # No background polls mid-test (they would show up in query counts); tests that
        # need another process's changes followed call `watcher.poll()` themselves.
        cache_poll_seconds=3600.0,
    )


@pytest.fixture
def client(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock), base_url="https://meeting.test") as c:
        yield c


def import_document(
    factory: SessionFactory, document: ProgramDocument, now: datetime = NOW
) -> ImportSummary:
    """Import a document in its own transaction, as `meeting import` does."""
    with transaction(factory) as db:
        return import_program(db, ParsedProgram(document, "yaml"), source="test", now=now)


@pytest.fixture
def program(db_factory: SessionFactory) -> ProgramDocument:
    """The small sample program (see tests/factories.py), imported."""
    document = make_program()
    import_document(db_factory, document)
    return document
