"""A session's comparable state, from a document or from a loaded row (same keys, same values).

Display names of the room, tracks and speakers are part of it: renaming a speaker changes
what calendars and pages show, so it must count as a change of every session they are in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC

from meeting.program.changes import Snapshot
from meeting.program.document import ProgramDocument, SessionDoc
from meeting.program.models import Session


@dataclass(frozen=True)
class Names:
    """What slugs and keys are called: rooms and tracks by slug, speakers by key."""

    rooms: Mapping[str, str] = field(default_factory=dict)
    tracks: Mapping[str, str] = field(default_factory=dict)
    speakers: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    """key -> (name, degrees, affiliation)"""


@dataclass(frozen=True)
class Renames:
    """The rooms, tracks and speakers whose shown name differs between two Names."""

    rooms: frozenset[str]
    tracks: frozenset[str]
    speakers: frozenset[str]

    @classmethod
    def between(cls, before: Names, after: Names) -> Renames:
        return cls(
            _changed_keys(before.rooms, after.rooms),
            _changed_keys(before.tracks, after.tracks),
            _changed_keys(before.speakers, after.speakers),
        )

    def touch(self, item: SessionDoc) -> bool:
        """Whether the session shows a renamed room, track or speaker."""
        return (
            item.room in self.rooms
            or not self.tracks.isdisjoint(item.tracks)
            or any(ref.speaker in self.speakers for ref in item.speakers)
        )


def same_snapshot(old: SessionDoc, new: SessionDoc, renames: Renames) -> bool:
    """A shortcut for snapshot_of_doc(old, before) == snapshot_of_doc(new, after): the
    snapshot is made of the session's fields and the names it shows, nothing else.

    False only means "compare the snapshots" (tracks listed in another order, say).
    """
    return old == new and not renames.touch(new)


def _changed_keys(before: Mapping[str, object], after: Mapping[str, object]) -> frozenset[str]:
    return frozenset(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def names_of_doc(doc: ProgramDocument) -> Names:
    return Names(
        rooms={r.slug: r.name for r in doc.rooms},
        tracks={t.slug: t.name for t in doc.tracks},
        speakers={s.key: (s.name, s.degrees, s.affiliation) for s in doc.speakers},
    )


def snapshot_of_doc(item: SessionDoc, names: Names) -> Snapshot:
    return {
        "title": item.title,
        "kind": item.kind.value,
        "start": item.start.astimezone(UTC).isoformat(),
        "end": item.end.astimezone(UTC).isoformat(),
        "room": item.room,
        "room_name": names.rooms.get(item.room) if item.room else None,
        "tracks": sorted(item.tracks),
        "track_names": sorted(names.tracks.get(t, t) for t in item.tracks),
        "audience": item.audience.value,
        "capacity": item.capacity,
        "status": item.status.value,
        "parent": item.parent,
        "description": item.description,
        "stream_url": item.stream_url,
        "recording_url": item.recording_url,
        "speakers": [
            [ref.speaker, ref.role.value, *names.speakers.get(ref.speaker, ("", "", ""))]
            for ref in item.speakers
        ],
    }


def snapshot_of_session(
    session: Session, code_by_id: Mapping[int, str], names: Names | None = None
) -> Snapshot:
    """Needs room, tracks and speakers (with speaker) loaded; parents resolve via `code_by_id`.

    `names`, when given, overrides the loaded display names (the importer passes the names
    as they were before it renamed anything).
    """
    room = session.room.slug if session.room else None
    room_name = session.room.name if session.room else None
    if names is not None and room is not None:
        room_name = names.rooms.get(room, room_name)

    def speaker(key: str, name: str, degrees: str, affiliation: str) -> list[str]:
        if names is not None and key in names.speakers:
            return list(names.speakers[key])
        return [name, degrees, affiliation]

    def track_name(slug: str, name: str) -> str:
        return names.tracks.get(slug, name) if names is not None else name

    return {
        "title": session.title,
        "kind": str(session.kind),
        "start": session.start_at.astimezone(UTC).isoformat(),
        "end": session.end_at.astimezone(UTC).isoformat(),
        "room": room,
        "room_name": room_name,
        "tracks": sorted(t.slug for t in session.tracks),
        "track_names": sorted(track_name(t.slug, t.name) for t in session.tracks),
        "audience": str(session.audience),
        "capacity": session.capacity,
        "status": str(session.status),
        "parent": code_by_id.get(session.parent_id) if session.parent_id else None,
        "description": session.description,
        "stream_url": session.stream_url,
        "recording_url": session.recording_url,
        "speakers": [
            [
                row.speaker.key,
                str(row.role),
                *speaker(
                    row.speaker.key, row.speaker.name, row.speaker.degrees, row.speaker.affiliation
                ),
            ]
            for row in session.speakers
        ],
    }
