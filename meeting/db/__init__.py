"""Engine and session factory from Settings; one transaction helper used everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from meeting.config import Settings

SessionFactory = sessionmaker[Session]


POOL_SIZE = 40
"""Connections kept open: as many as Starlette's threadpool runs handlers at once, so
concurrent requests never open (and on return close) extra ones. A new SQLite connection
re-reads the schema; a new PostgreSQL one is a fork on the server."""


def create_db_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas SQLite needs to behave like a real database."""
    if database_url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        if ":memory:" not in database_url and database_url not in {"sqlite://", "sqlite:///"}:
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", 10)
        engine = create_engine(database_url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_size", POOL_SIZE // 2)
    kwargs.setdefault("max_overflow", POOL_SIZE // 2)
    kwargs.setdefault("pool_pre_ping", True)
    # No column is HSTORE: skip the type lookup the dialect makes on first connecting.
    kwargs.setdefault("use_native_hstore", False)
    return create_engine(database_url, **kwargs)


def engine_from_settings(settings: Settings) -> Engine:
    return create_db_engine(settings.database_url)


def make_session_factory(engine: Engine) -> SessionFactory:
    """Sessions that keep loaded values after commit (no surprise lazy reloads)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: SessionFactory, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite a writing transaction takes the write lock at BEGIN (IMMEDIATE) so concurrent
    writers queue on busy_timeout instead of failing when they upgrade; readers stay DEFERRED
    and never wait in WAL mode.
    """
    with factory() as session, session.begin():
        session.connection(execution_options={"meeting_write": write})
        yield session


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate), as the pysqlite
    # driver's own transaction handling defers locking and breaks SERIALIZABLE reasoning.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Writers take the lock at BEGIN so two of them queue instead of failing mid-transaction.
    # Sent on the driver's connection: a whole SQLAlchemy execution costs more than a feed read.
    write = connection.get_execution_options().get("meeting_write", True)
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
