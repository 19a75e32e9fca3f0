"""Everything /agenda and /api/me/agenda show: entries by day with state, conflicts, changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from meeting.accounts.models import User
from meeting.agenda.conflicts import Slot, find_conflicts
from meeting.agenda.models import AgendaEntry, Notice
from meeting.agenda.service import waitlist_position
from meeting.enums import AgendaState, ChangeKind, SessionStatus
from meeting.program.models import ChangeLogEntry, Meeting, ScheduleVersion, Session, SessionSpeaker


@dataclass
class AgendaItem:
    """One session in my agenda, with what I need to know about it."""

    session: Session
    state: AgendaState
    position: int | None
    conflicts: list[Session] = field(default_factory=list)
    changes: list[ChangeLogEntry] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.session.status == SessionStatus.CANCELLED

    @property
    def moved_from(self) -> tuple[datetime, datetime] | None:
        """The time it had when I added it, if it has moved since."""
        moves = [c for c in self.changes if c.kind == ChangeKind.MOVED]
        if not moves:
            return None
        before = moves[0].before
        return datetime.fromisoformat(before["start"]), datetime.fromisoformat(before["end"])

    @property
    def changed_fields(self) -> list[str]:
        return sorted({str(c.kind) for c in self.changes})


def load_agenda(db: DbSession, user: User, meeting: Meeting) -> list[AgendaItem]:
    """My agenda for one meeting in time order, conflicts and changes since added included."""
    entries = db.scalars(
        select(AgendaEntry)
        .join(Session, Session.id == AgendaEntry.session_id)
        .where(AgendaEntry.user_id == user.id, Session.meeting_id == meeting.id)
        .order_by(Session.start_at, Session.position)
        .options(
            selectinload(AgendaEntry.session).selectinload(Session.room),
            selectinload(AgendaEntry.session).selectinload(Session.tracks),
            selectinload(AgendaEntry.session)
            .selectinload(Session.speakers)
            .selectinload(SessionSpeaker.speaker),
        )
    ).all()
    positions = _waitlist_positions(db, [e for e in entries if e.state == AgendaState.WAITLISTED])
    changes = _changes_since_added(db, entries)
    items = [
        AgendaItem(e.session, e.state, positions.get(e.id), changes=changes.get(e.id, []))
        for e in entries
    ]
    by_code = {item.session.code: item.session for item in items}
    parent_codes = _parent_codes(db, [i.session for i in items])
    active = [i.session for i in items if not i.cancelled]
    overlaps = find_conflicts(
        [Slot(s.code, s.start_at, s.end_at, parent_codes.get(s.id)) for s in active]
    )
    for item in items:
        item.conflicts = [by_code[c] for c in overlaps.get(item.session.code, [])]
    return items


def unread_notices(db: DbSession, user: User) -> Sequence[Notice]:
    return db.scalars(
        select(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .order_by(Notice.id)
    ).all()


def agenda_json(item: AgendaItem) -> dict[str, Any]:
    moved = item.moved_from
    return {
        "code": item.session.code,
        "title": item.session.title,
        "start": item.session.start_at.isoformat(),
        "end": item.session.end_at.isoformat(),
        "state": str(item.state),
        "waitlist_position": item.position,
        "status": str(item.session.status),
        "conflicts_with": [s.code for s in item.conflicts],
        "changed_since_added": item.changed_fields,
        "moved_from": {"start": moved[0].isoformat(), "end": moved[1].isoformat()}
        if moved
        else None,
    }


def _waitlist_positions(db: DbSession, waitlisted: list[AgendaEntry]) -> dict[int, int]:
    positions = {}
    for entry in waitlisted:
        position = waitlist_position(db, entry)
        if position is not None:
            positions[entry.id] = position
    return positions


def _changes_since_added(
    db: DbSession, entries: Sequence[AgendaEntry]
) -> dict[int, list[ChangeLogEntry]]:
    if not entries:
        return {}
    rows = db.execute(
        select(ChangeLogEntry, ScheduleVersion.number)
        .join(ScheduleVersion, ScheduleVersion.id == ChangeLogEntry.version_id)
        .where(
            ChangeLogEntry.session_id.in_([e.session_id for e in entries]),
            ChangeLogEntry.kind != ChangeKind.CREATED,
        )
        .order_by(ChangeLogEntry.id)
    ).all()
    found: dict[int, list[ChangeLogEntry]] = {}
    for entry in entries:
        found[entry.id] = [
            change
            for change, number in rows
            if change.session_id == entry.session_id and number > entry.added_version
        ]
    return found


def _parent_codes(db: DbSession, sessions: list[Session]) -> dict[int, str]:
    parent_ids = {s.parent_id for s in sessions if s.parent_id}
    if not parent_ids:
        return {}
    codes = dict(
        db.execute(select(Session.id, Session.code).where(Session.id.in_(parent_ids))).all()
    )
    return {s.id: codes[s.parent_id] for s in sessions if s.parent_id}


def agenda_states(db: DbSession, user: User, meeting: Meeting) -> dict[str, AgendaState]:
    """Session code -> my entry's state, to mark program cards."""
    rows = db.execute(
        select(Session.code, AgendaEntry.state)
        .join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(AgendaEntry.user_id == user.id, Session.meeting_id == meeting.id)
    ).all()
    return {code: AgendaState(state) for code, state in rows}


def dismiss_notices(db: DbSession, user: User, now: datetime) -> None:
    for notice in unread_notices(db, user):
        notice.read_at = now
