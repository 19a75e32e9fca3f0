"""What every page needs from a request: services, the meeting, the viewer's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session as DbSession
from starlette.requests import HTTPConnection, Request

from meeting.db import transaction
from meeting.errors import InvalidInput
from meeting.program.models import Meeting
from meeting.program.queries import get_meeting
from meeting.services import Services
from meeting.timezones import parse_zone, zone_names
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


def viewer_zone(request: Request, meeting: Meeting) -> tuple[ZoneInfo, bool]:
    """The zone to show times in: `?tz=`, else the cookie, else the meeting's.

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
    return ZoneInfo(meeting.timezone), False


def page_context(
    request: Request, meeting: Meeting, zone: ZoneInfo, **extra: Any
) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "meeting_zone": ZoneInfo(meeting.timezone),
        "zone": zone,
        "zone_names": zone_names(),
        "prefix": url_prefix(request),
        "now": services(request).clock.now(),
        **extra,
    }


def remember_zone(response: Any, zone: ZoneInfo) -> None:
    response.set_cookie(TZ_COOKIE, zone.key, max_age=365 * 24 * 3600, samesite="lax")
