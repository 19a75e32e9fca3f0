"""Calendars over HTTP: one session, the program, a track, my agenda feed; feed settings.

Feeds answer conditional GETs through web/conditional.py. The personal feed needs no
cookie: its secret token is the credential, and an unknown, revoked or malformed token
gets the same bare 404 (or 429 once an address has guessed too often).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from meeting.calendars.events import REMINDER_CHOICES, EventCache
from meeting.calendars.feed_batch import FeedAsk
from meeting.calendars.feed_notes import FeedNotes
from meeting.calendars.feeds import CONTENT_TYPE, RenderedCalendar
from meeting.calendars.guesses import GuessLimiter
from meeting.calendars.preferences import (
    KEEP_CANCELLED_CHOICES,
    load_feed_settings,
    parse_feed_settings,
    save_feed_settings,
)
from meeting.calendars.program_calendars import render_session_calendar, render_track_calendar
from meeting.calendars.tokens import (
    FeedAccess,
    current_feed_token,
    issue_feed_token,
    next_feed_modified,
)
from meeting.db import transaction
from meeting.exports import strong_etag
from meeting.freshness.response_cache import CacheTag, cache_per_version, cache_this
from meeting.program.models import Meeting
from meeting.web.auth import require_user
from meeting.web.conditional import conditional_response
from meeting.web.context import current_meeting, flash, read_db, services, url_prefix
from meeting.web.feeds import serve_export
from meeting.web.forms import read_form, text

PUBLIC_CACHE = "public, max-age=300, must-revalidate"
PRIVATE_CACHE = "private, max-age=300, must-revalidate"
PublicRenderer = Callable[[DbSession, Meeting, str, str, EventCache], RenderedCalendar]


def session_calendar(request: Request) -> Response:
    code = request.path_params["code"]
    return _public_calendar(request, render_session_calendar, code, f"{code}.ics")


def track_calendar(request: Request) -> Response:
    slug = request.path_params["track"]
    return _public_calendar(request, render_track_calendar, slug, f"{slug}.ics")


def _public_calendar(
    request: Request, render: PublicRenderer, name: str, filename: str
) -> Response:
    """A calendar anyone may fetch (one session, one track), kept per schedule version."""
    svc = services(request)
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        rendered = render(db, meeting, name, svc.settings.base_url, svc.calendar_events)
    cache_per_version(request, meeting)
    return _calendar_response(request, rendered, filename, PUBLIC_CACHE)


def program_calendar(request: Request) -> Response:
    """The whole program: rendered once per schedule version (shared with `meeting export`)."""
    return serve_export(
        request, "ics", cache_control=PUBLIC_CACHE, extra_headers=_disposition("program.ics")
    )


async def agenda_feed(request: Request) -> Response:
    """My agenda, by secret token; Last-Modified is when its bytes last changed.

    Read in a batch with the other feeds asked for at the same moment (calendars/
    feed_batch.py). The response is tagged for the fast lane: until this attendee's feed or
    the meeting's schedule changes, polls are answered from memory (200 or 304) without a
    query.
    """
    svc = services(request)
    now = svc.clock.now()
    mark = svc.freshness.mark()
    answer = await svc.feed_batches.submit(
        FeedAsk(request.path_params["token"], request.path_params.get("slug"), now)
    )
    if answer is None:
        return _unknown_token(request, svc.feed_guesses, now)
    if isinstance(answer, Exception):
        raise answer
    access, meeting, calendar = answer.access, answer.meeting, answer.calendar
    modified = _feed_modified(svc.feed_notes, access, answer.etag, now)
    cache_this(
        request,
        CacheTag(
            meeting.id,
            meeting.schedule_version,
            user_id=access.user_id,
            mark=mark,
            expires_at=calendar.expires_at,
            parts=calendar.parts,
        ),
    )
    return _calendar_response(
        request,
        RenderedCalendar(answer.body, modified),
        "agenda.ics",
        PRIVATE_CACHE,
        etag=answer.etag,
    )


def _feed_modified(notes: FeedNotes, access: FeedAccess, etag: str, now: datetime) -> datetime:
    """The stored date of these bytes, or a new one (stored behind, off the request)."""
    if access.feed_etag == etag and access.feed_changed_at is not None:
        return access.feed_changed_at
    pending = notes.pending(access.token_id)
    if pending is not None and pending[0] == etag:
        return pending[1]
    modified = next_feed_modified(access, now)
    if pending is not None:  # newer than the stored version, so a second after it too
        modified = max(modified, pending[1] + timedelta(seconds=1))
    notes.note(access.token_id, etag, modified)
    return modified


def _unknown_token(request: Request, guesses: GuessLimiter, now: datetime) -> Response:
    """The same bare answer for unknown, revoked and malformed tokens; 429 when guessing."""
    address = request.client.host if request.client else ""
    if guesses.record_failure(address, now):
        return PlainTextResponse("Too many requests\n", 429, {"Retry-After": "600"})
    return PlainTextResponse("Not found\n", 404, {"Cache-Control": "no-store"})


async def replace_feed_link(request: Request) -> Response:
    """A new secret link; the old one answers 404 from now on."""
    await read_form(request)
    svc = services(request)

    def apply() -> None:
        with transaction(svc.sessions) as db:
            user = require_user(request, db)
            issue_feed_token(db, user.id, svc.settings.secret_key, svc.clock.now())

    await run_in_threadpool(apply)
    flash(request, "Your calendar link was replaced: subscribe again with the new one.")
    return RedirectResponse(f"{url_prefix(request)}/agenda#calendar", status_code=303)


async def save_calendar_settings(request: Request) -> Response:
    form = await read_form(request)
    settings = parse_feed_settings(text(form, "reminder"), text(form, "keep_cancelled_days"))
    svc = services(request)

    def apply() -> None:
        with transaction(svc.sessions) as db:
            save_feed_settings(db, require_user(request, db).id, settings)

    await run_in_threadpool(apply)
    flash(request, "Calendar settings saved; your calendar picks them up on its next refresh.")
    return RedirectResponse(f"{url_prefix(request)}/agenda#calendar", status_code=303)


def calendar_box(request: Request, user_id: int) -> dict[str, Any]:
    """What the agenda page's "Subscribe" box shows; the attendee's token is made on first view."""
    svc = services(request)
    secret = svc.settings.secret_key
    with read_db(request) as db:
        token = current_feed_token(db, user_id, secret)
        settings = load_feed_settings(db, user_id)
    if token is None:
        with transaction(svc.sessions) as db:
            token = issue_feed_token(db, user_id, secret, svc.clock.now())
    https_url = f"{svc.settings.base_url}{url_prefix(request)}/feeds/{token}.ics"
    return {
        "https_url": https_url,
        "webcal_url": "webcal://" + https_url.split("://", 1)[1],
        "settings": settings,
        "reminder_choices": REMINDER_CHOICES,
        "keep_choices": KEEP_CANCELLED_CHOICES,
    }


def _calendar_response(
    request: Request,
    rendered: RenderedCalendar,
    filename: str,
    cache_control: str,
    *,
    etag: str | None = None,
) -> Response:
    return conditional_response(
        request,
        rendered.body,
        content_type=CONTENT_TYPE,
        etag=etag or strong_etag(rendered.body),
        last_modified=rendered.last_modified,
        cache_control=cache_control,
        extra_headers=_disposition(filename),
    )


def _disposition(filename: str) -> dict[str, str]:
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "calendar.ics"
    return {"Content-Disposition": f'inline; filename="{safe}"'}
