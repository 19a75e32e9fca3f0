"""What every page needs from a request: services, the meeting, the viewer's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session as DbSession
from starlette.requests import HTTPConnection, Request

from meeting.accounts.models import User
from meeting.db import transaction
from meeting.errors import InvalidInput
from meeting.program.models import Meeting
from meeting.program.queries import get_meeting
from meeting.services import Services
from meeting.timezones import parse_zone, zone_names
from meeting.web.csrf import LazyCsrfToken
from meeting.web.templating import Templates

TZ_COOKIE = "tz"


def services(conn: HTTPConnection) -> Services:
    found: Services = conn.state.services
    return found


def templates(conn: HTTPConnection) -> Templates:
    found: Templates = conn.state.templates
    return found


@contextmanager
def read_db(conn: HTTPConnection) -> Iterator[DbSession]:
    """A read-only unit of work (never takes a write lock)."""
    with transaction(services(conn).sessions, write=False) as db:
        yield db


def current_meeting(conn: HTTPConnection, db: DbSession) -> Meeting:
    slug = conn.path_params.get("slug")
    return get_meeting(db, slug, services(conn).settings.default_meeting)


def url_prefix(conn: HTTPConnection) -> str:
    """'' for the default meeting, '/m/{slug}' under a meeting's own mount."""
    slug = conn.path_params.get("slug")
    return f"/m/{slug}" if slug else ""


def viewer_zone(
    request: Request, meeting: Meeting, user: User | None = None
) -> tuple[ZoneInfo, bool]:
    """The zone to show times in: `?tz=`, else the cookie, else the account's, else the meeting's.

    Returns (zone, chosen_now) so the handler can remember a new choice in the cookie.
    A bad `?tz=` raises InvalidInput (400); a stale cookie is ignored.
    """
    if requested := request.query_params.get("tz", "").strip():
        return parse_zone(requested), True
    if remembered := request.cookies.get(TZ_COOKIE):
        try:
            return parse_zone(remembered), False
        except InvalidInput:
            pass
    if user is not None and user.timezone:
        return ZoneInfo(user.timezone), False
    return ZoneInfo(meeting.timezone), False


def page_context(
    request: Request, meeting: Meeting | None, zone: ZoneInfo, user: User | None, **extra: Any
) -> dict[str, Any]:
    return {
        "user": user,
        "csrf_token": LazyCsrfToken(request),
        "flash": pop_flash(request),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "meeting": meeting,
        "meeting_zone": ZoneInfo(meeting.timezone) if meeting else zone,
        "zone": zone,
        "zone_names": zone_names(),
        "prefix": url_prefix(request),
        "now": services(request).clock.now(),
        **extra,
    }


def flash(request: Request, message: str) -> None:
    """A one-time message shown on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append(message)


def pop_flash(request: Request) -> list[str]:
    messages = request.session.pop("flash", [])
    return [m for m in messages if isinstance(m, str)] if isinstance(messages, list) else []


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed after a form (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return fallback


def remember_zone(response: Any, zone: ZoneInfo) -> None:
    response.set_cookie(TZ_COOKIE, zone.key, max_age=365 * 24 * 3600, samesite="lax")
