"""Machine-readable program exports over HTTP: frab XML and c3voc JSON (cached per version)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from meeting.exports import render_meeting_export
from meeting.web.conditional import conditional_response
from meeting.web.context import current_meeting, read_db, services


def _export(request: Request, name: str) -> Response:
    svc = services(request)
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        rendered = svc.exports.get_or_render(
            meeting.id,
            meeting.schedule_version,
            name,
            lambda: render_meeting_export(db, meeting, name, svc.settings.base_url),
        )
    return conditional_response(
        request,
        rendered.body,
        content_type=rendered.content_type,
        etag=rendered.etag,
        last_modified=rendered.last_modified,
    )


def schedule_xml(request: Request) -> Response:
    return _export(request, "frab-xml")


def schedule_json(request: Request) -> Response:
    return _export(request, "frab-json")
