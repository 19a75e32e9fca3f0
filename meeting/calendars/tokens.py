"""Secret feed tokens: one per attendee, stored as a SHA-256 hash, replaceable at will.

A token is HMAC-SHA256(secret_key, nonce) in URL-safe base64 (256 bits; the nonce is 256
random bits). The row keeps the nonce and the token's hash, never the token: the agenda
page can show the link again by deriving it, a leaked database alone cannot, and a feed
request is matched by hashing what it presents. Replacing the token draws a new nonce,
so the old URL stops matching anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session as DbSession

from meeting.calendars.models import DEFAULT_KEEP_CANCELLED_DAYS, CalendarPreference, FeedToken
from meeting.calendars.preferences import FeedSettings
from meeting.db.prepared import PreparedRead
from meeting.freshness.journal import record_feed_change

_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
_CONTEXT = b"meeting calendar feed token\x00"


@dataclass(frozen=True)
class FeedAccess:
    """What a valid token opens: whose feed, with which settings, and its last known bytes."""

    token_id: int
    user_id: int
    settings: FeedSettings
    feed_etag: str
    feed_changed_at: datetime | None


def derive_token(secret_key: str, nonce: str) -> str:
    digest = hmac.new(secret_key.encode(), _CONTEXT + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_feed_token(db: DbSession, user_id: int, secret_key: str, now: datetime) -> str:
    """A new token for the attendee, replacing (and so revoking) any earlier one."""
    nonce = secrets.token_hex(32)
    token = derive_token(secret_key, nonce)
    row = db.scalar(select(FeedToken).where(FeedToken.user_id == user_id))
    if row is None:
        row = FeedToken(user_id=user_id)
        db.add(row)
    row.nonce = nonce
    row.token_hash = hash_token(token)
    row.created_at = now
    row.feed_etag = ""
    row.feed_changed_at = None
    db.flush()
    record_feed_change(db, [user_id])  # the old link must stop answering everywhere
    return token


def current_feed_token(db: DbSession, user_id: int, secret_key: str) -> str | None:
    """The attendee's live token, or None if they have none (or the secret key changed)."""
    row = db.scalar(select(FeedToken).where(FeedToken.user_id == user_id))
    if row is None:
        return None
    token = derive_token(secret_key, row.nonce)
    return token if hmac.compare_digest(hash_token(token), row.token_hash) else None


_FIND_TOKENS = PreparedRead(
    select(
        FeedToken.token_hash,
        FeedToken.id,
        FeedToken.user_id,
        FeedToken.feed_etag,
        FeedToken.feed_changed_at,
        CalendarPreference.reminder_minutes,
        CalendarPreference.keep_cancelled_days,
    )
    .outerjoin(CalendarPreference, CalendarPreference.user_id == FeedToken.user_id)
    .where(FeedToken.token_hash.in_(bindparam("token_hashes", expanding=True)))
)


def find_feed_token(db: DbSession | Connection, token: str) -> FeedAccess | None:
    """The feed a presented token opens; malformed and unknown tokens alike give None."""
    connection = db if isinstance(db, Connection) else db.connection()
    return find_feed_tokens(connection, [token]).get(token)


def find_feed_tokens(connection: Connection, tokens: Iterable[str]) -> dict[str, FeedAccess]:
    """The feeds the presented tokens open, in one prebuilt query with each one's settings.

    Malformed and unknown tokens are simply absent from the answer.
    """
    by_hash = {hash_token(token): token for token in tokens if _TOKEN_PATTERN.fullmatch(token)}
    if not by_hash:
        return {}
    found = {}
    for row in _FIND_TOKENS.rows(connection, {"token_hashes": list(by_hash)}):
        token_hash, token_id, user_id, feed_etag, feed_changed_at, reminder, keep = row
        settings = FeedSettings(reminder, DEFAULT_KEEP_CANCELLED_DAYS if keep is None else keep)
        found[by_hash[token_hash]] = FeedAccess(
            token_id, user_id, settings, feed_etag, feed_changed_at
        )
    return found


def next_feed_modified(access: FeedAccess, now: datetime) -> datetime:
    """Last-Modified for new feed bytes: now, yet at least a second after the last version.

    HTTP dates have whole seconds, so a new version must not share the previous one's date,
    or an If-Modified-Since from the previous version would match it.
    """
    modified = now.replace(microsecond=0)
    if access.feed_changed_at is not None:
        modified = max(
            modified, access.feed_changed_at.replace(microsecond=0) + timedelta(seconds=1)
        )
    return modified


def note_feed_etag(db: DbSession, token_id: int, etag: str, modified: datetime) -> None:
    """Remember that the feed's bytes became `etag` at `modified` (its Last-Modified).

    Stored, not computed, because removing a session from an agenda leaves no row whose
    time could say so; storing it also keeps every worker answering the same. Only the first
    writer of a version wins, so the stored date is the earliest one served for it.
    """
    note_feed_etags(db, [(token_id, etag, modified)])


_TOKENS = cast(Table, FeedToken.__table__)
_NOTE_ETAG = (
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"), _TOKENS.c.feed_etag != bindparam("etag"))
    .values(feed_etag=bindparam("etag"), feed_changed_at=bindparam("modified"))
)


def note_feed_etags(db: DbSession, notes: Iterable[tuple[int, str, datetime]]) -> None:
    """`note_feed_etag` for many feeds in one executemany (the write-behind batch)."""
    rows = [{"token_id": t, "etag": e, "modified": m} for t, e, m in notes]
    if rows:
        db.connection().execute(_NOTE_ETAG, rows)
