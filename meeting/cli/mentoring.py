"""`meeting mentoring plan`: the speed-mentoring rotation of a session's confirmed sign-ups."""

from __future__ import annotations

import os
import sys

import click

from meeting.cli.database import migrated_engine
from meeting.cli.messages import fail
from meeting.config import Settings


@click.group()
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
        with migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            meeting = get_meeting(db, slug, settings.default_meeting)
            roster = mentoring_roster(db, meeting, code)
    except NotFound as not_found:
        fail(not_found.message)
    if not roster.mentors or not roster.mentees:
        fail(
            f"{code} has {len(roster.mentors)} mentors and {len(roster.mentees)} mentees "
            "signed up; a rotation needs at least one of each."
        )
    session = roster.session
    length = int((session.end_at - session.start_at).total_seconds() // 60)
    count = rounds or max(1, length // minutes)
    plan = plan_rotation(roster.mentors, roster.mentees, count, random.Random(seed))
    zone = ZoneInfo(meeting.timezone)
    sys.stdout.write(format_plan(plan, roster.names, minutes, session.start_at, zone))
