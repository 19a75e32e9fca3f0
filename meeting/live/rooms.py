"""What each client frame does to a room: checked, stored, then returned as events to publish.

Runs in a worker thread with its own transaction; nothing here touches a socket. Every
event is numbered from the room's counter under a row lock, so ids rise without gaps even
when several processes write to one room.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.errors import NotFound, Refused
from meeting.live.events import NumberedEvent, append_event
from meeting.live.models import Ballot, Mute, Poll, Question, RoomEvent, Upvote
from meeting.live.protocol import ClientFrame
from meeting.live.state import accepts_posts, room_state

RECENT_CHAT = 50


class ModeratorsOnly(Refused):
    code = "forbidden"


class RoomClosed(Refused):
    code = "room_closed"


@dataclass(frozen=True)
class RoomInfo:
    """The session a room belongs to, as the hub keeps it (no ORM object across threads)."""

    session_id: int
    code: str
    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Actor:
    user_id: int
    name: str
    moderator: bool


@dataclass
class Outcome:
    """Numbered events to publish and whether poll results changed."""

    events: list[NumberedEvent] = field(default_factory=list)
    poll_changed: bool = False


def handle_frame(
    db: DbSession, room: RoomInfo, actor: Actor, frame: ClientFrame, now: datetime
) -> Outcome:
    """Apply one client frame; Refused / NotFound explain what was not done."""
    check_frame_allowed(room, actor, frame, now)
    handler = _HANDLERS[frame.type]
    outcome: Outcome = handler(_Context(db, room, actor, now), **frame.fields)
    return outcome


def check_frame_allowed(room: RoomInfo, actor: Actor, frame: ClientFrame, now: datetime) -> None:
    """Moderators-only frames need a moderator; posts need an open room."""
    if frame.moderator_only and not actor.moderator:
        raise ModeratorsOnly("only moderators may do that")
    if not accepts_posts(room_state(room.start, room.end, now)) and frame.type != "ping":
        raise RoomClosed("the room is not open for posts (it opens 15 minutes before the start)")


@dataclass(frozen=True)
class _Context:
    db: DbSession
    room: RoomInfo
    actor: Actor
    now: datetime

    def append(
        self, type_: str, payload: dict[str, Any], *, audience: list[int] | None = None
    ) -> NumberedEvent:
        return append_event(
            self.db,
            self.room.session_id,
            type_,
            payload,
            self.actor.user_id,
            self.now,
            audience=audience,
        )

    def check_not_muted(self) -> None:
        muted = self.db.connection().execute(
            _MUTED, {"room": self.room.session_id, "user": self.actor.user_id}
        )
        if muted.first() is not None:
            raise Refused("a moderator has muted you in this room")

    def question(self, question_id: int) -> Question:
        question = self.db.get(Question, question_id)
        if question is None or question.session_id != self.room.session_id:
            raise NotFound(f"there is no question {question_id} in this room")
        return question


_MUTED = select(Mute.user_id).where(
    Mute.session_id == bindparam("room"), Mute.user_id == bindparam("user")
)


def _chat(ctx: _Context, text: str) -> Outcome:
    ctx.check_not_muted()
    user = {"id": ctx.actor.user_id, "name": ctx.actor.name}
    return Outcome([ctx.append("chat", {"user": user, "text": text})])


def _ask(ctx: _Context, text: str) -> Outcome:
    ctx.check_not_muted()
    question = Question(
        session_id=ctx.room.session_id, user_id=ctx.actor.user_id, text=text, created_at=ctx.now
    )
    ctx.db.add(question)
    ctx.db.flush()
    return Outcome([ctx.append("question", {"question": question_json(question, ctx.actor.name)})])


def _vote_on_question(ctx: _Context, question_id: int, *, up: bool) -> Outcome:
    question = ctx.question(question_id)
    existing = ctx.db.get(Upvote, (question_id, ctx.actor.user_id))
    if up and existing is not None:
        raise Refused("you have already upvoted this question")
    if not up and existing is None:
        raise Refused("you have not upvoted this question")
    if up:
        ctx.db.add(Upvote(question_id=question_id, user_id=ctx.actor.user_id))
    else:
        ctx.db.delete(existing)
    delta = 1 if up else -1
    ctx.db.execute(
        update(Question).where(Question.id == question_id).values(votes=Question.votes + delta)
    )
    ctx.db.refresh(question)
    return Outcome(
        [ctx.append("question_votes", {"question_id": question_id, "votes": question.votes})]
    )


def _upvote(ctx: _Context, question_id: int) -> Outcome:
    return _vote_on_question(ctx, question_id, up=True)


def _unvote(ctx: _Context, question_id: int) -> Outcome:
    return _vote_on_question(ctx, question_id, up=False)


def _moderate_question(ctx: _Context, question_id: int, **changes: bool) -> Outcome:
    question = ctx.question(question_id)
    for name, value in changes.items():
        setattr(question, name, value)
    ctx.db.flush()
    author = ctx.db.get(User, question.user_id)
    payload = {"question": question_json(question, author.name if author else "")}
    return Outcome([ctx.append("question_updated", payload)])


def _pin(ctx: _Context, question_id: int, pinned: bool) -> Outcome:
    return _moderate_question(ctx, question_id, pinned=pinned)


def _answer(ctx: _Context, question_id: int) -> Outcome:
    return _moderate_question(ctx, question_id, answered=True, pinned=False)


def _dismiss(ctx: _Context, question_id: int) -> Outcome:
    return _moderate_question(ctx, question_id, dismissed=True, pinned=False)


def _remove(ctx: _Context, event_id: int) -> Outcome:
    row = ctx.db.scalar(
        select(RoomEvent).where(
            RoomEvent.session_id == ctx.room.session_id, RoomEvent.seq == event_id
        )
    )
    if row is None or row.type != "chat":
        raise NotFound(f"there is no chat message {event_id} in this room")
    if row.hidden:
        return Outcome()
    row.hidden = True
    return Outcome([ctx.append("chat_removed", {"event_id": event_id})])


def _mute(ctx: _Context, user_id: int) -> Outcome:
    if ctx.db.get(User, user_id) is None:
        raise NotFound(f"there is no person {user_id}")
    if ctx.db.get(Mute, (ctx.room.session_id, user_id)) is None:
        ctx.db.add(Mute(session_id=ctx.room.session_id, user_id=user_id, created_at=ctx.now))
    return Outcome([ctx.append("muted", {"user_id": user_id})])


def _unmute(ctx: _Context, user_id: int) -> Outcome:
    mute = ctx.db.get(Mute, (ctx.room.session_id, user_id))
    if mute is not None:
        ctx.db.delete(mute)
    return Outcome([ctx.append("unmuted", {"user_id": user_id})])


def _poll_open(ctx: _Context, question: str, options: list[str]) -> Outcome:
    if open_poll(ctx.db, ctx.room.session_id) is not None:
        raise Refused("close the open poll before opening another")
    poll = Poll(
        session_id=ctx.room.session_id, question=question, options=options, created_at=ctx.now
    )
    ctx.db.add(poll)
    ctx.db.flush()
    return Outcome([ctx.append("poll_opened", {"poll": poll_json(ctx.db, poll)})])


def _poll_close(ctx: _Context, poll_id: int) -> Outcome:
    poll = ctx.db.get(Poll, poll_id)
    if poll is None or poll.session_id != ctx.room.session_id:
        raise NotFound(f"there is no poll {poll_id} in this room")
    if not poll.is_open:
        raise Refused("this poll is already closed")
    poll.is_open = False
    poll.closed_at = ctx.now
    ctx.db.flush()
    return Outcome([ctx.append("poll_closed", {"poll": poll_json(ctx.db, poll)})])


def _vote(ctx: _Context, poll_id: int, option: int) -> Outcome:
    poll = ctx.db.get(Poll, poll_id)
    if poll is None or poll.session_id != ctx.room.session_id:
        raise NotFound(f"there is no poll {poll_id} in this room")
    if not poll.is_open:
        raise Refused("this poll is closed")
    if option >= len(poll.options):
        raise Refused(f"option must be 0 to {len(poll.options) - 1}")
    ballot = ctx.db.get(Ballot, (poll_id, ctx.actor.user_id))
    if ballot is None:
        ctx.db.add(Ballot(poll_id=poll_id, user_id=ctx.actor.user_id, option=option))
    else:
        ballot.option = option  # a vote may change while the poll is open
    return Outcome(poll_changed=True)


def _ping(ctx: _Context) -> Outcome:
    return Outcome()


_HANDLERS: dict[str, Any] = {
    "ping": _ping,
    "chat": _chat,
    "ask": _ask,
    "upvote": _upvote,
    "unvote": _unvote,
    "vote": _vote,
    "pin": _pin,
    "answer": _answer,
    "dismiss": _dismiss,
    "remove": _remove,
    "mute": _mute,
    "unmute": _unmute,
    "poll_open": _poll_open,
    "poll_close": _poll_close,
}


def question_json(question: Question, author: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "votes": question.votes,
        "by": author,
        "pinned": question.pinned,
        "answered": question.answered,
        "dismissed": question.dismissed,
        "at": question.created_at.isoformat(),
    }


def poll_json(db: DbSession, poll: Poll) -> dict[str, Any]:
    counts = dict(
        db.execute(
            select(Ballot.option, func.count())
            .where(Ballot.poll_id == poll.id)
            .group_by(Ballot.option)
        ).all()
    )
    return {
        "id": poll.id,
        "question": poll.question,
        "options": poll.options,
        "open": poll.is_open,
        "results": [counts.get(i, 0) for i in range(len(poll.options))],
    }


def open_poll(db: DbSession, session_id: int) -> Poll | None:
    """The room's open poll (at most one), if any."""
    return db.scalar(
        select(Poll)
        .where(Poll.session_id == session_id, Poll.is_open.is_(True))
        .order_by(Poll.id.desc())
    )


def latest_poll_frame(db: DbSession, session_id: int) -> str | None:
    """Current results of the room's open poll, as an ephemeral frame (no id)."""
    poll = open_poll(db, session_id)
    if poll is None:
        return None
    return json.dumps({"type": "poll_results", "poll": poll_json(db, poll)}, ensure_ascii=False)
