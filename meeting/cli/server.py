"""`meeting serve` and `meeting demo` (a fresh embedded database with the sample meetings)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from meeting.cli.database import migrated_engine
from meeting.config import SCHEDULES_DIR, Settings

DEMO_PROGRAMS = ("ash-2019.yaml", "ash-2020.yaml")
DEMO_CLOCK = "2020-12-05T10:20:00-08:00"

_HOST = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_PORT = click.option("--port", default=8000, show_default=True, help="Port to listen on.")


@click.command()
@_HOST
@_PORT
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes, each accepting on its own socket (several need Redis).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with uvicorn (applies pending migrations first)."""
    from meeting.serving import serve_app

    with migrated_engine(Settings.from_env(os.environ)):
        pass
    serve_app(host=host, port=port, workers=workers)


@click.command()
@_HOST
@_PORT
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

    from meeting.cli.importing import run_import
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
    with migrated_engine(Settings.from_env(os.environ)) as engine:
        for name in DEMO_PROGRAMS:
            parsed = parse_program((SCHEDULES_DIR / name).read_bytes(), name)
            summary = run_import(engine, parsed, name, dry_run=False)
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
