"""The `meeting` command line: serve, db upgrade, import, export, demo, generate, users,
invite, mentoring.

Each command imports what it needs when it runs: the web app, the exporters and Alembic
together take longer to import than `meeting import` may take in all, and `--help` or
one command should not pay for the others. So the group knows its commands by module and
imports a command's module only when that command runs (or `--help` lists them all), the
lazy loading recipe of click's documentation; each module imports its work inside the
command.
"""

from __future__ import annotations

import importlib

import click

from meeting import __version__
from meeting.config import settings_table

COMMANDS = {
    "db": "meeting.cli.database:db",
    "demo": "meeting.cli.server:demo",
    "export": "meeting.cli.exporting:export_command",
    "generate": "meeting.cli.exporting:generate",
    "import": "meeting.cli.importing:import_command",
    "invite": "meeting.cli.users:invite_command",
    "mentoring": "meeting.cli.mentoring:mentoring",
    "serve": "meeting.cli.server:serve",
    "users": "meeting.cli.users:users",
}
"""Every command by name: the module that declares it, and its name there."""


class _LazyGroup(click.Group):
    """A group whose commands are imported from COMMANDS when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, name = target.split(":")
        command = getattr(importlib.import_module(module), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def _environment_help() -> str:
    rows = "\n".join(f"  {env}: {doc}" for env, _default, doc in settings_table())
    return f"Run a medical society's annual meeting as a virtual event.\n\nEnvironment:\n\n{rows}"


@click.group(
    cls=_LazyGroup,
    help=_environment_help(),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="meeting")
def main() -> None:
    pass


__all__ = ["COMMANDS", "main"]
