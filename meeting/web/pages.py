"""Home, program, session and speaker pages (thin: parse, one query, render)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from meeting.program import queries
from meeting.program.filters import parse_program_filter
from meeting.program.models import Session
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


def home(request: Request) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        zone, chosen = viewer_zone(request, meeting)
        live, upcoming = queries.live_and_next(db, meeting, services(request).clock.now())
        days = queries.session_days(db, meeting, zone)
        tracks = queries.list_tracks(db, meeting)
        counts = queries.count_by_kind(db, meeting)
    context = page_context(
        request,
        meeting,
        zone,
        live=live,
        upcoming=upcoming,
        days=days,
        tracks=tracks,
        kind_counts=counts,
    )
    return _respond(request, "home.html", context, zone, chosen)


def program(request: Request) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        zone, chosen = viewer_zone(request, meeting)
        filters = parse_program_filter(request.query_params, zone)
        sessions, total = queries.filter_sessions(db, meeting, filters)
        days = queries.session_days(db, meeting, zone)
        tracks = queries.list_tracks(db, meeting)
    context = page_context(
        request,
        meeting,
        zone,
        filters=filters,
        by_day=_group_by_day(sessions, zone),
        total=total,
        days=days,
        tracks=tracks,
    )
    return _respond(request, "program.html", context, zone, chosen)


def session_page(request: Request) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        zone, chosen = viewer_zone(request, meeting)
        session = queries.get_session(db, meeting, request.path_params["code"])
    context = page_context(request, meeting, zone, session=session)
    return _respond(request, "session.html", context, zone, chosen)


def speaker_page(request: Request) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        zone, chosen = viewer_zone(request, meeting)
        speaker, sessions = queries.get_speaker(db, meeting, request.path_params["speaker_id"])
    context = page_context(request, meeting, zone, speaker=speaker, sessions=sessions)
    return _respond(request, "speaker.html", context, zone, chosen)


DaySlots = list[tuple[date, list[tuple[str, list[Session]]]]]


def _group_by_day(sessions: Sequence[Session], zone: ZoneInfo) -> DaySlots:
    """[(day, [(start 'HH:MM', [sessions…]), …]), …] in the viewer's zone."""
    days: DaySlots = []
    for day, in_day in groupby(sessions, key=lambda s: s.start_at.astimezone(zone).date()):
        by_start = groupby(in_day, key=lambda s: local_time(s.start_at, zone))
        days.append((day, [(slot, list(items)) for slot, items in by_start]))
    return days


def _respond(
    request: Request, template: str, context: dict[str, object], zone: ZoneInfo, chosen: bool
) -> Response:
    response = templates(request).render(request, template, context)
    if chosen:
        remember_zone(response, zone)
    return response
