"""/register, /login, /logout: forms with CSRF, signed session cookie."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from meeting.accounts.service import Registration, authenticate, register
from meeting.db import transaction
from meeting.enums import CareerStage
from meeting.errors import InvalidInput
from meeting.program.queries import list_tracks
from meeting.web.auth import current_user, sign_in, sign_out
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
from meeting.web.forms import read_form, text, texts


def _form_page(request: Request, name: str, status: int = 200, **extra: Any) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        user = current_user(request, db)
        zone, _chosen = viewer_zone(request, meeting, user)
        context = page_context(
            request,
            meeting,
            zone,
            user,
            stages=list(CareerStage),
            tracks=list_tracks(db, meeting),
            next=safe_next(request.query_params.get("next"), ""),
            **extra,
        )
    return templates(request).render(request, name, context, status_code=status)


def register_form(request: Request) -> Response:
    return _form_page(request, "register.html", values={}, problems={})


async def register_submit(request: Request) -> Response:
    form = await read_form(request)
    registration = Registration(
        email=text(form, "email"),
        name=text(form, "name"),
        password=text(form, "password"),
        career_stage=text(form, "career_stage"),
        timezone=text(form, "timezone"),
        is_member=text(form, "is_member") == "yes",
        interests=texts(form, "interests")[:30],
    )

    def create() -> int:
        with transaction(services(request).sessions) as db:
            return register(db, registration).id

    try:
        user_id = await run_in_threadpool(create)
    except InvalidInput as error:
        problems = {p.field or "": p.message for p in error.problems}
        values = {k: text(form, k) for k in ("email", "name", "career_stage", "timezone")}
        return await run_in_threadpool(
            _form_page, request, "register.html", 400, values=values, problems=problems
        )
    sign_in(request, user_id)
    flash(request, "Welcome! Your account is ready; add sessions from the program.")
    return RedirectResponse(f"{url_prefix(request)}/agenda", status_code=303)


def login_form(request: Request) -> Response:
    return _form_page(request, "login.html", email="", error="")


async def login_submit(request: Request) -> Response:
    form = await read_form(request)
    email, password = text(form, "email"), text(form, "password")
    address = request.client.host if request.client else "unknown"
    svc = services(request)

    def check() -> int | None:
        with transaction(svc.sessions) as db:
            user = authenticate(db, email, password, address=address, now=svc.clock.now())
            return user.id if user else None

    user_id = await run_in_threadpool(check)
    if user_id is None:
        return await run_in_threadpool(
            _form_page,
            request,
            "login.html",
            400,
            email=email,
            error="That email and password do not match an account.",
        )
    sign_in(request, user_id)
    target = safe_next(text(form, "next"), f"{url_prefix(request)}/agenda")
    return RedirectResponse(target, status_code=303)


async def logout_submit(request: Request) -> Response:
    await read_form(request)
    sign_out(request)
    return RedirectResponse(f"{url_prefix(request)}/", status_code=303)
