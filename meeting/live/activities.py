"""Networking inside live rooms: round-table seats, speed-mentoring rounds, mingle breakouts.

Seats and rounds are stored and announced as numbered events like everything else, so
every process shows the same tables, pairs and countdowns. A round ends by the clock:
whichever process first sees the bell advances the activity under a row lock, and the
others just receive the new round.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.errors import NotFound, Refused
from meeting.live.events import NumberedEvent, append_event, lock_room
from meeting.live.models import RoomActivity, TableSeat
from meeting.live.rooms import Actor, Outcome, RoomInfo
from meeting.networking import (
    Mentee,
    Mentor,
    Occupancy,
    Pairing,
    RotationPlan,
    Round,
    form_groups,
    move,
    open_tables,
    plan_rotation,
    replan,
    snapshot,
)
from meeting.networking import leave as leave_table
from meeting.program.models import Session

ACTIVITY_FRAMES = frozenset(
    {
        "join_table",
        "leave_table",
        "rotation_start",
        "mingle_start",
        "mingle_shuffle",
        "activity_stop",
        "group_chat",
    }
)
DEFAULT_TABLE_SEATS = 10

Present = Mapping[int, str]
"""Who is in the room right now, across processes: user id -> name."""


@dataclass(frozen=True)
class _Ctx:
    db: DbSession
    room: RoomInfo
    actor: Actor
    now: datetime
    present: Present

    def append(
        self, type_: str, payload: dict[str, Any], audience: list[int] | None = None
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


def handle_activity_frame(
    db: DbSession,
    room: RoomInfo,
    actor: Actor,
    kind: str,
    fields: Mapping[str, Any],
    now: datetime,
    present: Present,
) -> Outcome:
    ctx = _Ctx(db, room, actor, now, present)
    handlers = {
        "join_table": lambda: _join_table(ctx, str(fields["code"])),
        "leave_table": lambda: _leave_table(ctx),
        "rotation_start": lambda: _rotation_start(
            ctx, int(fields["rounds"]), int(fields["minutes"])
        ),
        "mingle_start": lambda: _mingle_start(ctx, int(fields["minutes"])),
        "mingle_shuffle": lambda: _mingle_shuffle(ctx),
        "activity_stop": lambda: _activity_stop(ctx),
        "group_chat": lambda: _group_chat(ctx, str(fields["text"])),
    }
    outcome: Outcome = handlers[kind]()
    return outcome


# -- round tables ---------------------------------------------------------------------------


def _tables(db: DbSession, parent_id: int) -> list[Session]:
    return list(
        db.scalars(
            select(Session)
            .where(Session.parent_id == parent_id)
            .order_by(Session.start_at, Session.position)
        )
    )


def _occupancy(db: DbSession, parent_id: int) -> tuple[Occupancy, dict[str, Session]]:
    tables = {t.code: t for t in _tables(db, parent_id)}
    occupancy = open_tables({code: t.capacity or DEFAULT_TABLE_SEATS for code, t in tables.items()})
    by_id = {t.id: t.code for t in tables.values()}
    for seat in db.scalars(select(TableSeat).where(TableSeat.parent_session_id == parent_id)):
        code = by_id.get(seat.table_session_id)
        if code is not None:
            occupancy = move(occupancy, seat.user_id, code)
    return occupancy, tables


def table_counts(db: DbSession, parent_id: int) -> list[dict[str, Any]]:
    """Head counts per table, for the lobby (empty when the room has no tables)."""
    occupancy, tables = _occupancy(db, parent_id)
    return [
        {
            "code": c.table,
            "title": tables[c.table].title,
            "taken": c.taken,
            "seats": c.seats,
            "full": c.full,
        }
        for c in snapshot(occupancy)
    ]


def my_table(db: DbSession, parent_id: int, user_id: int) -> str | None:
    seat = db.get(TableSeat, (parent_id, user_id))
    if seat is None:
        return None
    return db.scalar(select(Session.code).where(Session.id == seat.table_session_id))


def _join_table(ctx: _Ctx, code: str) -> Outcome:
    lock_room(ctx.db, ctx.room.session_id)  # seat limits are checked and taken atomically
    occupancy, tables = _occupancy(ctx.db, ctx.room.session_id)
    if not tables:
        raise NotFound("this session has no tables")
    move(occupancy, ctx.actor.user_id, code)  # raises when full or unknown
    seat = ctx.db.get(TableSeat, (ctx.room.session_id, ctx.actor.user_id))
    if seat is None:
        ctx.db.add(
            TableSeat(
                parent_session_id=ctx.room.session_id,
                user_id=ctx.actor.user_id,
                table_session_id=tables[code].id,
                seated_at=ctx.now,
            )
        )
    else:
        seat.table_session_id, seat.seated_at = tables[code].id, ctx.now
    ctx.db.flush()
    return _announce_tables(ctx, moved={"user": ctx.actor.user_id, "to": code})


def _leave_table(ctx: _Ctx) -> Outcome:
    lock_room(ctx.db, ctx.room.session_id)
    occupancy, _tables = _occupancy(ctx.db, ctx.room.session_id)
    leave_table(occupancy, ctx.actor.user_id)
    ctx.db.execute(
        delete(TableSeat).where(
            TableSeat.parent_session_id == ctx.room.session_id,
            TableSeat.user_id == ctx.actor.user_id,
        )
    )
    return _announce_tables(ctx, moved={"user": ctx.actor.user_id, "to": None})


def _announce_tables(ctx: _Ctx, moved: dict[str, Any]) -> Outcome:
    counts = table_counts(ctx.db, ctx.room.session_id)
    return Outcome([ctx.append("occupancy", {"tables": counts, "moved": moved})])


# -- timed activities -----------------------------------------------------------------------


def _people(db: DbSession, ids: list[int]) -> list[User]:
    return list(db.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))) if ids else []


def _rotation_start(ctx: _Ctx, rounds: int, minutes: int) -> Outcome:
    people = [u for u in _people(ctx.db, list(ctx.present)) if u.id != ctx.actor.user_id]
    mentors = [
        Mentor(u.id, frozenset(u.interests or [])) for u in people if not u.career_stage.is_trainee
    ]
    mentees = [Mentee(u.id, tuple(u.interests or [])) for u in people if u.career_stage.is_trainee]
    if not mentors or not mentees:
        raise Refused("a rotation needs at least one mentor and one mentee in the room")
    plan = plan_rotation(mentors, mentees, rounds, _rng(ctx.room, 0))
    activity = _start(ctx, "rotation", rounds, minutes, _plan_json(plan))
    return Outcome([_breakout(ctx.db, ctx.room, activity, ctx.actor.user_id, ctx.now)])


def _mingle_start(ctx: _Ctx, minutes: int) -> Outcome:
    ids = sorted(ctx.present)
    if len(ids) < 2:  # noqa: PLR2004
        raise Refused("mingling needs at least two people in the room")
    groups = form_groups(ids, [], _rng(ctx.room, 0))
    activity = _start(ctx, "mingle", 0, minutes, {"history": [[list(g) for g in groups]]})
    return Outcome([_breakout(ctx.db, ctx.room, activity, ctx.actor.user_id, ctx.now)])


def _start(ctx: _Ctx, kind: str, rounds: int, minutes: int, plan: dict[str, Any]) -> RoomActivity:
    activity = ctx.db.get(RoomActivity, ctx.room.session_id, with_for_update=True)
    if activity is not None and activity.active:
        raise Refused("stop the running activity first")
    if activity is None:
        activity = RoomActivity(
            session_id=ctx.room.session_id, kind=kind, round_minutes=minutes, round_ends_at=ctx.now
        )
        ctx.db.add(activity)
    activity.kind, activity.round, activity.rounds = kind, 0, rounds
    activity.round_minutes, activity.plan, activity.active = minutes, plan, True
    activity.round_ends_at = ctx.now + timedelta(minutes=minutes)
    ctx.db.flush()
    return activity


def _mingle_shuffle(ctx: _Ctx) -> Outcome:
    events = advance_activity(
        ctx.db, ctx.room, ctx.present, ctx.now, force=True, by=ctx.actor.user_id
    )
    if not events:
        raise Refused("no mingle is running")
    return Outcome(events)


def _activity_stop(ctx: _Ctx) -> Outcome:
    activity = ctx.db.get(RoomActivity, ctx.room.session_id, with_for_update=True)
    if activity is None or not activity.active:
        raise Refused("nothing is running")
    activity.active = False
    return Outcome([ctx.append("activity_ended", {"activity": activity.kind})])


def advance_activity(
    db: DbSession,
    room: RoomInfo,
    present: Present,
    now: datetime,
    *,
    force: bool = False,
    by: int | None = None,
) -> list[NumberedEvent]:
    """Start the next round if the bell has rung (or `force`); [] when another process
    already did, or nothing runs. Absent people are re-paired around; late joiners join."""
    activity = db.get(RoomActivity, room.session_id, with_for_update=True)
    if activity is None or not activity.active:
        return []
    if not force and now < activity.round_ends_at:
        return []
    if force and activity.kind != "mingle":
        return []
    following = activity.round + 1
    if activity.kind == "rotation":
        if following >= activity.rounds:
            activity.active = False
            return [
                append_event(
                    db, room.session_id, "activity_ended", {"activity": "rotation"}, by, now
                )
            ]
        activity.plan = _plan_json(_replan(db, activity, present, following, room))
    else:
        history = [[list(g) for g in grouping] for grouping in activity.plan.get("history", [])]
        ids = sorted(present)
        groups = form_groups(ids, history, _rng(room, following)) if ids else ()
        activity.plan = {"history": [*history, [list(g) for g in groups]]}
    activity.round = following
    activity.round_ends_at = now + timedelta(minutes=activity.round_minutes)
    db.flush()
    return [_breakout(db, room, activity, by, now)]


def _replan(
    db: DbSession, activity: RoomActivity, present: Present, following: int, room: RoomInfo
) -> RotationPlan:
    plan = _plan_from_json(activity.plan)
    people = _people(db, list(present))
    known_mentors = {m.id for m in plan.mentors}
    mentors = [
        Mentor(u.id, frozenset(u.interests or []))
        for u in people
        if u.id in known_mentors
        or (u.id not in {m.id for m in plan.mentees} and not u.career_stage.is_trainee)
    ]
    mentees = [
        Mentee(u.id, tuple(u.interests or []))
        for u in people
        if u.id not in {m.id for m in mentors} and u.career_stage.is_trainee
    ]
    return replan(plan, following, mentors, mentees, _rng(room, following))


def current_groups(activity: RoomActivity) -> tuple[list[list[int]], list[int]]:
    """The groups of the round being played, and who waits (rotation only)."""
    if activity.kind == "rotation":
        played = activity.plan["rounds"][activity.round]
        return [list(pair) for pair in played["pairs"]], list(played["waiting"])
    return [list(g) for g in activity.plan["history"][activity.round]], []


def _breakout(
    db: DbSession, room: RoomInfo, activity: RoomActivity, by: int | None, now: datetime
) -> NumberedEvent:
    return append_event(db, room.session_id, "breakout", breakout_json(db, activity), by, now)


def breakout_json(db: DbSession, activity: RoomActivity) -> dict[str, Any]:
    groups, waiting = current_groups(activity)
    names = {
        u.id: u.name for u in _people(db, sorted({i for g in groups for i in g} | set(waiting)))
    }
    return {
        "activity": activity.kind,
        "round": activity.round + 1,
        "rounds": activity.rounds or None,
        "minutes": activity.round_minutes,
        "ends_at": activity.round_ends_at.isoformat(),
        "groups": [[{"id": i, "name": names.get(i, "")} for i in g] for g in groups],
        "waiting": [names.get(i, "") for i in waiting],
    }


def activity_snapshot(db: DbSession, session_id: int) -> dict[str, Any] | None:
    activity = db.get(RoomActivity, session_id)
    if activity is None or not activity.active:
        return None
    return breakout_json(db, activity)


def activity_deadline(db: DbSession, session_id: int) -> datetime | None:
    activity = db.get(RoomActivity, session_id)
    return activity.round_ends_at if activity is not None and activity.active else None


def _group_chat(ctx: _Ctx, text: str) -> Outcome:
    activity = ctx.db.get(RoomActivity, ctx.room.session_id)
    if activity is None or not activity.active:
        raise Refused("there is no breakout running")
    groups, _waiting = current_groups(activity)
    mine = next((g for g in groups if ctx.actor.user_id in g), None)
    if mine is None:
        raise Refused("you are not in a breakout group this round")
    user = {"id": ctx.actor.user_id, "name": ctx.actor.name}
    payload = {"round": activity.round + 1, "user": user, "text": text}
    return Outcome([ctx.append("group_chat", payload, audience=sorted(mine))])


def _rng(room: RoomInfo, round_index: int) -> random.Random:
    return random.Random(f"{room.session_id}:{round_index}")


def _plan_json(plan: RotationPlan) -> dict[str, Any]:
    return {
        "mentors": [[m.id, sorted(m.topics)] for m in plan.mentors],
        "mentees": [[m.id, list(m.preferences)] for m in plan.mentees],
        "rounds": [
            {
                "pairs": [[p.mentor, p.mentee] for p in r.pairings],
                "waiting": list(r.waiting),
                "idle": list(r.idle_mentors),
            }
            for r in plan.rounds
        ],
    }


def _plan_from_json(data: dict[str, Any]) -> RotationPlan:
    return RotationPlan(
        mentors=tuple(Mentor(i, frozenset(t)) for i, t in data["mentors"]),
        mentees=tuple(Mentee(i, tuple(p)) for i, p in data["mentees"]),
        rounds=tuple(
            Round(
                tuple(Pairing(m, e) for m, e in r["pairs"]), tuple(r["waiting"]), tuple(r["idle"])
            )
            for r in data["rounds"]
        ),
    )
