"""The stable interface in the README and PRODUCT brief exists in the code, and the README's
configuration table matches Settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from meeting.cli import main
from meeting.config import settings_table
from meeting.web import meeting_routes

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parent.parent / "README.md"

# The routes this codebase has built so far, from PRODUCT.md's table of the stable interface.
PROMISED_PATHS = [
    "/",
    "/program",
    "/sessions/{code}",
    "/speakers/{speaker_id:int}",
    "/schedule.xml",
    "/schedule.json",
    "/program.ics",
    "/tracks/{track}.ics",
    "/sessions/{code}.ics",
    "/feeds/{token}.ics",
    "/api/meetings",
    "/api/sessions",
    "/api/sessions/{code}",
    "/api/openapi.json",
    "/api/me/agenda",
    "/api/me/agenda/{code}",
    "/agenda",
    "/register",
    "/login",
    "/logout",
    "/live/{code}",
    "/ws/rooms/{code}",
    "/ws/me",
]
PROMISED_COMMANDS = [
    "serve",
    "db upgrade",
    "import",
    "export",
    "demo",
    "generate",
    "users add",
    "invite",
    "mentoring plan",
]


def route_paths(routes: list[BaseRoute], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for route in routes:
        if isinstance(route, Route | WebSocketRoute):
            paths.add(prefix + route.path)
        elif isinstance(route, Mount):
            paths |= route_paths(list(route.routes), prefix + route.path)
    return paths


def test_every_promised_path_is_routed() -> None:
    paths = route_paths(meeting_routes())

    assert sorted(set(PROMISED_PATHS) - paths) == []


@pytest.mark.parametrize("command", PROMISED_COMMANDS)
def test_every_promised_command_exists(command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--help"])

    assert (result.exit_code, result.output.startswith("Usage: main")) == (0, True)


def test_readme_configuration_table_matches_settings() -> None:
    rows = re.findall(r"^\| `(MEETING_[A-Z_]+)` \| (.+?) \| (.+?) \|$", README.read_text(), re.M)

    assert [(env, default, doc) for env, default, doc in rows] == settings_table()
