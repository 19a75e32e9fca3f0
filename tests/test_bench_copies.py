"""The bench's database copies: W5's two servers each chat in their own copy, so a copy
must hold the original's rows and keep its writes to itself (on SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench.run import database_copy, postgres_database
from tests.conftest import missing_service, postgres_admin_url


def write_note(url: str, note: str) -> None:
    engine = create_engine(url, poolclass=NullPool)  # no connection outlives the write
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS notes (note TEXT)"))
        conn.execute(text("INSERT INTO notes (note) VALUES (:note)"), {"note": note})
    engine.dispose()


def notes(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        found = list(conn.scalars(text("SELECT note FROM notes ORDER BY note")))
    engine.dispose()
    return found


@contextmanager
def source_database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'source.sqlite3'}"
        return
    server = postgres_admin_url()
    if server is None:
        missing_service("PostgreSQL tests need MEETING_TEST_POSTGRES_URL")
    with postgres_database(server, f"bench_source_{os.getpid()}") as url:
        yield url


def database_exists(url: str) -> bool:
    server = postgres_admin_url()
    assert server is not None
    engine = create_engine(server, poolclass=NullPool)
    name = url.rsplit("/", 1)[1]
    with engine.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    engine.dispose()
    return found is not None


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_copy_holds_the_rows_and_keeps_its_writes(kind: str, tmp_path: Path) -> None:
    with source_database(kind, tmp_path) as original:
        write_note(original, "a before")
        with database_copy(original, tmp_path) as copy:
            assert copy != original
            write_note(copy, "b in the copy")
            write_note(original, "c in the original")
            assert notes(copy) == ["a before", "b in the copy"]
            assert notes(original) == ["a before", "c in the original"]
        if kind == "postgresql":
            assert not database_exists(copy)
