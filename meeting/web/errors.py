"""Map errors to responses in one place: an HTML page, or JSON under /api."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from meeting.errors import (
    InvalidInput,
    MeetingError,
    NotFound,
    NotSignedIn,
    Refused,
    TooManyRequests,
)
from meeting.web.context import templates, url_prefix

log = logging.getLogger(__name__)

# Most specific first: TooManyRequests is a Refused.
_STATUS = {NotSignedIn: 401, TooManyRequests: 429, NotFound: 404, Refused: 403, InvalidInput: 400}
_TITLES = {
    400: "That request has a problem",
    401: "Please sign in",
    403: "Not allowed",
    429: "Too many attempts",
    404: "Not found",
    405: "Method not allowed",
    500: "Something went wrong",
}


def _wants_json(request: Request) -> bool:
    return "/api/" in request.url.path or request.url.path.endswith("/api")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, str | None]] | None = None,
) -> Response:
    if _wants_json(request):
        body: dict[str, object] = {"code": code, "message": message}
        if problems:
            body["problems"] = problems
        return JSONResponse({"error": body}, status_code=status)
    context = {
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "message": message,
        "problems": problems or [],
        "prefix": url_prefix(request),
        "meeting": None,
    }
    return templates(request).render(request, "error.html", context, status_code=status)


async def meeting_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, MeetingError):  # registered for MeetingError only
        raise exc
    status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
    if isinstance(exc, NotSignedIn) and not _wants_json(request):
        # After signing in the browser GETs `next`: a form's POST target cannot be it.
        target = quote(request.url.path if request.method == "GET" else "/agenda", safe="/")
        return RedirectResponse(f"{url_prefix(request)}/login?next={target}", status_code=303)
    problems = None
    if isinstance(exc, InvalidInput):
        problems = [
            {"message": p.message, "field": p.field or p.location or None} for p in exc.problems
        ]
    return error_response(request, status, exc.code, exc.message, problems)


async def http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = {
        404: f"Nothing lives at {request.url.path}.",
        405: f"{request.method} is not allowed here.",
    }.get(exc.status_code, str(exc.detail))
    return error_response(request, exc.status_code, code, message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal", "The server failed to answer this request; it has been logged."
    )
