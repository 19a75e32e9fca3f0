"""The one conditional-GET helper: ETag, Last-Modified, 304 and Cache-Control in one place."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

DEFAULT_CACHE_CONTROL = "public, max-age=300, must-revalidate"


def conditional_response(
    request: Request,
    body: bytes,
    *,
    content_type: str,
    etag: str,
    last_modified: datetime,
    cache_control: str = DEFAULT_CACHE_CONTROL,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """200 with validators, or 304 when the client's copy is current (RFC 9110 §13.2.2)."""
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.replace(microsecond=0), usegmt=True),
        "Cache-Control": cache_control,
        **(extra_headers or {}),
    }
    if not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        etag,
        last_modified,
    ):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=content_type, headers=headers)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime
) -> bool:
    """True when a client holding these validators has the current bytes."""
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since when both are sent.
        candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in candidates or "*" in candidates
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False
