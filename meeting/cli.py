"""The `meeting` command line: serve, db upgrade, import, export, demo, generate.

Each command imports what it needs when it runs: the web app, the exporters and Alembic
together take longer to import than `meeting import` may take in all, and `--help` or
one command should not pay for the others.
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

from meeting import __version__
from meeting.config import SCHEDULES_DIR, Settings, settings_table
from meeting.enums import CareerStage, Role

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from meeting.errors import InvalidInput
    from meeting.program.document import ParsedProgram
    from meeting.program.importer import ImportSummary


PROGRESS_THRESHOLD = 200
DEMO_PROGRAMS = ("ash-2019.yaml", "ash-2020.yaml")
DEMO_CLOCK = "2020-12-05T10:20:00-08:00"


@contextmanager
def _migrated_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on an up-to-date schema, disposed when the command is done."""
    from meeting.db import engine_from_settings
    from meeting.db.migrate import upgrade_database

    engine = engine_from_settings(settings)
    try:
        upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()


def _environment_help() -> str:
    rows = "\n".join(f"  {env}: {doc}" for env, _default, doc in settings_table())
    return f"Run a medical society's annual meeting as a virtual event.\n\nEnvironment:\n\n{rows}"


@click.group(help=_environment_help(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="meeting")
def main() -> None:
    pass


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with uvicorn (applies pending migrations first)."""
    from meeting.serving import serve_app

    with _migrated_engine(Settings.from_env(os.environ)):
        pass
    serve_app(host=host, port=port, workers=workers)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the newest."""
    settings = Settings.from_env(os.environ)
    with _migrated_engine(settings):
        pass
    click.echo(f"Database is up to date: {_safe_url(settings.database_url)}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Validate FILE (YAML, frab XML or c3voc JSON), then import it in one transaction."""
    from meeting.errors import InvalidInput
    from meeting.program.parse_ahead import ParseAhead

    with _no_cycle_collection(), ParseAhead(file) as parsing:
        # Load the database stack while the file is parsed (on another core when possible);
        # nothing touches the database before the file is known to be valid.
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
            summary = _run_import(engine, parsed, file.name, dry_run=dry_run)
        finally:
            engine.dispose()
    _print_summary(summary, parsed.format, dry_run=dry_run)


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


class _ExportFormat(click.Choice[str]):
    """The exporter registry's names, read when the option is used or shown: importing
    the exporters costs every other command half a second."""

    name = "choice"

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        from meeting.exports import EXPORTERS

        return tuple(sorted(EXPORTERS))

    @choices.setter
    def choices(self, _value: tuple[str, ...]) -> None:
        raise AttributeError("the export formats come from the exporter registry")


@main.command("export")
@click.option("--format", "fmt", type=_ExportFormat(), required=True, help="Output format.")
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(fmt: str, slug: str, output: Path | None) -> None:
    """Write a meeting's program in one of the export formats."""
    from meeting.db import make_session_factory, transaction
    from meeting.errors import NotFound
    from meeting.exports import render_meeting_export
    from meeting.program.queries import get_meeting

    settings = Settings.from_env(os.environ)
    try:
        with (
            _migrated_engine(settings) as engine,
            transaction(make_session_factory(engine), write=False) as session,
        ):
            meeting = get_meeting(session, slug, settings.default_meeting)
            body, _modified = render_meeting_export(session, meeting, fmt, settings.base_url)
    except NotFound as error:
        _error(error.message)
        sys.exit(1)
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        click.echo(f"Wrote {output} ({len(body):,} bytes, {fmt}).", err=True)


@main.group()
def users() -> None:
    """Accounts: attendees, moderators and organizers."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name as shown to others.")
@click.option(
    "--stage",
    type=click.Choice([s.value for s in CareerStage]),
    default="other",
    show_default=True,
    help="Career stage (trainee events check it).",
)
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default="attendee",
    show_default=True,
    help="What the account may do.",
)
@click.option("--member/--no-member", default=False, help="Society member.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (asked for when not given).",
)
def users_add(email: str, name: str, stage: str, role: str, member: bool, password: str) -> None:
    """Create an account."""
    from meeting.accounts.service import Registration, register
    from meeting.db import make_session_factory, transaction
    from meeting.errors import InvalidInput

    form = Registration(
        email=email, name=name, password=password, career_stage=stage, is_member=member
    )
    try:
        with (
            _migrated_engine(Settings.from_env(os.environ)) as engine,
            transaction(make_session_factory(engine)) as session,
        ):
            user = register(session, form, role=Role(role))
    except InvalidInput as error:
        for problem in error.problems:
            _error(f"{problem.field}: {problem.message}")
        sys.exit(1)
    click.echo(f"Created {user.role} {user.email} ({user.career_stage.label}).")


@main.command("invite")
@click.argument("email")
@click.argument("code")
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
def invite_command(email: str, code: str, slug: str) -> None:
    """Invite the account EMAIL to the invite-only session CODE."""
    from meeting.accounts.service import invite
    from meeting.db import make_session_factory, transaction
    from meeting.errors import NotFound
    from meeting.program.queries import get_meeting

    settings = Settings.from_env(os.environ)
    try:
        with _migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            invite(db, get_meeting(db, slug, settings.default_meeting), email, code)
    except NotFound as error:
        _error(error.message)
        sys.exit(1)
    click.echo(f"Invited {email} to {code}.")


@main.group()
def mentoring() -> None:
    """Speed-mentoring rotations."""


@mentoring.command("plan")
@click.argument("code")
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
@click.option("--minutes", default=8, show_default=True, help="Minutes per round.")
@click.option("--rounds", default=0, help="Rounds (default: as many as fit in the session).")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same plan).")
def mentoring_plan(code: str, slug: str, minutes: int, rounds: int, seed: int) -> None:
    """Print the rotation for the confirmed sign-ups of mentoring session CODE."""
    import random
    from zoneinfo import ZoneInfo

    from meeting.agenda.rosters import mentoring_roster
    from meeting.db import make_session_factory, transaction
    from meeting.errors import NotFound
    from meeting.networking import format_plan, plan_rotation
    from meeting.program.queries import get_meeting

    settings = Settings.from_env(os.environ)
    try:
        with _migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            meeting = get_meeting(db, slug, settings.default_meeting)
            roster = mentoring_roster(db, meeting, code)
    except NotFound as error:
        _error(error.message)
        sys.exit(1)
    if not roster.mentors or not roster.mentees:
        _error(
            f"{code} has {len(roster.mentors)} mentors and {len(roster.mentees)} mentees "
            "signed up; a rotation needs at least one of each."
        )
        sys.exit(1)
    session = roster.session
    length = int((session.end_at - session.start_at).total_seconds() // 60)
    count = rounds or max(1, length // minutes)
    plan = plan_rotation(roster.mentors, roster.mentees, count, random.Random(seed))
    zone = ZoneInfo(meeting.timezone)
    sys.stdout.write(format_plan(plan, roster.names, minutes, session.start_at, zone))


@main.command()
@click.option("--sessions", "n_sessions", default=1000, show_default=True, help="Sessions.")
@click.option(
    "--attendees",
    default=0,
    show_default=True,
    help="Attendees (agendas are generated once the agenda feature exists).",
)
@click.option("--seed", default=2020, show_default=True, help="Random seed (same seed, same file).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def generate(n_sessions: int, attendees: int, seed: int, output: Path | None) -> None:
    """Write a synthetic but plausible program file, for tests and benchmarks."""
    from meeting.generate import generate_program
    from meeting.program.yaml_format import render_program_yaml

    text = render_program_yaml(generate_program(n_sessions, seed=seed))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}: {n_sessions} sessions (seed {seed}).", err=True)
    if attendees:
        click.echo(
            f"{click.style('note:', fg='yellow')} {attendees} attendees requested; agendas are "
            "not generated yet.",
            err=True,
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--at",
    "clock_start",
    default=DEMO_CLOCK,
    show_default=True,
    help="Pretend the demo starts at this time (so sessions are live).",
)
@click.option("--no-serve", is_flag=True, help="Prepare the demo database, then stop.")
def demo(host: str, port: int, clock_start: str, no_serve: bool) -> None:
    """Fresh embedded database with the sample 2019 and 2020 meetings, then serve."""
    import shutil

    from meeting.db import make_session_factory, transaction
    from meeting.demo import DEMO_ACCOUNTS, create_demo_accounts
    from meeting.program.parsing import parse_program
    from meeting.serving import serve_app

    var_dir = Path(os.environ.get("MEETING_VAR_DIR") or Settings.from_env({}).var_dir) / "demo"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    database_url = f"sqlite:///{var_dir / 'meeting.sqlite3'}"
    os.environ.update(
        MEETING_DATABASE_URL=database_url,
        MEETING_CLOCK_START=clock_start,
        MEETING_DEFAULT_MEETING="ash-2020",
    )
    with _migrated_engine(Settings.from_env(os.environ)) as engine:
        for name in DEMO_PROGRAMS:
            parsed = parse_program((SCHEDULES_DIR / name).read_bytes(), name)
            summary = _run_import(engine, parsed, name, dry_run=False)
            click.echo(f"Loaded {name}: {summary.created} sessions ({summary.meeting}).")
        with transaction(make_session_factory(engine)) as db:
            create_demo_accounts(db)
    click.echo("Demo accounts (email / password):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email} / {account.password}  ({account.description})")
    click.echo(f"Demo database: {var_dir / 'meeting.sqlite3'}; clock starts at {clock_start}.")
    if not no_serve:
        click.echo(f"Serving the demo at http://{host}:{port}/  (Ctrl+C stops it)")
        serve_app(host=host, port=port, workers=1)


def _run_import(
    engine: Engine, parsed: ParsedProgram, source: str, *, dry_run: bool
) -> ImportSummary:
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


def _error(message: str) -> None:
    click.echo(f"{click.style('error:', fg='red')} {message}", err=True)


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


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
