"""The `snapshot` frame: a room's shared part read once per change, then one per arrival.

Everything in a room's snapshot but the poll results changes only through numbered
events (chat, questions and votes on them, mutes, seats, breakouts), so a `RoomView` read
at event id N serves every arrival while N is still the latest: a join storm reads the
database once, not once per join. Poll ballots change without events; the hub keeps a
poll version for them. Only "my vote" is read per person (and only while a poll is open).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.live.activities import activity_snapshot, table_counts
from meeting.live.connection import Member
from meeting.live.events import event_frame, last_event_id
from meeting.live.models import Ballot, Mute, Question, RoomEvent, TableSeat, Upvote
from meeting.live.rooms import RoomInfo, open_poll, poll_json, question_json
from meeting.live.state import room_state
from meeting.program.models import Session

RECENT_CHAT = 50

Presence = tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class RoomView:
    """What every arrival's snapshot shares, as of event `last_event_id` (JSON pre-rendered)."""

    last_event_id: int
    chat_json: str
    questions: tuple[dict[str, Any], ...]
    questions_json: str
    """The questions with `upvoted: false`: right for everyone who upvoted none."""
    poll: dict[str, Any] | None
    tables_json: str
    activity_json: str
    muted: frozenset[int]
    upvoted: dict[int, frozenset[int]]
    """user id -> the questions of this room they upvoted."""
    seats: dict[int, str]
    """user id -> the code of the table they sit at."""
    poll_version: int = 0

    @property
    def open_poll_id(self) -> int | None:
        return int(self.poll["id"]) if self.poll is not None else None


def load_room_view(db: DbSession, session_id: int) -> RoomView:
    """Read the shared part of the room's snapshot (a handful of queries, once per change)."""
    last = last_event_id(db, session_id)
    chat_rows: Sequence[RoomEvent] = db.scalars(
        select(RoomEvent)
        .where(
            RoomEvent.session_id == session_id,
            RoomEvent.type == "chat",
            RoomEvent.hidden.is_(False),
            RoomEvent.seq <= last,
        )
        .order_by(RoomEvent.seq.desc())
        .limit(RECENT_CHAT)
    ).all()
    questions = tuple(
        question_json(q, name)
        for q, name in db.execute(
            select(Question, User.name)
            .join(User, User.id == Question.user_id)
            .where(Question.session_id == session_id, Question.dismissed.is_(False))
            .order_by(Question.votes.desc(), Question.created_at, Question.id)
        )
    )
    upvoted: dict[int, set[int]] = {}
    for user_id, question_id in db.execute(
        select(Upvote.user_id, Upvote.question_id)
        .join(Question, Question.id == Upvote.question_id)
        .where(Question.session_id == session_id)
    ):
        upvoted.setdefault(user_id, set()).add(question_id)
    poll = open_poll(db, session_id)
    seats = db.execute(
        select(TableSeat.user_id, Session.code)
        .join(Session, Session.id == TableSeat.table_session_id)
        .where(TableSeat.parent_session_id == session_id)
    )
    return RoomView(
        last_event_id=last,
        chat_json="[" + ",".join(event_frame(row) for row in reversed(chat_rows)) + "]",
        questions=questions,
        questions_json=_dumps([{**q, "upvoted": False} for q in questions]),
        poll=poll_json(db, poll) if poll is not None else None,
        tables_json=_dumps(table_counts(db, session_id) or None),
        activity_json=_dumps(activity_snapshot(db, session_id)),
        muted=frozenset(db.scalars(select(Mute.user_id).where(Mute.session_id == session_id))),
        upvoted={user_id: frozenset(ids) for user_id, ids in upvoted.items()},
        seats={user_id: code for user_id, code in seats},
    )


def read_my_vote(db: DbSession, poll_id: int, user_id: int) -> int | None:
    ballot = db.get(Ballot, (poll_id, user_id))
    return ballot.option if ballot is not None else None


def snapshot_frame(
    view: RoomView,
    room: RoomInfo,
    member: Member,
    now: datetime,
    presence: Presence,
    my_vote: int | None = None,
) -> str:
    """One arrival's `snapshot`: the view's JSON spliced with what is theirs."""
    count, names = presence
    head = {
        "type": "snapshot",
        "now": now.isoformat(),
        "last_event_id": view.last_event_id,
        "state": room_state(room.start, room.end, now).value,
        "session": {
            "code": room.code,
            "title": room.title,
            "start": room.start.isoformat(),
            "end": room.end.isoformat(),
        },
        "you": {
            "id": member.user_id,
            "name": member.name,
            "moderator": member.moderator,
            "muted": member.user_id in view.muted,
        },
        "poll": {**view.poll, "my_vote": my_vote} if view.poll is not None else None,
        "my_table": view.seats.get(member.user_id),
        "presence": {"count": max(count, 1), "people": list(names) or None},
    }
    mine = view.upvoted.get(member.user_id)
    questions = (
        _dumps([{**q, "upvoted": q["id"] in mine} for q in view.questions])
        if mine
        else view.questions_json
    )
    return (
        f'{_dumps(head)[:-1]},"chat":{view.chat_json},"questions":{questions},'
        f'"tables":{view.tables_json},"activity":{view.activity_json}}}'
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
