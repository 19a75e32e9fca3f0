"""What changed between two states of a session (pure), and writing it to the change log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from meeting.db.bulk import insert_rows
from meeting.enums import ChangeKind, SessionStatus
from meeting.program.models import Meeting, ScheduleVersion
from meeting.program.tables import CHANGE_LOG

Snapshot = dict[str, Any]
"""A session's comparable state: plain JSON values (times as ISO UTC, room as slug, …)."""

_TIME_FIELDS = ("start", "end")
_STATUS_FIELD = "status"
_ROOM_FIELD = "room"


@dataclass(frozen=True)
class Change:
    """One change-log row to be: what kind, and the fields before and after."""

    kind: ChangeKind
    before: Snapshot
    after: Snapshot


def diff_session(old: Snapshot | None, new: Snapshot) -> list[Change]:
    """Changes from `old` to `new`; a new session (old is None) is one CREATED change.

    Moves, room changes and status changes get their own rows because attendees are told
    about them; everything else is folded into one DETAILS_CHANGED row.
    """
    if old is None:
        return [Change(ChangeKind.CREATED, {}, new)]
    changes: list[Change] = []
    if old.get(_STATUS_FIELD) != new.get(_STATUS_FIELD):
        kind = (
            ChangeKind.CANCELLED
            if new.get(_STATUS_FIELD) == SessionStatus.CANCELLED
            else ChangeKind.RESTORED
        )
        changes.append(Change(kind, _pick(old, [_STATUS_FIELD]), _pick(new, [_STATUS_FIELD])))
    if any(old.get(f) != new.get(f) for f in _TIME_FIELDS):
        changes.append(Change(ChangeKind.MOVED, _pick(old, _TIME_FIELDS), _pick(new, _TIME_FIELDS)))
    handled = {_STATUS_FIELD, _ROOM_FIELD, *_TIME_FIELDS}
    if old.get(_ROOM_FIELD) != new.get(_ROOM_FIELD):
        room = [_ROOM_FIELD, *(["room_name"] if "room_name" in new else [])]
        changes.append(Change(ChangeKind.ROOM_CHANGED, _pick(old, room), _pick(new, room)))
        handled.add("room_name")
    details = sorted(
        k for k in old.keys() | new.keys() if k not in handled and old.get(k) != new.get(k)
    )
    if details:
        changes.append(Change(ChangeKind.DETAILS_CHANGED, _pick(old, details), _pick(new, details)))
    return changes


def _pick(snapshot: Snapshot, names: Any) -> Snapshot:
    return {name: snapshot.get(name) for name in names}


def open_version(db: DbSession, meeting: Meeting, *, source: str, now: datetime) -> ScheduleVersion:
    """Bump the meeting's schedule version; the change-log rows of this edit hang off it."""
    meeting.schedule_version += 1
    version = ScheduleVersion(
        meeting_id=meeting.id, number=meeting.schedule_version, source=source, created_at=now
    )
    db.add(version)
    db.flush()
    return version


def log_changes(
    db: DbSession,
    version: ScheduleVersion,
    session_id: int,
    changes: list[Change],
    now: datetime,
) -> None:
    """Write one change-log row per change."""
    log_session_changes(db, version.meeting_id, version.id, [(session_id, changes)], now)


def log_session_changes(
    db: DbSession,
    meeting_id: int,
    version_id: int,
    changes: Iterable[tuple[int, list[Change]]],
    now: datetime,
) -> None:
    """Write one change-log row per change of each session, in order, in one executemany."""
    rows = [
        {
            "meeting_id": meeting_id,
            "version_id": version_id,
            "session_id": session_id,
            "kind": change.kind,
            "before": change.before,
            "after": change.after,
            "created_at": now,
        }
        for session_id, session_changes in changes
        for change in session_changes
    ]
    insert_rows(db, CHANGE_LOG, rows)
