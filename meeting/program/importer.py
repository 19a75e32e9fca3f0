"""Apply a validated ProgramDocument to the database in one transaction, by session code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.db.bulk import Row
from meeting.enums import SessionStatus
from meeting.errors import Problem
from meeting.program.catalog import Catalog, upsert_catalog
from meeting.program.changes import (
    Change,
    Snapshot,
    diff_session,
    log_session_changes,
    open_version,
)
from meeting.program.document import MeetingDoc, ParsedProgram, ProgramDocument, SessionDoc
from meeting.program.models import Meeting
from meeting.program.session_rows import (
    StoredSession,
    insert_sessions,
    load_sessions,
    replace_links,
    update_sessions,
)
from meeting.program.snapshots import (
    Names,
    Renames,
    names_of_doc,
    same_snapshot,
    snapshot_of_doc,
)

Progress = Callable[[int, int], None]
"""Called with (done, total) as sessions are applied."""


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    meeting: str
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    version: int | None = None
    warnings: list[Problem] = field(default_factory=list)


def import_program(
    db: DbSession,
    parsed: ParsedProgram,
    *,
    source: str,
    now: datetime,
    progress: Progress | None = None,
) -> ImportSummary:
    """Create or update the meeting so it matches the document; cancel what it no longer has.

    The caller owns the transaction: commit applies everything, rollback (a dry run) nothing.
    Sessions whose snapshot is unchanged are not written at all (a moved position aside).
    """
    doc = parsed.document
    meeting, meeting_changed = _upsert_meeting(db, doc.meeting)
    summary = ImportSummary(meeting=meeting.slug, warnings=list(parsed.warnings))
    catalog = upsert_catalog(db, meeting.id, doc)
    stored = load_sessions(db, meeting.id)
    plan = _plan(doc, stored, catalog, summary, progress)
    _cancel_missing(doc, stored, catalog, now, summary, plan)

    ids = _write_sessions(db, meeting.id, plan, stored, catalog, now)
    if plan.changes or meeting_changed:
        # A new title or time zone changes every export and calendar: a version of its own,
        # so everything kept per schedule version (caches, ETags) moves on with it.
        version = open_version(db, meeting, source=source, now=now)
        changes = ((ids[code], changes) for code, changes in plan.changes)
        log_session_changes(db, meeting.id, version.id, changes, now)
        summary.version = version.number
    db.flush()
    return summary


@dataclass
class _Plan:
    """What the import will write, decided before anything is written."""

    created: list[tuple[int, SessionDoc]] = field(default_factory=list)
    """(position, session) of sessions new to the meeting."""
    changed: list[tuple[int, SessionDoc, StoredSession]] = field(default_factory=list)
    moved: list[Row] = field(default_factory=list)
    """Unchanged sessions whose place in the file moved: only their position is written."""
    cancelled: list[Row] = field(default_factory=list)
    changes: list[tuple[str, list[Change]]] = field(default_factory=list)
    """Change-log rows by session code, in file order, then the cancelled sessions."""


def _plan(
    doc: ProgramDocument,
    stored: dict[str, StoredSession],
    catalog: Catalog,
    summary: ImportSummary,
    progress: Progress | None,
) -> _Plan:
    plan = _Plan()
    after = names_of_doc(doc)
    renames = Renames.between(catalog.before, after)
    total = len(doc.sessions)
    for position, item in enumerate(doc.sessions):
        old = stored.get(item.code)
        if old is None:
            changes = diff_session(None, snapshot_of_doc(item, after))
            plan.created.append((position, item))
            summary.created += 1
        else:
            changes = _changes(old.doc, item, catalog.before, after, renames)
            if changes:
                plan.changed.append((position, item, old))
                summary.updated += 1
            else:
                summary.unchanged += 1
                if old.position != position:
                    plan.moved.append({"id": old.id, "position": position})
        if changes:
            plan.changes.append((item.code, changes))
        if progress is not None:
            progress(position + 1, total)
    return plan


def _changes(
    old: SessionDoc, new: SessionDoc, before: Names, after: Names, renames: Renames
) -> list[Change]:
    # Most sessions of a re-import are unchanged: tell so without building snapshots.
    if same_snapshot(old, new, renames):
        return []
    return diff_session(snapshot_of_doc(old, before), snapshot_of_doc(new, after))


def _cancel_missing(
    doc: ProgramDocument,
    stored: dict[str, StoredSession],
    catalog: Catalog,
    now: datetime,
    summary: ImportSummary,
    plan: _Plan,
) -> None:
    """Sessions that left the file are cancelled, never deleted, and the import warns."""
    wanted = {s.code for s in doc.sessions}
    after = names_of_doc(doc)
    # The cancelled state is shown with today's names (the file's, where it has them).
    current = Names(
        rooms={**catalog.before.rooms, **after.rooms},
        tracks={**catalog.before.tracks, **after.tracks},
        speakers={**catalog.before.speakers, **after.speakers},
    )
    for code, session in stored.items():
        if code in wanted or session.doc.status == SessionStatus.CANCELLED:
            continue
        old = snapshot_of_doc(session.doc, catalog.before)
        new = snapshot_of_doc(replace(session.doc, status=SessionStatus.CANCELLED), current)
        plan.cancelled.append(
            {
                "id": session.id,
                "status": SessionStatus.CANCELLED,
                "cancelled_at": now,
                "revision": session.revision + 1,
            }
        )
        plan.changes.append((code, diff_session(old, new)))
        summary.cancelled += 1
        summary.warnings.append(
            Problem("not in the file: cancelled (kept, not deleted)", session=code)
        )


def _write_sessions(
    db: DbSession,
    meeting_id: int,
    plan: _Plan,
    stored: dict[str, StoredSession],
    catalog: Catalog,
    now: datetime,
) -> dict[str, int]:
    """Insert, update and link in a few statements; returns every session's id by code."""
    ids = {code: s.id for code, s in stored.items()}
    new_rows = [
        {
            "meeting_id": meeting_id,
            "code": item.code,
            "revision": 0,
            **_content(item, position, catalog, ids),
            "cancelled_at": now if item.status == SessionStatus.CANCELLED else None,
        }
        for position, item in plan.created
    ]
    if new_rows:
        ids = insert_sessions(db, meeting_id, new_rows)
    # A new session's parent may be new too: its id is only known now.
    orphans = [
        {"id": ids[item.code], "parent_id": ids[item.parent]}
        for _p, item in plan.created
        if item.parent is not None and item.parent not in stored
    ]
    updates = [
        {
            "id": old.id,
            "revision": old.revision + 1,
            **_content(item, position, catalog, ids),
            "cancelled_at": _cancelled_at(item, old, now),
        }
        for position, item, old in plan.changed
    ]
    update_sessions(db, [*updates, *plan.moved, *plan.cancelled, *orphans])

    # A changed session keeps its track and speaker rows when they would come out the same
    # (most edits retitle, move or re-describe): deleting and inserting them again would
    # cost a foreign-key check and index updates per row.
    relinked = [(old.id, item) for _p, item, old in plan.changed if _links_differ(old.doc, item)]
    linked = [(ids[item.code], item) for _p, item in plan.created] + relinked
    replace_links(
        db,
        (session_id for session_id, _item in relinked),
        tracks=[
            {"session_id": sid, "track_id": catalog.track_ids[slug]}
            for sid, item in linked
            for slug in item.tracks
        ],
        speakers=[
            {
                "session_id": sid,
                "speaker_id": catalog.speaker_ids[ref.speaker],
                "role": ref.role,
                "position": position,
            }
            for sid, item in linked
            for position, ref in enumerate(item.speakers)
        ],
    )
    return ids


