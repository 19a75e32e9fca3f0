"""The JSON API: one table of operations builds both the routes and the OpenAPI document."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from meeting.api import endpoints, me
from meeting.api.openapi import Operation, build_openapi, path_param, query_param
from meeting.enums import Audience, SessionKind

Endpoint = Callable[[Request], Any]

_CODE = [path_param("code", "The session's code.")]

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
        parameters=_CODE,
        errors=(404,),
    ),
    Operation(
        "/sessions/{code}",
        "PATCH",
        me.patch_session,
        "Organizers: move, re-room, cancel, restore or retitle a session (JSON body: start, "
        "end, room, status, title); the change log records it.",
        parameters=_CODE,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "/sessions/{code}/invitations",
        "POST",
        me.post_invitation,
        "Organizers: invite an account (JSON body: email) to an invite-only session.",
        parameters=_CODE,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "/me/agenda",
        "GET",
        me.my_agenda,
        "My agenda: state, waitlist position, conflicts and changes since added.",
        errors=(401,),
    ),
    Operation(
        "/me/agenda/{code}",
        "PUT",
        me.put_agenda_item,
        "Add a session: confirmed while seats last, else waitlisted in order.",
        parameters=_CODE,
        errors=(401, 403, 404),
    ),
    Operation(
        "/me/agenda/{code}",
        "DELETE",
        me.delete_agenda_item,
        "Remove a session; the first on its waitlist takes the seat and is told.",
        parameters=_CODE,
        errors=(401, 404),
    ),
]


def _dispatch(by_method: dict[str, Endpoint]) -> Endpoint:
    """One endpoint per path that hands each method to its operation's function."""
    if len(by_method) == 1:
        return next(iter(by_method.values()))

    async def endpoint(request: Request) -> Response:
        handler = by_method[request.method]
        if inspect.iscoroutinefunction(handler):
            response: Response = await handler(request)
            return response
        return await run_in_threadpool(handler, request)

    return endpoint


def openapi_document(_request: Request) -> JSONResponse:
    return JSONResponse(build_openapi(OPERATIONS))


def routes() -> list[BaseRoute]:
    """Routes mounted at /api (and at /m/{slug}/api)."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method] = op.endpoint
    api: list[BaseRoute] = [
        Route(path, _dispatch(methods), methods=list(methods)) for path, methods in by_path.items()
    ]
    api.append(Route("/openapi.json", openapi_document, methods=["GET"]))
    return api
