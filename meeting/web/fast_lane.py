"""The outermost ASGI layer: replay a current cached response, or record one on its way out.

Calendar clients poll feeds all day and the program's exports are large: once rendered,
their bytes are answered here, before routing, cookies and the threadpool, with the same
headers (and 304s for matching validators). Concurrent misses of one URL are collapsed:
one request renders, the others wait for its bytes. Everything else passes straight
through.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meeting.freshness.response_cache import TAG_KEY, CachedResponse, CacheTag, ResponseCache
from meeting.web.conditional import not_modified

OK = 200
NOT_MODIFIED = 304
COLLAPSE_WAIT_S = 10.0
"""Longest a request waits for another one rendering the same URL before rendering itself."""


class FastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._in_flight: dict[tuple[str, bytes], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        cache = _cache(scope)
        if cache is None:
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        request_headers: list[tuple[bytes, bytes]] = scope["headers"]
        has_cookie = any(name == b"cookie" for name, _ in request_headers)
        entry = cache.lookup(key, has_cookie)
        if entry is not None:
            await _replay(entry, request_headers, send)
            return
        if not cache.collapsible(key, has_cookie):
            await self._record(cache, key, scope, receive, send)
            return
        leader = self._in_flight.get(key)
        if leader is None:
            await self._lead(cache, key, scope, receive, send)
            return
        # Someone is rendering this URL right now: wait for it rather than render it again
        # (after a change, every poller of a big export arrives at once).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(leader.wait(), COLLAPSE_WAIT_S)
        entry = cache.lookup(key, has_cookie)
        if entry is not None:
            await _replay(entry, request_headers, send)
            return
        await self._record(cache, key, scope, receive, send)

    async def _lead(
        self,
        cache: ResponseCache,
        key: tuple[str, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        done = self._in_flight[key] = asyncio.Event()
        try:
            await self._record(cache, key, scope, receive, send)
        finally:
            del self._in_flight[key]
            done.set()

    async def _record(
        self,
        cache: ResponseCache,
        key: tuple[str, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def recording_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, recording_send)
        tag = scope.get(TAG_KEY)
        if isinstance(tag, CacheTag) and start is not None and start["status"] == OK:
            cache.store(key, tag, list(start.get("headers", [])), b"".join(chunks))


def _cache(scope: Scope) -> ResponseCache | None:
    state: dict[str, Any] = scope.get("state") or {}
    services = state.get("services")
    return getattr(services, "responses", None)


async def _replay(
    entry: CachedResponse, request_headers: list[tuple[bytes, bytes]], send: Send
) -> None:
    if entry.etag is not None and entry.last_modified is not None:
        if_none_match = if_modified_since = None
        for name, value in request_headers:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        if (if_none_match or if_modified_since) and not_modified(
            if_none_match, if_modified_since, entry.etag, entry.last_modified
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": NOT_MODIFIED,
                    "headers": entry.not_modified_headers,
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
    await send({"type": "http.response.start", "status": OK, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body()})
