"""Personal notices over a socket: off the waitlist, moved, cancelled, starting soon."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.agenda.models import AgendaEntry, Notice
from meeting.enums import AgendaState, SessionStatus
from meeting.program.changes import Change
from meeting.program.models import Session

STARTING_SOON = timedelta(minutes=5)


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def notice_frame(kind: str, code: str, title: str, **details: Any) -> str:
    return json.dumps(
        {"type": "notice", "kind": kind, "code": code, "title": title, **details},
        ensure_ascii=False,
    )


def unread_notice_frames(db: DbSession, user_id: int) -> list[str]:
    rows = db.execute(
        select(Notice, Session.code, Session.title)
        .join(Session, Session.id == Notice.session_id)
        .where(Notice.user_id == user_id, Notice.read_at.is_(None))
        .order_by(Notice.id)
    ).all()
    return [notice_frame(str(n.kind), code, title) for n, code, title in rows]


def starting_soon(db: DbSession, user_id: int, now: datetime) -> list[tuple[int, str]]:
    """(session id, frame) for my confirmed sessions starting within five minutes."""
    rows = db.execute(
        select(Session.id, Session.code, Session.title, Session.start_at)
        .join(AgendaEntry, AgendaEntry.session_id == Session.id)
        .where(
            AgendaEntry.user_id == user_id,
            AgendaEntry.state == AgendaState.CONFIRMED,
            Session.status == SessionStatus.SCHEDULED,
            Session.start_at > now,
            Session.start_at <= now + STARTING_SOON,
        )
    ).all()
    return [
        (sid, notice_frame("starting", code, title, start=start.isoformat()))
        for sid, code, title, start in rows
    ]


def change_notices(db: DbSession, session: Session, changes: list[Change]) -> list[tuple[int, str]]:
    """(user id, frame) for everyone with the session in their agenda, per change."""
    holders = db.scalars(
        select(AgendaEntry.user_id).where(AgendaEntry.session_id == session.id)
    ).all()
    frames = [
        notice_frame(
            change.kind.value, session.code, session.title, before=change.before, after=change.after
        )
        for change in changes
        if change.kind.value in {"moved", "room-changed", "cancelled", "restored"}
    ]
    return [(user_id, frame) for user_id in holders for frame in frames]
