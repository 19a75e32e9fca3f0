"""JSON endpoints over the program (thin: validate, one query, shape)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse

from meeting.api.schemas import meeting_json, parse_page, session_json
from meeting.freshness.response_cache import cache_per_version
from meeting.program import queries
from meeting.program.filters import parse_program_filter
from meeting.web.context import current_meeting, read_db, services


def list_meetings(request: Request) -> JSONResponse:
    base_url = services(request).settings.base_url
    with read_db(request) as db:
        meetings = queries.list_meetings(db)
    return JSONResponse({"meetings": [meeting_json(m, base_url) for m in meetings]})


def list_sessions(request: Request) -> JSONResponse:
    base_url = services(request).settings.base_url
    page = parse_page(request.query_params)
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        filters = parse_program_filter(request.query_params, ZoneInfo(meeting.timezone))
        sessions, total = queries.filter_sessions(
            db, meeting, filters, limit=page.size, offset=page.offset
        )
    cache_per_version(request, meeting)
    has_next = page.offset + len(sessions) < total
    return JSONResponse(
        {
            "meeting": meeting.slug,
            "total": total,
            "page": page.number,
            "per_page": page.size,
            "next_page": page.number + 1 if has_next else None,
            "sessions": [session_json(s, base_url, meeting.slug) for s in sessions],
        }
    )


def get_session(request: Request) -> JSONResponse:
    base_url = services(request).settings.base_url
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        session = queries.get_session(db, meeting, request.path_params["code"])
    cache_per_version(request, meeting)
    data = session_json(session, base_url, meeting.slug)
    data["parent"] = session.parent.code if session.parent else None
    data["children"] = [child.code for child in session.children]
    return JSONResponse(data)
