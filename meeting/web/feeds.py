"""Machine-readable program exports over HTTP: frab XML and c3voc JSON (cached per version)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from meeting.exports import render_meeting_export
from meeting.freshness.response_cache import cache_per_version
from meeting.web.conditional import DEFAULT_CACHE_CONTROL, conditional_response
from meeting.web.context import current_meeting, read_db, services


def serve_export(
    request: Request,
    name: str,
    *,
    cache_control: str = DEFAULT_CACHE_CONTROL,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """A meeting export from the per-version cache, answering conditional GETs."""
    svc = services(request)
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        rendered = svc.exports.get_or_render(
            meeting.id,
            meeting.schedule_version,
            name,
            lambda: render_meeting_export(db, meeting, name, svc.settings.base_url),
        )
    cache_per_version(request, meeting)
    return conditional_response(
        request,
        rendered.body,
        content_type=rendered.content_type,
        etag=rendered.etag,
        last_modified=rendered.last_modified,
        cache_control=cache_control,
        extra_headers=extra_headers,
    )


def schedule_xml(request: Request) -> Response:
    return serve_export(request, "frab-xml")


def schedule_json(request: Request) -> Response:
    return serve_export(request, "frab-json")
