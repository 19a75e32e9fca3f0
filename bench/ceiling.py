"""The bare ceiling: what this machine serves at all under the project's uvicorn settings.

Bodies are the project's own responses, saved by `bench.run` into the folder named by
`BENCH_BODIES_DIR` (one `<name>.body` file each), so every ceiling has the same size as
the figure it is compared with. Nothing here touches a database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import redis.asyncio
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from meeting.serving import serve_app

BODIES_ENV = "BENCH_BODIES_DIR"
RELAY_ENV = "BENCH_CEILING_REDIS_URL"
"""When set, `/ws` relays every chat frame through this Redis (W5's bare ceiling): each
worker hears every frame once and sends it to its own sockets, as the project's hub does."""
RELAY_CHANNEL = "bench-ceiling-room"
ETAG = '"bench-ceiling"'
MEDIA_TYPES = {
    "feed": "text/calendar; charset=utf-8",
    "program_ics": "text/calendar; charset=utf-8",
    "schedule_xml": "application/xml",
    "schedule_json": "application/json",
    "api_sessions": "application/json",
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Program</title>
<link rel="stylesheet" href="/static/site.css"></head><body><main><h1>Program</h1><ol>
{% for row in rows %}<li class="session"><time>{{ row.start }}</time>
<a href="/sessions/{{ row.code }}">{{ row.title }}</a> <span>{{ row.room }}</span>
<span class="speakers">{{ row.speakers | join(", ") }}</span></li>
{% endfor %}</ol></main></body></html>"""


def _rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "start": f"{8 + i % 10:02d}:{i % 4 * 15:02d}",
            "code": f"S{i:04d}",
            "title": f"Advances in lymphoma & myeloma care <part {i}>",
            "room": f"Room {i % 12}",
            "speakers": ["Amara Okafor", "Jun Tanaka", "Lucía García"],
        }
        for i in range(count)
    ]


class BareRoom:
    """Bare broadcast: every text frame goes to every open socket, nothing stored. With a
    `relay` each frame goes through Redis first, and every worker sends what it hears there
    to its own sockets."""

    def __init__(self, relay: redis.asyncio.Redis | None) -> None:
        self.clients: set[WebSocket] = set()
        self.relay = relay
        self.event_ids = itertools.count(1)
        self.snapshot = json.dumps(
            {"type": "snapshot", "last_event_id": 0, "chat": [], "presence": {}}
        )

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.clients.add(websocket)
        await websocket.send_text(self.snapshot)
        try:
            while True:
                text = json.loads(await websocket.receive_text()).get("text", "")
                frame = json.dumps(
                    {
                        "type": "chat",
                        "id": next(self.event_ids),
                        "at": time.time(),
                        "user": {"id": 0, "name": "Bench"},
                        "text": text,
                    }
                )
                if self.relay is None:
                    await self.broadcast(frame)
                else:
                    await self.relay.publish(RELAY_CHANNEL, frame)
        except WebSocketDisconnect:
            pass
        finally:
            self.clients.discard(websocket)

    async def broadcast(self, frame: str) -> None:
        for client in list(self.clients):
            try:
                await client.send_text(frame)
            except (WebSocketDisconnect, RuntimeError):
                self.clients.discard(client)

    @asynccontextmanager
    async def relaying(self, _app: Starlette) -> AsyncIterator[None]:
        """The app's lifespan: hear the relay while serving."""
        if self.relay is None:
            yield
            return
        async with self.relay.pubsub() as pubsub:
            await pubsub.subscribe(RELAY_CHANNEL)
            listener = asyncio.create_task(self._listen(pubsub))
            yield
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        await self.relay.aclose()

    async def _listen(self, pubsub: redis.asyncio.client.PubSub) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                await self.broadcast(message["data"])


def create_app() -> Starlette:
    folder = Path(os.environ[BODIES_ENV])
    bodies = {path.stem: path.read_bytes() for path in folder.glob("*.body")}
    template = Environment(autoescape=True).from_string(PAGE)
    page_size = len(bodies.get("program_page", b"x" * 100_000))
    one_row = len(template.render(rows=_rows(2))) - len(template.render(rows=_rows(1)))
    rows = _rows(max(1, (page_size - len(template.render(rows=[]))) // max(1, one_row)))
    relay_url = os.environ.get(RELAY_ENV)
    room = BareRoom(redis.asyncio.from_url(relay_url, decode_responses=True) if relay_url else None)

    async def conditional(request: Request) -> Response:
        if request.headers.get("if-none-match") == ETAG:
            return Response(status_code=304, headers={"ETag": ETAG})
        return Response(bodies["feed"], media_type=MEDIA_TYPES["feed"], headers={"ETag": ETAG})

    async def body(request: Request) -> Response:
        name = request.path_params["name"]
        return Response(bodies[name], media_type=MEDIA_TYPES.get(name, "text/plain"))

    async def page(_request: Request) -> Response:
        return HTMLResponse(template.render(rows=rows))

    return Starlette(
        lifespan=room.relaying,
        routes=[
            Route("/api/meetings", body_ok),
            Route("/304", conditional),
            Route("/body/{name}", body),
            Route("/page", page),
            WebSocketRoute("/ws", room.serve),
        ],
    )


async def body_ok(_request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


def main() -> None:
    """`python -m bench.ceiling --workers N --port P`: served as `meeting serve` serves."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    serve_app(
        host="127.0.0.1",
        port=arguments.port,
        workers=arguments.workers,
        app="bench.ceiling:create_app",
    )


if __name__ == "__main__":
    main()
