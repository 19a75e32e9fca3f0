"""The tracks, rooms and speakers an import refers to: upserted by slug or key, in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session as DbSession

from meeting.db.bulk import insert_rows, update_rows
from meeting.program.document import ProgramDocument
from meeting.program.snapshots import Names
from meeting.program.tables import ROOM, SPEAKER, TRACK


@dataclass(frozen=True)
class Catalog:
    """Row ids by slug or key once the file's entries are stored, and the display names
    as they were before (change-log rows show what attendees saw until now)."""

    track_ids: dict[str, int]
    room_ids: dict[str, int]
    speaker_ids: dict[str, int]
    before: Names


def upsert_catalog(db: DbSession, meeting_id: int, doc: ProgramDocument) -> Catalog:
    """Insert new entries, update changed ones; entries the file no longer has stay."""
    tracks = _upsert(
        db,
        TRACK,
        meeting_id,
        ("slug", "name", "color", "description"),
        ((t.slug, t.name, t.color, t.description) for t in doc.tracks),
    )
    rooms = _upsert(
        db,
        ROOM,
        meeting_id,
        ("slug", "name", "stream_url"),
        ((r.slug, r.name, r.stream_url) for r in doc.rooms),
    )
    speakers = _upsert(
        db,
        SPEAKER,
        meeting_id,
        ("key", "name", "degrees", "affiliation", "bio"),
        ((s.key, s.name, s.degrees, s.affiliation, s.bio) for s in doc.speakers),
    )
    before = Names(
        rooms=rooms.stored_column("name"),
        tracks=tracks.stored_column("name"),
        speakers={
            key: (name, degrees, affiliation)
            for (key, name, degrees, affiliation, *_rest) in speakers.stored.values()
        },
    )
    return Catalog(tracks.ids, rooms.ids, speakers.ids, before)


@dataclass(frozen=True)
class _Upserted:
    ids: dict[str, int]
    columns: tuple[str, ...]
    stored: dict[str, tuple[Any, ...]]
    """The rows as they were before the upsert (values in `columns` order), by key."""

    def stored_column(self, name: str) -> dict[str, Any]:
        index = self.columns.index(name)
        return {key: values[index] for key, values in self.stored.items()}


def _upsert(
    db: DbSession,
    table: Table,
    meeting_id: int,
    columns: tuple[str, ...],
    entries: Iterable[tuple[Any, ...]],
) -> _Upserted:
    """Upsert `entries` (values in `columns` order, the key first) by key."""
    columns = (*columns, "position")
    # A key given twice keeps the last entry's values and position (as assigning did).
    wanted = {values[0]: (*values, i) for i, values in enumerate(entries)}
    query = select(table.c.id, *(table.c[c] for c in columns))
    stored_rows = db.execute(query.where(table.c.meeting_id == meeting_id)).all()
    stored = {row[1]: tuple(row[1:]) for row in stored_rows}
    ids = {row[1]: row[0] for row in stored_rows}
    new = [dict(zip(columns, v, strict=True)) for k, v in wanted.items() if k not in stored]
    changed = [
        {"id": ids[k], **dict(zip(columns, v, strict=True))}
        for k, v in wanted.items()
        if k in stored and stored[k] != v
    ]
    if new:
        # Ids are read back by key: RETURNING either inserts row by row (SQLite, to keep
        # parameter order) or sends one huge statement psycopg is slow to prepare.
        insert_rows(db, table, [{"meeting_id": meeting_id, **row} for row in new])
        query = select(table.c[columns[0]], table.c.id).where(table.c.meeting_id == meeting_id)
        ids = {k: id_ for k, id_ in db.execute(query).all()}
    update_rows(db, table, changed)
    return _Upserted(ids, columns, stored)
