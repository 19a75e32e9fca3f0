"""The JSON API: one table of operations builds both the routes and the OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from meeting.api import endpoints
from meeting.api.openapi import Operation, build_openapi, path_param, query_param
from meeting.enums import Audience, SessionKind

_FILTERS = [
    query_param(
        "day",
        "Day (YYYY-MM-DD) in the meeting's zone, or in `tz`.",
        {"type": "string", "format": "date"},
    ),
    query_param("kind", "Session kind.", {"enum": [k.value for k in SessionKind]}),
    query_param("track", "Track slug.", {"type": "string"}),
    query_param("audience", "Audience rule.", {"enum": [a.value for a in Audience]}),
    query_param(
        "q",
        "Words to find in titles, descriptions and speakers' names.",
        {"type": "string", "maxLength": 200},
    ),
    query_param("tz", "IANA time zone the `day` filter is read in.", {"type": "string"}),
    query_param("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    query_param(
        "per_page",
        "Sessions per page (at most 200).",
        {"type": "integer", "minimum": 1, "maximum": 200},
    ),
]

OPERATIONS = [
    Operation("/meetings", "GET", endpoints.list_meetings, "Every meeting of this deployment."),
    Operation(
        "/sessions",
        "GET",
        endpoints.list_sessions,
        "Sessions of the meeting, filtered and paginated, in time order.",
        parameters=_FILTERS,
        errors=(400, 404),
    ),
    Operation(
        "/sessions/{code}",
        "GET",
        endpoints.get_session,
        "One session with speakers, parent and children.",
        parameters=[path_param("code", "The session's code.")],
        errors=(404,),
    ),
]


def openapi_document(_request: Request) -> JSONResponse:
    return JSONResponse(build_openapi(OPERATIONS))


def routes() -> list[BaseRoute]:
    """Routes mounted at /api (and at /m/{slug}/api)."""
    api: list[BaseRoute] = [Route(op.path, op.endpoint, methods=[op.method]) for op in OPERATIONS]
    api.append(Route("/openapi.json", openapi_document, methods=["GET"]))
    return api
