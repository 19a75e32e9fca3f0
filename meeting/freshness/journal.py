"""Writers note what they changed; at commit, this process's caches hear it at once.

Two kinds of change matter to cached responses: a meeting's schedule version (every
program export, page and feed of that meeting) and one attendee's feed (their agenda,
feed settings or token). The first is seen from the `Meeting.schedule_version` attribute
itself, so no writer can forget it; the second is written to the `feed_change` journal by
`record_feed_change`, in the writer's transaction, so other processes read it too.
Nothing is announced for a transaction that rolls back.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import event, insert
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import object_session

from meeting.db.base import utcnow
from meeting.freshness.models import FeedChange
from meeting.program.models import Meeting

_PENDING = "meeting.freshness.pending"


class ChangeListener(Protocol):
    """Something that caches responses and must forget what a commit made stale."""

    def schedule_changed(self, meeting_id: int, version: int) -> None: ...

    def feeds_changed(self, user_ids: Iterable[int]) -> None: ...


_listeners: weakref.WeakSet[Any] = weakref.WeakSet()


def listen(listener: ChangeListener) -> None:
    """Tell `listener` about every change committed in this process from now on."""
    _listeners.add(listener)


def record_feed_change(db: DbSession, user_ids: Iterable[int]) -> None:
    """These attendees' feeds changed: journal it for other processes, announce it at commit."""
    users = sorted(set(user_ids))
    if not users:
        return
    now = utcnow()
    db.execute(insert(FeedChange), [{"user_id": u, "changed_at": now} for u in users])
    _pending(db)["users"].update(users)


def _pending(db: DbSession) -> dict[str, Any]:
    pending: dict[str, Any] = db.info.setdefault(_PENDING, {"users": set(), "meetings": {}})
    return pending


@event.listens_for(Meeting.schedule_version, "set")
def _schedule_version_set(target: Meeting, value: int, _old: Any, _initiator: Any) -> None:
    db = object_session(target)
    if db is not None and target.id is not None:
        _pending(db)["meetings"][target.id] = value


@event.listens_for(DbSession, "after_commit")
def _announce(db: DbSession) -> None:
    pending = db.info.pop(_PENDING, None)
    if not pending:
        return
    for listener in list(_listeners):
        for meeting_id, version in pending["meetings"].items():
            listener.schedule_changed(meeting_id, version)
        if pending["users"]:
            listener.feeds_changed(pending["users"])


@event.listens_for(DbSession, "after_rollback")
def _forget(db: DbSession) -> None:
    db.info.pop(_PENDING, None)
