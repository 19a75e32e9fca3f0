"""/agenda: my sessions by day, conflicts, waitlists, changes; add/remove forms."""

from __future__ import annotations

from itertools import groupby

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from meeting.agenda.service import (
    AgendaResult,
    add_to_agenda,
    remove_from_agenda,
)
from meeting.agenda.suggestions import load_suggestions
from meeting.agenda.view import dismiss_notices, load_agenda, unread_notices
from meeting.db import transaction
from meeting.enums import AgendaState
from meeting.web.auth import require_user
from meeting.web.calendars import calendar_box
from meeting.web.context import (
    current_meeting,
    flash,
    page_context,
    read_db,
    safe_next,
    services,
    templates,
    url_prefix,
    viewer_zone,
)
from meeting.web.forms import read_form, text
from meeting.web.notify import push_promotion


def agenda_page(request: Request) -> Response:
    now = services(request).clock.now()
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        user = require_user(request, db)
        zone, _chosen = viewer_zone(request, meeting, user)
        items = load_agenda(db, user, meeting)
        mine = [item.session for item in items]
        context = page_context(
            request,
            meeting,
            zone,
            user,
            by_day=[
                (day, list(day_items))
                for day, day_items in groupby(
                    items, key=lambda i: i.session.start_at.astimezone(zone).date()
                )
            ],
            count=len(items),
            suggestions=load_suggestions(db, user, meeting, mine, zone, now),
            notices=unread_notices(db, user),
        )
    context["calendar"] = calendar_box(request, user.id)
    return templates(request).render(request, "agenda.html", context)


async def agenda_add(request: Request) -> Response:
    return await _change(request, add=True)


async def agenda_remove(request: Request) -> Response:
    return await _change(request, add=False)


async def _change(request: Request, *, add: bool) -> Response:
    form = await read_form(request)
    code = text(form, "code")
    svc = services(request)

    def apply() -> AgendaResult:
        with transaction(svc.sessions) as db:
            meeting = current_meeting(request, db)
            user = require_user(request, db)
            change = add_to_agenda if add else remove_from_agenda
            return change(db, user, meeting, code, svc.clock.now())

    result = await run_in_threadpool(apply)
    await push_promotion(svc, result.promoted_user_id, result.code, result.title)
    flash(request, _message(result, add=add))
    return RedirectResponse(
        safe_next(text(form, "next"), f"{url_prefix(request)}/agenda"), status_code=303
    )


async def notices_dismiss(request: Request) -> Response:
    await read_form(request)
    svc = services(request)

    def apply() -> None:
        with transaction(svc.sessions) as db:
            dismiss_notices(db, require_user(request, db), svc.clock.now())

    await run_in_threadpool(apply)
    return RedirectResponse(f"{url_prefix(request)}/agenda", status_code=303)


def _message(result: AgendaResult, *, add: bool) -> str:
    if not add:
        return f"Removed {result.code} from your agenda."
    if result.state == AgendaState.WAITLISTED:
        return f"{result.code} is full: you are number {result.position} on the waitlist."
    return f"Added {result.code} to your agenda."
