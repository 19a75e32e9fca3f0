"""A session's comparable state, from a document or from a loaded row (same keys, same values)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC

from meeting.program.changes import Snapshot
from meeting.program.document import SessionDoc
from meeting.program.models import Session


def snapshot_of_doc(item: SessionDoc) -> Snapshot:
    return {
        "title": item.title,
        "kind": item.kind.value,
        "start": item.start.astimezone(UTC).isoformat(),
        "end": item.end.astimezone(UTC).isoformat(),
        "room": item.room,
        "tracks": sorted(item.tracks),
        "audience": item.audience.value,
        "capacity": item.capacity,
        "status": item.status.value,
        "parent": item.parent,
        "description": item.description,
        "stream_url": item.stream_url,
        "recording_url": item.recording_url,
        "speakers": [[ref.speaker, ref.role.value] for ref in item.speakers],
    }


def snapshot_of_session(session: Session, code_by_id: Mapping[int, str]) -> Snapshot:
    """Needs room, tracks and speakers (with speaker) loaded; parents resolve via `code_by_id`."""
    return {
        "title": session.title,
        "kind": str(session.kind),
        "start": session.start_at.astimezone(UTC).isoformat(),
        "end": session.end_at.astimezone(UTC).isoformat(),
        "room": session.room.slug if session.room else None,
        "tracks": sorted(t.slug for t in session.tracks),
        "audience": str(session.audience),
        "capacity": session.capacity,
        "status": str(session.status),
        "parent": code_by_id.get(session.parent_id) if session.parent_id else None,
        "description": session.description,
        "stream_url": session.stream_url,
        "recording_url": session.recording_url,
        "speakers": [[row.speaker.key, str(row.role)] for row in session.speakers],
    }
