"""`meeting import`: validate a program file, then apply it in one transaction.

The file is parsed in a forked child while this process loads SQLAlchemy and the database
driver (see meeting.program.parse_ahead); nothing touches the database before the file
is known to be valid.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from meeting.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from meeting.errors import InvalidInput
    from meeting.program.document import ParsedProgram
    from meeting.program.importer import ImportSummary

PROGRESS_THRESHOLD = 200
"""Sessions from which a terminal shows a progress bar."""


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Validate FILE (YAML, frab XML or c3voc JSON), then import it in one transaction."""
    from meeting.errors import InvalidInput
    from meeting.program.parse_ahead import ParseAhead

    with _no_cycle_collection(), ParseAhead(file) as parsing:
        # Load the database stack while the file is parsed (on another core when possible).
        from meeting.db import engine_from_settings
        from meeting.db.migrate import upgrade_database

        importlib.import_module("meeting.program.importer")
        engine = engine_from_settings(Settings.from_env(os.environ))
        try:
            try:
                parsed = parsing.result()
            except InvalidInput as error:
                _print_problems(file, error)
                sys.exit(1)
            upgrade_database(engine)
            summary = run_import(engine, parsed, file.name, dry_run=dry_run)
        finally:
            engine.dispose()
    _print_summary(summary, parsed.format, dry_run=dry_run)


def run_import(
    engine: Engine, parsed: ParsedProgram, source: str, *, dry_run: bool
) -> ImportSummary:
    """Import `parsed` in one transaction (rolled back for a dry run)."""
    from datetime import UTC, datetime

    from meeting.db import make_session_factory
    from meeting.program.importer import import_program

    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    total = len(parsed.document.sessions)
    with factory() as session, session.begin():
        with _progress_bar(f"Importing {source}", total) as progress:
            summary = import_program(session, parsed, source=source, now=now, progress=progress)
        if dry_run:
            session.rollback()
    return summary


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Keep the cyclic garbage collector out of a one-shot command.

    Importing SQLAlchemy and parsing a program allocate a few hundred thousand objects
    that live until the process ends. Collection passes over them (during the command,
    when the collector is back on, and at exit) cost `meeting import` a fifth of its time
    and free nothing.
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)  # the last collection, at exit, skips frozen objects
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Move the command's objects to the oldest generation, where the next collection
        # does not look at them all (they were all still in the youngest).
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


@contextmanager
def _progress_bar(label: str, total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A transient bar for long imports, on a terminal only (elsewhere nobody sees it)."""
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _print_problems(file: Path, error: InvalidInput) -> None:
    count = len(error.problems)
    click.secho(
        f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was imported.",
        fg="red",
        err=True,
    )
    for problem in error.problems:
        click.echo(f"  {file}:{problem}", err=True)


def _print_summary(summary: ImportSummary, fmt: str, *, dry_run: bool) -> None:
    for warning in summary.warnings:
        click.echo(f"{click.style('warning:', fg='yellow')} {warning}", err=True)
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {summary.meeting} ({fmt}): {summary.created} created, {summary.updated} updated, "
        f"{summary.cancelled} cancelled, {summary.unchanged} unchanged."
    )
    if summary.version is not None and not dry_run:
        click.echo(f"Schedule version is now {summary.version}.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
