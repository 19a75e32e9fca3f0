"""A room's state by the clock: the lobby opens 15 minutes before the start."""

from __future__ import annotations

from datetime import datetime, timedelta

from meeting.enums import RoomState

LOBBY_OPENS = timedelta(minutes=15)


def room_state(start: datetime, end: datetime, now: datetime) -> RoomState:
    if now >= end:
        return RoomState.ENDED
    if now >= start:
        return RoomState.LIVE
    if now >= start - LOBBY_OPENS:
        return RoomState.LOBBY
    return RoomState.UPCOMING


def accepts_posts(state: RoomState) -> bool:
    """Chat, questions and votes are taken while the lobby is open and during the session."""
    return state in {RoomState.LOBBY, RoomState.LIVE}
