"""Jinja2 environment (autoescape on), filters for local times, hashed static URLs."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from meeting.config import STATIC_DIR, TEMPLATES_DIR
from meeting.enums import Audience, SessionKind
from meeting.timezones import utc_offset_label


@cache
def _static_hash(path: str) -> str:
    try:
        return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "missing"


def static_url(path: str) -> str:
    """URL of a static file with a content hash, so browsers may cache it for ever."""
    return f"/static/{path}?v={_static_hash(path)}"


def local_time(value: datetime, zone: ZoneInfo, fmt: str = "%H:%M") -> str:
    return value.astimezone(zone).strftime(fmt)


def local_date(value: datetime | date, zone: ZoneInfo | None = None) -> str:
    day = value.astimezone(zone).date() if isinstance(value, datetime) and zone else value
    return f"{day:%A}, {day.day} {day:%B %Y}"


def short_date(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        local_time=local_time,
        local_date=local_date,
        short_date=short_date,
        utc_offset=utc_offset_label,
    )
    env.globals.update(static=static_url, SessionKind=SessionKind, Audience=Audience)
    return env


class Templates:
    """Renders page templates with the request-wide context every page needs."""

    def __init__(self) -> None:
        self.env = build_environment()

    def render(
        self, request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        html = self.env.get_template(name).render({"request": request, **context})
        return HTMLResponse(html, status_code=status_code)
