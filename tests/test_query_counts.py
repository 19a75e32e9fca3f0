"""No N+1: the program page and the sessions API issue as many queries for 100 sessions as
for 10 (SQLAlchemy's before_cursor_execute event counts every statement sent)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from meeting.db import SessionFactory
from meeting.generate import generate_program
from tests.conftest import import_document

pytestmark = pytest.mark.integration

PATHS = ("/program", "/api/sessions?per_page=200")


@contextmanager
def counted() -> Iterator[list[str]]:
    """Statements sent by any engine (the app opens its own) while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def queries_for(client: TestClient, path: str) -> list[str]:
    """Statements of one render of `path` (a URL the fast lane has not seen, so it renders)."""
    assert client.get(path).status_code == 200  # warm: first-request work is not per session
    fresh = f"{path}{'&' if '?' in path else '?'}unseen={next(_unseen)}"
    with counted() as statements:
        response = client.get(fresh)
    assert response.status_code == 200
    assert statements, "answered from the response cache: nothing was counted"
    return statements


_unseen = count()


@pytest.mark.parametrize("path", PATHS)
def test_query_count_does_not_grow_with_sessions(
    client: TestClient, db_factory: SessionFactory, path: str
) -> None:
    import_document(db_factory, generate_program(10))
    with_10 = queries_for(client, path)
    import_document(db_factory, generate_program(100))
    with_100 = queries_for(client, path)

    assert len(with_100) == len(with_10), "\n".join(with_100)
