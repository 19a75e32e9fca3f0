"""Whole responses kept per URL while their data is current, for the fast lane to replay.

A handler opts in by tagging its request (`cache_this`) with what the response was
rendered from: the meeting's schedule version, and for a personal feed the attendee and
the Freshness tick taken before reading. Nothing is trusted by age alone: an entry is
served only while Freshness says its sources are unchanged and the watcher vouches for
Freshness; `expires_at` covers what depends on the clock (a cancelled session leaving a
feed), `MAX_AGE_S` is a last safety net.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from starlette.requests import HTTPConnection

from meeting.freshness.state import Freshness

TAG_KEY = "meeting.cache_tag"
MAX_AGE_S = 3600.0
_NOT_IN_304 = {b"content-type", b"content-length"}
_REPLAYABLE_COOKIES = (b"tz=",)
"""Set-Cookie values every requester of the same URL gets alike (the zone chosen by ?tz=)."""


@dataclass(frozen=True, slots=True)
class CacheTag:
    """What a response was rendered from, set by the handler that rendered it."""

    meeting_id: int
    schedule_version: int
    user_id: int | None = None
    mark: int = 0
    expires_at: datetime | None = None
    anonymous_only: bool = False
    """Serve only to requests without cookies (pages that would differ for a signed-in user)."""
    parts: tuple[bytes, ...] | None = None
    """The body as shared pieces (a feed's cached VEVENTs), so 30,000 feeds cost little memory."""


@dataclass(frozen=True, slots=True)
class CachedResponse:
    tag: CacheTag
    stored_at: float
    headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]
    parts: tuple[bytes, ...]
    etag: str | None
    last_modified: datetime | None
    size: int

    def body(self) -> bytes:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


def cache_this(conn: HTTPConnection, tag: CacheTag) -> None:
    """Let the fast lane keep this request's 200 response under its URL."""
    conn.scope[TAG_KEY] = tag


class Versioned(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def schedule_version(self) -> int: ...


def cache_per_version(conn: HTTPConnection, meeting: Versioned) -> None:
    """Keep this response while the meeting stays at the schedule version it was read at
    (program exports, calendars and API reads: the same for everyone)."""
    cache_this(conn, CacheTag(meeting.id, meeting.schedule_version))


class ResponseCache:
    """URL → CachedResponse, bounded by entry count and by bytes not shared with other entries."""

    def __init__(
        self,
        freshness: Freshness,
        now: Callable[[], datetime],
        vouched: Callable[[], bool],
        *,
        max_entries: int,
        max_bytes: int,
    ) -> None:
        self._freshness = freshness
        self._now = now
        self._vouched = vouched
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: dict[tuple[str, bytes], CachedResponse] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: tuple[str, bytes], has_cookie: bool) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None or (has_cookie and entry.tag.anonymous_only) or not self._vouched():
            return None
        tag = entry.tag
        if (
            self._freshness.is_current(tag.meeting_id, tag.schedule_version, tag.user_id, tag.mark)
            and time.monotonic() - entry.stored_at < MAX_AGE_S
            and (tag.expires_at is None or self._now() < tag.expires_at)
        ):
            return entry
        return None

    def collapsible(self, key: tuple[str, bytes], has_cookie: bool) -> bool:
        """May concurrent misses of `key` wait for one render? Requests without cookies are
        the same for everyone; with cookies, only URLs known to be the same for all."""
        if not has_cookie:
            return True
        entry = self._entries.get(key)
        return entry is not None and not entry.tag.anonymous_only

    def store(
        self, key: tuple[str, bytes], tag: CacheTag, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> bool:
        """Keep a 200 response; False (not kept) when it sets a cookie of its own."""
        for name, value in headers:
            if name == b"set-cookie" and not value.startswith(_REPLAYABLE_COOKIES):
                return False
        parts = tag.parts if tag.parts is not None else (body,)
        if tag.parts is not None and sum(len(p) for p in parts) != len(body):
            return False  # the pieces are not what was sent: keep nothing rather than lie
        etag = _header(headers, b"etag")
        modified = _header(headers, b"last-modified")
        entry = CachedResponse(
            tag=tag,
            stored_at=time.monotonic(),
            headers=headers,
            not_modified_headers=[h for h in headers if h[0] not in _NOT_IN_304],
            parts=parts,
            etag=etag,
            last_modified=parsedate_to_datetime(modified) if modified else None,
            size=len(body) if tag.parts is None else 8 * len(parts),
        )
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while self._entries and (
                len(self._entries) > self._max_entries or self._bytes > self._max_bytes
            ):
                oldest = next(iter(self._entries))
                self._bytes -= self._entries.pop(oldest).size
        return True


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None