def _links_differ(old: SessionDoc, new: SessionDoc) -> bool:
    """Whether the session's link rows change: tracks as a set (their rows have no order),
    speakers with their roles and order."""
    return set(old.tracks) != set(new.tracks) or old.speakers != new.speakers


def _content(item: SessionDoc, position: int, catalog: Catalog, ids: dict[str, int]) -> Row:
    """The columns a file decides, for an insert or an update."""
    return {
        "title": item.title,
        "kind": item.kind,
        "start_at": item.start,
        "end_at": item.end,
        "room_id": catalog.room_ids[item.room] if item.room else None,
        "audience": item.audience,
        "capacity": item.capacity,
        "status": item.status,
        "parent_id": ids.get(item.parent) if item.parent else None,
        "description": item.description,
        "stream_url": item.stream_url,
        "recording_url": item.recording_url,
        "position": position,
    }


def _cancelled_at(item: SessionDoc, old: StoredSession, now: datetime) -> datetime | None:
    if item.status == SessionStatus.SCHEDULED:
        return None
    return old.cancelled_at if old.doc.status == SessionStatus.CANCELLED else now


def _upsert_meeting(db: DbSession, doc: MeetingDoc) -> tuple[Meeting, bool]:
    """The meeting, and whether an existing one's own fields changed."""
    # An ORM object, unlike everything else here: the schedule version is bumped through
    # it so that whoever watches Meeting.schedule_version hears of the new version.
    meeting = db.scalar(select(Meeting).where(Meeting.slug == doc.slug))
    existed = meeting is not None
    if meeting is None:
        meeting = Meeting(slug=doc.slug, schedule_version=0)
        db.add(meeting)
    changed = False
    for name in (
        "title",
        "short_title",
        "timezone",
        "start_date",
        "end_date",
        "virtual",
        "venue",
        "url",
        "description",
    ):
        value = getattr(doc, name)
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed = existed
    db.flush()
    return meeting, changed


__all__ = ["ImportSummary", "Progress", "Snapshot", "import_program"]
