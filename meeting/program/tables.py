"""The program's tables as Core Table objects, for the bulk readers and writers.

Statements on mapped classes compile through the ORM and return or expect objects; the
importer's thousands of rows need neither, and read and write faster as plain rows.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from meeting.program.models import (
    ChangeLogEntry,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    VirtualRoom,
    session_track,
)

TRACK = cast(Table, Track.__table__)
ROOM = cast(Table, VirtualRoom.__table__)
SPEAKER = cast(Table, Speaker.__table__)
SESSION = cast(Table, Session.__table__)
SESSION_TRACK = session_track
SESSION_SPEAKER = cast(Table, SessionSpeaker.__table__)
CHANGE_LOG = cast(Table, ChangeLogEntry.__table__)
