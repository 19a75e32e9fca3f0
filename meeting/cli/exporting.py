"""`meeting export` (the exporter registry's formats) and `meeting generate`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from meeting.cli.database import migrated_engine
from meeting.cli.messages import fail
from meeting.config import Settings


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


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)


@click.command("export")
@click.option("--format", "fmt", type=_ExportFormat(), required=True, help="Output format.")
@click.option("--meeting", "slug", default="", help="Meeting slug (default: the default meeting).")
@_OUTPUT
def export_command(fmt: str, slug: str, output: Path | None) -> None:
    """Write a meeting's program in one of the export formats."""
    from meeting.db import make_session_factory, transaction
    from meeting.errors import NotFound
    from meeting.exports import render_meeting_export
    from meeting.program.queries import get_meeting

    settings = Settings.from_env(os.environ)
    try:
        with (
            migrated_engine(settings) as engine,
            transaction(make_session_factory(engine), write=False) as session,
        ):
            meeting = get_meeting(session, slug, settings.default_meeting)
            body, _modified = render_meeting_export(session, meeting, fmt, settings.base_url)
    except NotFound as error:
        fail(error.message)
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        click.echo(f"Wrote {output} ({len(body):,} bytes, {fmt}).", err=True)


@click.command()
@click.option("--sessions", "n_sessions", default=1000, show_default=True, help="Sessions.")
@click.option(
    "--attendees",
    default=0,
    show_default=True,
    help="Attendees (agendas are generated once the agenda feature exists).",
)
@click.option("--seed", default=2020, show_default=True, help="Random seed (same seed, same file).")
@_OUTPUT
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
