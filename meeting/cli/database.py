"""The database a command works on, and `meeting db upgrade`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from meeting.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


@contextmanager
def migrated_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on an up-to-date schema, disposed when the command is done."""
    from meeting.db import engine_from_settings
    from meeting.db.migrate import upgrade_database

    engine = engine_from_settings(settings)
    try:
        upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the newest."""
    settings = Settings.from_env(os.environ)
    with migrated_engine(settings):
        pass
    click.echo(f"Database is up to date: {_safe_url(settings.database_url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
