"""`meeting users add` and `meeting invite`: accounts, and who may join invite-only sessions."""

from __future__ import annotations

import os

import click

from meeting.cli.database import migrated_engine
from meeting.cli.messages import error, fail
from meeting.config import Settings
from meeting.enums import CareerStage, Role


@click.group()
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
            migrated_engine(Settings.from_env(os.environ)) as engine,
            transaction(make_session_factory(engine)) as session,
        ):
            user = register(session, form, role=Role(role))
    except InvalidInput as invalid:
        for problem in invalid.problems:
            error(f"{problem.field}: {problem.message}")
        raise SystemExit(1) from invalid
    click.echo(f"Created {user.role} {user.email} ({user.career_stage.label}).")


@click.command("invite")
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
        with migrated_engine(settings) as engine, transaction(make_session_factory(engine)) as db:
            invite(db, get_meeting(db, slug, settings.default_meeting), email, code)
    except NotFound as not_found:
        fail(not_found.message)
    click.echo(f"Invited {email} to {code}.")
