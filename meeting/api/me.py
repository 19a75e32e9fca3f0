"""The signed-in attendee's agenda over JSON, and organizers' edits to sessions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from meeting.accounts.service import invite
from meeting.agenda.service import (
    AgendaResult,
    add_to_agenda,
    remove_from_agenda,
)
from meeting.agenda.view import agenda_json, load_agenda
from meeting.db import transaction
from meeting.enums import SessionStatus
from meeting.errors import InvalidInput, Problem
from meeting.live.notices import change_notices
from meeting.program.changes import Change
from meeting.program.editing import SessionEdit, edit_session
from meeting.web.auth import require_organizer, require_user
from meeting.web.context import current_meeting, read_db, services
from meeting.web.notify import push_notices, push_promotion

MAX_BODY_BYTES = 16_384


def my_agenda(request: Request) -> JSONResponse:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        items = load_agenda(db, require_user(request, db), meeting)
    return JSONResponse({"meeting": meeting.slug, "sessions": [agenda_json(i) for i in items]})


async def put_agenda_item(request: Request) -> JSONResponse:
    return await _agenda_change(request, add=True)


async def delete_agenda_item(request: Request) -> JSONResponse:
    return await _agenda_change(request, add=False)


async def _agenda_change(request: Request, *, add: bool) -> JSONResponse:
    svc = services(request)
    code = request.path_params["code"]

    def apply() -> AgendaResult:
        with transaction(svc.sessions) as db:
            meeting = current_meeting(request, db)
            user = require_user(request, db)
            change = add_to_agenda if add else remove_from_agenda
            return change(db, user, meeting, code, svc.clock.now())

    result = await run_in_threadpool(apply)
    await push_promotion(svc, result.promoted_user_id, code, result.title)
    return JSONResponse(
        {"code": result.code, "state": result.state, "waitlist_position": result.position}
    )


async def patch_session(request: Request) -> JSONResponse:
    edit = _session_edit(await _json_body(request))
    svc = services(request)

    def apply() -> tuple[list[Change], list[tuple[int, str]]]:
        with transaction(svc.sessions) as db:
            meeting = current_meeting(request, db)
            organizer = require_organizer(request, db)
            code = request.path_params["code"]
            session, changes = edit_session(
                db, meeting, code, edit, source=f"api:{organizer.email}", now=svc.clock.now()
            )
            return changes, change_notices(db, session, changes)

    changes, notices = await run_in_threadpool(apply)
    await push_notices(svc, notices)
    body = [{"kind": c.kind.value, "before": c.before, "after": c.after} for c in changes]
    return JSONResponse({"code": request.path_params["code"], "changes": body})


async def post_invitation(request: Request) -> JSONResponse:
    body = await _json_body(request)
    email = body.get("email")
    if not isinstance(email, str) or not email:
        raise InvalidInput([Problem("give the invitee's email", "email", field="email")])
    svc = services(request)

    def apply() -> None:
        with transaction(svc.sessions) as db:
            meeting = current_meeting(request, db)
            require_organizer(request, db)
            invite(db, meeting, email, request.path_params["code"])

    await run_in_threadpool(apply)
    return JSONResponse(
        {"code": request.path_params["code"], "email": email.lower()}, status_code=201
    )


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInput([Problem(f"the body is larger than {MAX_BODY_BYTES} bytes")])
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput([Problem(f"the body is not JSON: {error}")]) from error
    if not isinstance(body, dict):
        raise InvalidInput([Problem("the body must be a JSON object")])
    return body


_EDIT_FIELDS = {"start", "end", "room", "status", "title"}


def _session_edit(body: dict[str, Any]) -> SessionEdit:
    problems = [
        Problem(f"unknown field {name!r}", name, field=name)
        for name in sorted(set(body) - _EDIT_FIELDS)
    ]
    start = _instant(body.get("start"), "start", problems)
    end = _instant(body.get("end"), "end", problems)
    room = body.get("room")
    if room is not None and not isinstance(room, str):
        problems.append(Problem('room must be a room slug or ""', "room", field="room"))
    status = body.get("status")
    if status is not None and status not in {s.value for s in SessionStatus}:
        problems.append(Problem("status must be scheduled or cancelled", "status", field="status"))
    title = body.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(Problem("title must be text", "title", field="title"))
    if problems:
        raise InvalidInput(problems)
    return SessionEdit(
        start=start,
        end=end,
        room=room,
        title=title,
        status=SessionStatus(status) if status else None,
    )


def _instant(value: Any, name: str, problems: list[Problem]) -> datetime | None:
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        problems.append(
            Problem(f"{name} must be an ISO 8601 time with an offset", name, field=name)
        )
        return None
    return instant
