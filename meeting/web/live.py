"""/live/{code} (the room page) and /ws/rooms/{code} (its socket).

Origin and identity are checked before the handshake is accepted (a refusal is an HTTP
403); after that every frame is answered, bad ones with an error frame, and only repeated
abuse closes the socket with a documented code.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Awaitable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from meeting.db import transaction
from meeting.errors import MeetingError, Refused
from meeting.live import protocol
from meeting.live.access import Door, admit
from meeting.live.activities import ACTIVITY_FRAMES, handle_activity_frame
from meeting.live.connection import Connection, Member
from meeting.live.connection import Send as TextSend
from meeting.live.events import NumberedEvent, events_after
from meeting.live.hub import LiveRoom
from meeting.live.protocol import ProtocolError, error_frame, parse_client_frame
from meeting.live.rooms import (
    Actor,
    Outcome,
    RoomInfo,
    check_frame_allowed,
    handle_frame,
)
from meeting.live.state import room_state
from meeting.program.queries import get_session
from meeting.web.auth import USER_KEY, require_user
from meeting.web.context import (
    current_meeting,
    page_context,
    read_db,
    services,
    templates,
    viewer_zone,
)
from meeting.web.socket_wire import wire_of

POLICY_VIOLATION = 1008


def live_page(request: Request) -> Response:
    with read_db(request) as db:
        meeting = current_meeting(request, db)
        user = require_user(request, db)
        session = get_session(db, meeting, request.path_params["code"])
        info, member = admit(db, session, user)
        zone, _chosen = viewer_zone(request, meeting, user)
        context = page_context(
            request,
            meeting,
            zone,
            user,
            session=session,
            member=member,
            state=room_state(info.start, info.end, services(request).clock.now()).value,
        )
    return templates(request).render(request, "live.html", context)


class _RoomSocket:
    """`/ws/rooms/{code}` as a plain ASGI app, so that the room writes frames with the ASGI
    `send` it is given: the fewest layers per frame and member (a room of thousands)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _room(WebSocket(scope, receive=receive, send=send), send)


room_socket = _RoomSocket()


async def _room(websocket: WebSocket, send: Send) -> None:
    if not same_origin(websocket):
        await websocket.close(code=POLICY_VIOLATION, reason="foreign origin")
        return
    try:
        info, member = await _admit(websocket)
    except MeetingError as refusal:
        await websocket.close(code=POLICY_VIOLATION, reason=refusal.message[:120])
        return
    await websocket.accept()
    await _serve(websocket, _text_sender(send), info, member)


def _text_sender(send: Send) -> TextSend:
    def send_text(frame: str) -> Awaitable[None]:
        return send({"type": "websocket.send", "text": frame})

    return send_text


