"""The `meeting` command line: serve, db upgrade, import, export, demo, generate."""

from __future__ import annotations

import os
import random
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from meeting import __version__
from meeting.accounts.service import Registration, invite, register
from meeting.agenda.rosters import mentoring_roster
from meeting.config import SCHEDULES_DIR, Settings, settings_table
from meeting.db import engine_from_settings, make_session_factory, transaction
from meeting.db.migrate import upgrade_database
from meeting.demo import DEMO_ACCOUNTS, create_demo_accounts
from meeting.enums import CareerStage, Role
from meeting.errors import InvalidInput, NotFound
from meeting.exports import EXPORTERS, render_meeting_export
from meeting.generate import generate_program
from meeting.networking import format_plan, plan_rotation
from meeting.program.document import ParsedProgram
from meeting.program.importer import ImportSummary, import_program
from meeting.program.parsing import parse_program
from meeting.program.queries import get_meeting
from meeting.program.yaml_format import render_program_yaml
from meeting.serving import serve_app

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

PROGRESS_THRESHOLD = 200
DEMO_PROGRAMS = ("ash-2019.yaml", "ash-2020.yaml")
DEMO_CLOCK = "2020-12-05T10:20:00-08:00"


@contextmanager
def _migrated_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on an up-to-date schema, disposed when the command is done."""
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
    console.print(f"Database is up to date: {_safe_url(settings.database_url)}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Validate FILE (YAML, frab XML or c3voc JSON), then import it in one transaction."""
    try:
        parsed = parse_program(file.read_bytes(), file.name)
    except InvalidInput as error:
        _print_problems(file, error)
        sys.exit(1)
    with _migrated_engine(Settings.from_env(os.environ)) as engine:
        summary = _run_import(engine, parsed, file.name, dry_run=dry_run)
    _print_summary(summary, parsed.format, dry_run=dry_run)


@main.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True, help="Output format."
)
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(fmt: str, slug: str, output: Path | None) -> None:
    """Write a meeting's program in one of the export formats."""
    settings = Settings.from_env(os.environ)
    try:
        with (
            _migrated_engine(settings) as engine,
            transaction(make_session_factory(engine), write=False) as session,
        ):
            meeting = get_meeting(session, slug, settings.default_meeting)
            body, _modified = render_meeting_export(session, meeting, fmt, settings.base_url)
    except NotFound as error:
        errors.print(f"[red]error:[/red] {error.message}")
        sys.exit(1)
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        errors.print(f"Wrote {output} ({len(body):,} bytes, {fmt}).")


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
            errors.print(f"[red]error:[/red] {problem.field}: {problem.message}")
        sys.exit(1)
    console.print(f"Created {user.role} {user.email} ({user.career_stage.label}).")


@main.command("invite")
@click.argument("email")
@click.argument("code")
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
def invite_command(email: str, code: str, slug: str) -> None:
    """Invite the account EMAIL to the invite-only session CODE."""
    settings = Settings.from_env(os.environ)
    try:
        with _migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            invite(db, get_meeting(db, slug, settings.default_meeting), email, code)
    except NotFound as error:
        errors.print(f"[red]error:[/red] {error.message}")
        sys.exit(1)
    console.print(f"Invited {email} to {code}.")


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
    settings = Settings.from_env(os.environ)
    try:
        with _migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            meeting = get_meeting(db, slug, settings.default_meeting)
            roster = mentoring_roster(db, meeting, code)
    except NotFound as error:
        errors.print(f"[red]error:[/red] {error.message}")
        sys.exit(1)
    if not roster.mentors or not roster.mentees:
        errors.print(
            f"[red]error:[/red] {code} has {len(roster.mentors)} mentors and "
            f"{len(roster.mentees)} mentees signed up; a rotation needs at least one of each."
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
    text = render_program_yaml(generate_program(n_sessions, seed=seed))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        errors.print(f"Wrote {output}: {n_sessions} sessions (seed {seed}).")
    if attendees:
        errors.print(
            f"[yellow]note:[/yellow] {attendees} attendees requested; agendas are "
            "not generated yet."
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
            console.print(f"Loaded {name}: {summary.created} sessions ({summary.meeting}).")
        with transaction(make_session_factory(engine)) as db:
            create_demo_accounts(db)
    console.print("Demo accounts (email / password):")
    for account in DEMO_ACCOUNTS:
        console.print(f"  {account.email} / {account.password}  ({account.description})")
    console.print(f"Demo database: {var_dir / 'meeting.sqlite3'}; clock starts at {clock_start}.")
    if not no_serve:
        console.print(f"Serving the demo at http://{host}:{port}/  (Ctrl+C stops it)")
        serve_app(host=host, port=port, workers=1)


def _run_import(
    engine: Engine, parsed: ParsedProgram, source: str, *, dry_run: bool
) -> ImportSummary:
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    total = len(parsed.document.sessions)
    with factory() as session, session.begin():
        if total >= PROGRESS_THRESHOLD:
            with Progress(console=errors, transient=True) as bar:
                task = bar.add_task(f"Importing {source}", total=total)
                summary = import_program(
                    session,
                    parsed,
                    source=source,
                    now=now,
                    progress=lambda done, _total: bar.update(task, completed=done),
                )
        else:
            summary = import_program(session, parsed, source=source, now=now)
        if dry_run:
            session.rollback()
    return summary


def _print_problems(file: Path, error: InvalidInput) -> None:
    count = len(error.problems)
    errors.print(
        f"[red]{file}: {count} problem{'s' if count != 1 else ''}; nothing was imported.[/red]"
    )
    for problem in error.problems:
        errors.print(f"  {file}:{problem}")


def _print_summary(summary: ImportSummary, fmt: str, *, dry_run: bool) -> None:
    for warning in summary.warnings:
        errors.print(f"[yellow]warning:[/yellow] {warning}")
    verb = "Would import" if dry_run else "Imported"
    console.print(
        f"{verb} {summary.meeting} ({fmt}): {summary.created} created, {summary.updated} updated, "
        f"{summary.cancelled} cancelled, {summary.unchanged} unchanged."
    )
    if summary.version is not None and not dry_run:
        console.print(f"Schedule version is now {summary.version}.")
    if dry_run:
        console.print("Dry run: nothing was written.")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
