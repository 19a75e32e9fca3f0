"""/ws/me: a signed-in attendee's personal notices, pushed while any page of theirs is open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from meeting.broker import Envelope
from meeting.live.notices import starting_soon, unread_notice_frames, user_channel
from meeting.services import Services
from meeting.web.auth import current_user
from meeting.web.context import read_db, services
from meeting.web.live import POLICY_VIOLATION, same_origin

CHECK_EVERY_SECONDS = 20.0


async def personal_socket(websocket: WebSocket) -> None:
    if not same_origin(websocket):
        await websocket.close(code=POLICY_VIOLATION, reason="foreign origin")
        return
    user_id = await run_in_threadpool(_user_id, websocket)
    if user_id is None:
        await websocket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    await websocket.accept()
    svc = services(websocket)
    async with svc.broker.subscribe(user_channel(user_id)) as messages:
        for frame in await run_in_threadpool(_unread, websocket, user_id):
            await websocket.send_text(frame)
        tasks = [
            asyncio.create_task(_forward(websocket, messages)),
            asyncio.create_task(_remind(websocket, svc, user_id)),
            asyncio.create_task(_drain(websocket)),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await task


def _user_id(websocket: WebSocket) -> int | None:
    with read_db(websocket) as db:
        user = current_user(websocket, db)
        return user.id if user else None


def _unread(websocket: WebSocket, user_id: int) -> list[str]:
    with read_db(websocket) as db:
        return unread_notice_frames(db, user_id)


async def _forward(websocket: WebSocket, messages: AsyncIterator[Envelope]) -> None:
    async for envelope in messages:
        await websocket.send_text(envelope.message)


async def _remind(websocket: WebSocket, svc: Services, user_id: int) -> None:
    """'Starting in 5 minutes', once per session per connection."""
    told: set[int] = set()

    def due() -> list[tuple[int, str]]:
        with read_db(websocket) as db:
            return starting_soon(db, user_id, svc.clock.now())

    while True:
        for session_id, frame in await run_in_threadpool(due):
            if session_id not in told:
                told.add(session_id)
                await websocket.send_text(frame)
        await asyncio.sleep(CHECK_EVERY_SECONDS)


async def _drain(websocket: WebSocket) -> None:
    """Nothing is expected from the client; reading notices a disconnect."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
