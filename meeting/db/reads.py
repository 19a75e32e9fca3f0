"""A read-only transaction on a bare Connection, for the hottest read paths.

An ORM Session costs more to open and close than a feed's three indexed lookups take;
code that only runs prebuilt Core statements reads through this instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction (a plain BEGIN on SQLite: it never takes the lock)."""
    with engine.connect() as opened:
        reader = opened.execution_options(meeting_write=False)
        with reader.begin():
            yield reader
