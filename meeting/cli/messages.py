"""How a command tells its user that something went wrong (on standard error)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def error(message: str) -> None:
    click.echo(f"{click.style('error:', fg='red')} {message}", err=True)


def fail(message: str) -> NoReturn:
    """Say what went wrong and end the command with exit status 1."""
    error(message)
    sys.exit(1)
