"""A cold feed's reads, prepared once (db/prepared.py) and run on a bare Connection: no ORM
session, no objects, no statement building.

This is the path right after a change, when thousands of calendar clients re-fetch at
once; each read here is one indexed lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, String, bindparam, select, type_coerce

from meeting.agenda.models import AgendaEntry
from meeting.db.prepared import PreparedRead
from meeting.enums import SessionStatus
from meeting.program.models import Meeting, Session
from meeting.program.queries import pick_meeting


@dataclass(frozen=True)
class MeetingFacts:
    """What a feed says about its meeting (the columns of Meeting it reads)."""

    id: int
    slug: str
    title: str
    short_title: str
    timezone: str
    start_date: date
    end_date: date
    schedule_version: int


_MEETING = select(
    Meeting.id,
    Meeting.slug,
    Meeting.title,
    Meeting.short_title,
    Meeting.timezone,
    Meeting.start_date,
    Meeting.end_date,
    Meeting.schedule_version,
)
_MEETING_BY_SLUG = PreparedRead(_MEETING.where(Meeting.slug == bindparam("slug")))
_LATEST_MEETING = PreparedRead(_MEETING.order_by(Meeting.start_date.desc()).limit(1))

_AGENDAS_OF_USERS = PreparedRead(
    select(
        AgendaEntry.user_id,
        AgendaEntry.session_id,
        type_coerce(AgendaEntry.state, String),  # as stored: a StrEnum compares equal to it
    ).where(AgendaEntry.user_id.in_(bindparam("user_ids", expanding=True)))
)

AgendaRows = list[tuple[int, str]]
"""An attendee's agenda entries as (session id, state): the state is an AgendaState value."""


def agendas_of(connection: Connection, user_ids: Iterable[int]) -> dict[int, AgendaRows]:
    """Attendees' entries, in one read of three small columns by the (user_id, …) index.

    Everyone asked for is in the answer, with no entries if their agenda is empty.
    """
    agendas: dict[int, AgendaRows] = {user_id: [] for user_id in user_ids}
    if agendas:
        for user_id, session_id, state in _AGENDAS_OF_USERS.rows(
            connection, {"user_ids": list(agendas)}
        ):
            agendas[user_id].append((session_id, state))
    return agendas


_SESSIONS_OF_MEETING = select(
    Session.id,
    Session.code,
    Session.revision,
    Session.start_at,
    Session.end_at,
    Session.status,
    Session.cancelled_at,
    Session.position,
).where(Session.meeting_id == bindparam("meeting_id"))


@dataclass(frozen=True, slots=True)
class SessionTiming:
    """What a feed needs of a session besides its VEVENT: order, revision, cancellation."""

    session_id: int
    code: str
    revision: int
    start: datetime
    end: datetime
    status: SessionStatus
    cancelled_at: datetime | None
    position: int


class ScheduleTimings:
    """Each meeting's session timings at one schedule version, read once per version.

    Every change to a session bumps its meeting's schedule version, so a feed that read the
    version in its transaction can take the timings of that version from here instead of
    joining (and parsing the dates of) its sessions again.
    """

    def __init__(self) -> None:
        self._by_meeting: dict[int, tuple[int, dict[int, SessionTiming]]] = {}
        self._lock = threading.Lock()

    def of(self, connection: Connection, meeting: MeetingFacts) -> dict[int, SessionTiming]:
        known = self._by_meeting.get(meeting.id)
        if known is not None and known[0] == meeting.schedule_version:
            return known[1]
        rows = connection.execute(_SESSIONS_OF_MEETING, {"meeting_id": meeting.id}).all()
        timings = {row[0]: SessionTiming(*row) for row in rows}
        with self._lock:
            known = self._by_meeting.get(meeting.id)
            if known is None or known[0] <= meeting.schedule_version:
                self._by_meeting[meeting.id] = (meeting.schedule_version, timings)
        return timings


def feed_meeting(connection: Connection, slug: str | None, default_slug: str = "") -> MeetingFacts:
    """The meeting a feed URL names (as queries.get_meeting picks it), as plain facts."""

    def facts(row: tuple[Any, ...] | None) -> MeetingFacts | None:
        return None if row is None else MeetingFacts(*row)

    return pick_meeting(
        slug,
        default_slug,
        lambda wanted: facts(_MEETING_BY_SLUG.first(connection, {"slug": wanted})),
        lambda: facts(_LATEST_MEETING.first(connection, {})),
    )