def same_origin(websocket: WebSocket) -> bool:
    """Browsers send Origin; it must be this site (MEETING_BASE_URL or the Host asked for)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: identity is still required below
    allowed = {_origin_of(services(websocket).settings.base_url)}
    host = websocket.headers.get("host")
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    return origin.rstrip("/") in allowed


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _admit(websocket: WebSocket) -> tuple[RoomInfo, Member]:
    user_id = websocket.session.get(USER_KEY)
    if not isinstance(user_id, int):
        raise Refused("sign in first")
    svc = services(websocket)
    door = Door(
        websocket.path_params.get("slug"),
        svc.settings.default_meeting,
        websocket.path_params["code"],
    )
    return await svc.hub.admissions.admit(door, user_id)


async def _serve(websocket: WebSocket, send_text: TextSend, info: RoomInfo, member: Member) -> None:
    svc = services(websocket)
    hub = svc.hub

    async def close(code: int, reason: str) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code=code, reason=reason)

    wire = wire_of(websocket.scope)
    conn = Connection(member, send_text, close, direct=None if wire is None else (wire, hub.outbox))
    room = await hub.join(info, conn)
    try:
        await _prime(websocket, conn, room, member)
        await _receive(websocket, conn, room, member)
    except WebSocketDisconnect:
        pass
    finally:
        await conn.stop()
        await hub.leave(room, conn)


async def _prime(websocket: WebSocket, conn: Connection, room: LiveRoom, member: Member) -> None:
    """Resume from `last_event_id` (exactly the missed events) or send a snapshot.

    Live frames arriving meanwhile are held by the connection and released afterwards,
    skipping what the replay already covered: no gap and no duplicate.
    """
    svc = services(websocket)
    resume_from = _last_event_id(websocket)
    if resume_from is None:
        snapshot, primed_up_to = await svc.hub.snapshot(room, member)
        await websocket.send_text(snapshot)
    else:
        missed = await run_in_threadpool(_missed, websocket, room.info.session_id, resume_from)
        for event in missed:
            if event.for_user(member.user_id):
                await websocket.send_text(event.frame)
        primed_up_to = missed[-1].seq if missed else resume_from
        state = room_state(room.info.start, room.info.end, svc.clock.now())
        await websocket.send_text(json.dumps({"type": "state", "state": state.value}))
    if not conn.release(primed_up_to):
        await conn.close(protocol.CLOSE_TOO_SLOW, "too slow: frames piled up")


def _last_event_id(websocket: WebSocket) -> int | None:
    text = websocket.query_params.get("last_event_id", "")
    return int(text) if text.isdigit() else None


def _missed(websocket: WebSocket, session_id: int, after: int) -> list[NumberedEvent]:
    with read_db(websocket) as db:
        return events_after(db, session_id, after)


async def _receive(websocket: WebSocket, conn: Connection, room: LiveRoom, member: Member) -> None:
    """Answer every frame; close only on repeated abuse (codes in live/protocol.py)."""
    errors = rate_limited = 0
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        problem = await _handle(websocket, conn, room, member, message)
        if problem is None:
            continue
        conn.offer(None, error_frame(problem.code, problem.message))
        if problem.code == "rate_limited":
            rate_limited += 1
        elif problem.code in _ABUSE:
            errors += 1
        if rate_limited >= protocol.MAX_RATE_LIMITED:
            await conn.drain()
            await conn.close(protocol.CLOSE_FLOODING, "flooding: too many frames")
            return
        if errors >= protocol.MAX_PROTOCOL_ERRORS:
            await conn.drain()
            await conn.close(protocol.CLOSE_TOO_MANY_ERRORS, "too many bad frames")
            return


_ABUSE = {
    "bad_json",
    "not_object",
    "unknown_type",
    "missing_field",
    "bad_field",
    "too_big",
    "binary_not_supported",
}


async def _handle(
    websocket: WebSocket, conn: Connection, room: LiveRoom, member: Member, message: Message
) -> ProtocolError | None:
    text = message.get("text")
    if not isinstance(text, str):
        return ProtocolError("binary_not_supported", "frames must be JSON text, not binary")
    try:
        frame = parse_client_frame(text)
    except ProtocolError as error:
        return error
    svc = services(websocket)
    if frame.type == "ping":
        conn.offer(None, '{"type":"pong"}')
        return None
    action = {"chat": "post", "ask": "post", "react": "react"}.get(frame.type, "other")
    if not svc.limiter.allow(room.info.session_id, member.user_id, action, time.monotonic()):
        return ProtocolError("rate_limited", "slow down: too many frames in a short time")
    if frame.type == "react":
        room.reactions[frame.fields["emoji"]] += 1
        return None
    actor = Actor(member.user_id, member.name, member.moderator)
    if frame.type == "chat":  # the busy one: stored in batches (live/chat.py)
        try:
            check_frame_allowed(room.info, actor, frame, svc.clock.now())
            await svc.hub.post_chat(room, actor, frame.fields["text"])
        except MeetingError as error:
            return ProtocolError(error.code, error.message)
        return None
    # Who is here (across processes) only matters to activities; it costs O(people).
    present = svc.hub.present_members(room) if frame.type in ACTIVITY_FRAMES else {}

    def apply() -> Outcome:
        with transaction(svc.sessions) as db:
            now = svc.clock.now()
            if frame.type not in ACTIVITY_FRAMES:
                return handle_frame(db, room.info, actor, frame, now)
            check_frame_allowed(room.info, actor, frame, now)
            return handle_activity_frame(
                db, room.info, actor, frame.type, frame.fields, now, present
            )

    try:
        outcome = await run_in_threadpool(apply)
    except MeetingError as error:
        return ProtocolError(error.code, error.message)
    await svc.hub.publish_events(room, outcome.events)
    if outcome.poll_changed:
        svc.hub.ballots_changed(room)
    return None
