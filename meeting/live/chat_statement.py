"""A chat batch stored on PostgreSQL in one statement, outside any explicit transaction.

The batch's writer thread shares the interpreter with an event loop that is busy while a
room is: each time the thread waits on the database it must win the GIL back, which can
take the loop's whole switch interval (5 ms). Storing a batch as BEGIN, a mute check, the
counter's UPDATE, the INSERT and COMMIT is five such waits, and for all of them the room's
counter row stays locked, so another worker's batch for the same room waits as well. One
statement in autocommit is one wait, and PostgreSQL holds the row lock only while it runs.

The statement leaves out the posts of muted people and numbers the rest after the room's
counter; a concurrent writer's UPDATE waits for the lock and then sees the new count (READ
COMMITTED re-reads the row), so two batches never share an id. A room whose counter row does
not exist yet (its first event) inserts nothing: the caller then takes the general path,
which makes the row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from meeting.errors import MeetingError, Refused
from meeting.live.events import NewEvent, NumberedEvent, numbered_event

MUTED = "a moderator has muted you in this room"

_STORE_BATCH = """
WITH posted AS (
    SELECT p.ord, p.user_id, p.payload, p.created_at
    FROM unnest(
        %(ords)s::int[], %(users)s::int[], %(payloads)s::text[], %(ats)s::timestamptz[]
    ) AS p(ord, user_id, payload, created_at)
),
kept AS (
    SELECT posted.*, row_number() OVER (ORDER BY posted.ord) AS k
    FROM posted
    WHERE NOT EXISTS (
        SELECT 1 FROM mute WHERE mute.session_id = %(room)s AND mute.user_id = posted.user_id
    )
),
bump AS (
    UPDATE room_counter SET last_seq = last_seq + (SELECT count(*) FROM kept)
    WHERE session_id = %(room)s AND EXISTS (SELECT 1 FROM kept)
    RETURNING last_seq
)
INSERT INTO room_event (session_id, seq, type, payload, user_id, created_at, audience, hidden)
SELECT %(room)s, bump.last_seq - (SELECT count(*) FROM kept) + kept.k, %(type)s,
       kept.payload::json, kept.user_id, kept.created_at, NULL, false
FROM kept CROSS JOIN bump
RETURNING seq, user_id
"""


def store_chat_batch(
    conn: Connection, session_id: int, posts: Sequence[NewEvent]
) -> list[NumberedEvent | MeetingError] | None:
    """Store the chat `posts` of people not muted here (the others are refused), on a
    connection in autocommit; None when nothing was stored (no counter row yet, or everyone
    muted): the general path decides then."""
    if not posts:
        return []
    rows = conn.exec_driver_sql(
        _STORE_BATCH,
        {
            "room": session_id,
            "type": "chat",
            "ords": list(range(len(posts))),
            "users": [post.user_id for post in posts],
            "payloads": [json.dumps(post.payload, ensure_ascii=False) for post in posts],
            "ats": [post.at for post in posts],
        },
    ).all()
    if not rows:
        return None
    seqs = iter(sorted(seq for seq, _user in rows))
    kept = {user for _seq, user in rows}
    return [
        numbered_event(next(seqs), post) if post.user_id in kept else Refused(MUTED)
        for post in posts
    ]
