"""Home, program, session and speaker pages (thin: parse, one query, render)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session as DbSession
from starlette.requests import Request
from starlette.responses import Response

from meeting.agenda.view import agenda_states
from meeting.freshness.response_cache import CacheTag, cache_this
from meeting.program import queries
from meeting.program.filters import parse_program_filter
from meeting.program.models import Meeting, Session
from meeting.web.auth import current_user
from meeting.web.context import (
    current_meeting,
    page_context,
    read_db,
    remember_zone,
    services,
    templates,
    viewer_zone,
)
from meeting.web.templating import local_time

PAGE_TTL = timedelta(minutes=5)


def home(request: Request) -> Response:
    with read_db(request) as db:
        meeting, zone, chosen, base = _base(request, db)
        live, upcoming = queries.live_and_next(db, meeting, services(request).clock.now())
        base.update(
            live=live,
            upcoming=upcoming,
            days=queries.session_days(db, meeting, zone),
            tracks=queries.list_tracks(db, meeting),
            kind_counts=queries.count_by_kind(db, meeting),
        )
    return _respond(request, "home.html", base, zone, chosen)


def program(request: Request) -> Response:
    with read_db(request) as db:
        meeting, zone, chosen, base = _base(request, db)
        filters = parse_program_filter(request.query_params, zone)
        sessions, total = queries.filter_sessions(db, meeting, filters)
        base.update(
            filters=filters,
            by_day=_group_by_day(sessions, zone),
            total=total,
            days=queries.session_days(db, meeting, zone),
            tracks=queries.list_tracks(db, meeting),
        )
    if base["user"] is None:
        cache_this(request, _anonymous_tag(meeting, services(request).clock.now()))
    return _respond(request, "program.html", base, zone, chosen)


def session_page(request: Request) -> Response:
    with read_db(request) as db:
        meeting, zone, chosen, base = _base(request, db)
        base["session"] = queries.get_session(db, meeting, request.path_params["code"])
    return _respond(request, "session.html", base, zone, chosen)


def speaker_page(request: Request) -> Response:
    with read_db(request) as db:
        meeting, zone, chosen, base = _base(request, db)
        speaker_id = request.path_params["speaker_id"]
        base["speaker"], base["sessions"] = queries.get_speaker(db, meeting, speaker_id)
    return _respond(request, "speaker.html", base, zone, chosen)


def _anonymous_tag(meeting: Meeting, now: datetime) -> CacheTag:
    """A page as anyone without cookies sees it; re-rendered at least every few minutes,
    as "now" may show on it."""
    return CacheTag(
        meeting.id, meeting.schedule_version, expires_at=now + PAGE_TTL, anonymous_only=True
    )


def _base(request: Request, db: DbSession) -> tuple[Meeting, ZoneInfo, bool, dict[str, Any]]:
    """The meeting, the viewer's zone (and whether it was just chosen), and the page context."""
    meeting = current_meeting(request, db)
    user = current_user(request, db)
    zone, chosen = viewer_zone(request, meeting, user)
    context = page_context(request, meeting, zone, user)
    context["agenda"] = agenda_states(db, user, meeting) if user else {}
    return meeting, zone, chosen, context


DaySlots = list[tuple[date, list[tuple[str, list[Session]]]]]


def _group_by_day(sessions: Sequence[Session], zone: ZoneInfo) -> DaySlots:
    """[(day, [(start 'HH:MM', [sessions…]), …]), …] in the viewer's zone."""
    days: DaySlots = []
    for day, in_day in groupby(sessions, key=lambda s: s.start_at.astimezone(zone).date()):
        by_start = groupby(in_day, key=lambda s: local_time(s.start_at, zone))
        days.append((day, [(slot, list(items)) for slot, items in by_start]))
    return days


def _respond(
    request: Request, template: str, context: dict[str, Any], zone: ZoneInfo, chosen: bool
) -> Response:
    response = templates(request).render(request, template, context)
    if chosen:
        remember_zone(response, zone)
    return response
