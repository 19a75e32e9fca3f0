"""A meeting's sessions as plain rows: read in three queries, written in bulk.

An import compares every session of a file with its stored state. Through ORM objects
(identity map, relationship collections, one flush per change) that cost more than the
rest of the import together; plain rows and executemany keep it to a few statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from meeting.db.bulk import Row, insert_rows, update_rows
from meeting.program.document import SessionDoc, SessionSpeakerDoc
from meeting.program.tables import ROOM, SESSION, SESSION_SPEAKER, SESSION_TRACK, SPEAKER, TRACK


@dataclass(frozen=True)
class StoredSession:
    """A session as stored: its content in document form, plus what only the row knows."""

    id: int
    doc: SessionDoc
    parent_id: int | None
    position: int
    revision: int
    cancelled_at: datetime | None


def load_sessions(db: DbSession, meeting_id: int) -> dict[str, StoredSession]:
    """Every session of the meeting by code, in id order, with room, tracks and speakers."""
    session = SESSION.c
    rows = db.execute(
        select(
            session.id,
            session.code,
            session.title,
            session.kind,
            session.start_at,
            session.end_at,
            ROOM.c.slug,
            session.audience,
            session.capacity,
            session.status,
            session.parent_id,
            session.description,
            session.stream_url,
            session.recording_url,
            session.position,
            session.revision,
            session.cancelled_at,
        )
        .select_from(SESSION.outerjoin(ROOM, ROOM.c.id == session.room_id))
        .where(session.meeting_id == meeting_id)
        .order_by(session.id)
    ).all()
    tracks = _track_slugs(db, meeting_id)
    speakers = _speaker_refs(db, meeting_id)
    code_by_id = {row[0]: row[1] for row in rows}
    stored = {}
    for (  # unpacked: reading a Row's fields by name costs a fifth of the load
        id_,
        code,
        title,
        kind,
        start,
        end,
        room,
        audience,
        capacity,
        status,
        parent_id,
        description,
        stream_url,
        recording_url,
        position,
        revision,
        cancelled_at,
    ) in rows:
        doc = SessionDoc(
            code=code,
            title=title,
            kind=kind,
            start=start,
            end=end,
            room=room,
            tracks=tuple(tracks[id_]),
            audience=audience,
            capacity=capacity,
            status=status,
            parent=code_by_id.get(parent_id) if parent_id else None,
            description=description,
            stream_url=stream_url,
            recording_url=recording_url,
            speakers=tuple(speakers[id_]),
        )
        stored[code] = StoredSession(id_, doc, parent_id, position, revision, cancelled_at)
    return stored


def _track_slugs(db: DbSession, meeting_id: int) -> dict[int, list[str]]:
    link, track = SESSION_TRACK.c, TRACK.c
    rows = db.execute(
        select(link.session_id, track.slug)
        .join(TRACK, track.id == link.track_id)
        .where(track.meeting_id == meeting_id)
        .order_by(link.session_id, track.position, track.id)
    ).all()
    slugs: dict[int, list[str]] = defaultdict(list)
    for session_id, slug in rows:
        slugs[session_id].append(slug)
    return slugs


def _speaker_refs(db: DbSession, meeting_id: int) -> dict[int, list[SessionSpeakerDoc]]:
    link, speaker = SESSION_SPEAKER.c, SPEAKER.c
    rows = db.execute(
        select(link.session_id, speaker.key, link.role)
        .join(SPEAKER, speaker.id == link.speaker_id)
        .where(speaker.meeting_id == meeting_id)
        .order_by(link.session_id, link.position)
    ).all()
    refs: dict[int, list[SessionSpeakerDoc]] = defaultdict(list)
    for session_id, key, role in rows:
        refs[session_id].append(SessionSpeakerDoc(key, role))
    return refs


def insert_sessions(db: DbSession, meeting_id: int, rows: list[Row]) -> dict[str, int]:
    """Insert in one executemany; returns the meeting's session ids by code."""
    insert_rows(db, SESSION, rows)
    # Read back, not RETURNING: that inserts row by row on SQLite (to keep parameter order)
    # and makes one huge statement on PostgreSQL that psycopg is slow to prepare.
    query = select(SESSION.c.code, SESSION.c.id).where(SESSION.c.meeting_id == meeting_id)
    return {code: id_ for code, id_ in db.execute(query).all()}


def update_sessions(db: DbSession, rows: list[Row]) -> None:
    """Update by primary key (each row has "id"); rows with the same keys share a statement."""
    update_rows(db, SESSION, rows)


def replace_links(
    db: DbSession,
    session_ids: Iterable[int],
    tracks: list[Row],
    speakers: list[Row],
) -> None:
    """Drop the track and speaker links of `session_ids`, then insert the given ones."""
    ids = list(session_ids)
    if ids:
        db.execute(delete(SESSION_TRACK).where(SESSION_TRACK.c.session_id.in_(ids)))
        db.execute(delete(SESSION_SPEAKER).where(SESSION_SPEAKER.c.session_id.in_(ids)))
    insert_rows(db, SESSION_TRACK, tracks)
    insert_rows(db, SESSION_SPEAKER, speakers)
