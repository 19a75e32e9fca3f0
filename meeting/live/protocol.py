"""The live-room wire protocol: client frames parsed into typed values, error and close codes.

Client -> server frames are JSON objects with a `type`; see README "Live rooms" for the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_FRAME_BYTES = 4096
MAX_CHAT = 1000
MAX_QUESTION = 500
MAX_POLL_QUESTION = 300
MAX_OPTION = 100
EMOJI = ("👏", "❤️", "😂", "😮", "🤔", "👍")

# Close codes (RFC 6455 private range 4000-4999 for ours).
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_MANY_ERRORS = 4400
CLOSE_TOO_SLOW = 4408
CLOSE_FLOODING = 4429
MAX_PROTOCOL_ERRORS = 10
MAX_RATE_LIMITED = 20

MODERATOR_TYPES = frozenset(
    {
        "pin",
        "answer",
        "dismiss",
        "remove",
        "mute",
        "unmute",
        "poll_open",
        "poll_close",
        "rotation_start",
        "mingle_start",
        "mingle_shuffle",
        "activity_stop",
    }
)


class ProtocolError(Exception):
    """A frame that cannot be acted on; answered with an error frame, the socket stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClientFrame:
    """A validated client frame: its type and its fields (already checked and typed)."""

    type: str
    fields: dict[str, Any]

    @property
    def moderator_only(self) -> bool:
        return self.type in MODERATOR_TYPES


def error_frame(code: str, message: str) -> str:
    return json.dumps({"type": "error", "code": code, "message": message})


def parse_client_frame(text: str) -> ClientFrame:
    """Check size, JSON, type and fields; ProtocolError says exactly what is wrong."""
    if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
        raise ProtocolError("too_big", f"frames are limited to {MAX_FRAME_BYTES} bytes of text")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProtocolError("bad_json", f"not JSON: {error.msg} at column {error.colno}") from error
    if not isinstance(data, dict):
        raise ProtocolError("not_object", "a frame must be a JSON object with a type")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        known = ", ".join(sorted(_FIELDS))
        raise ProtocolError("unknown_type", f"unknown frame type {kind!r} (known: {known})")
    fields = {name: check(data, name) for name, check in _FIELDS[kind].items()}
    return ClientFrame(kind, fields)


def _text(limit: int) -> Any:
    def check(data: dict[str, Any], name: str) -> str:
        value = _required(data, name)
        if not isinstance(value, str) or not value.strip():
            raise ProtocolError("bad_field", f"{name} must be non-empty text")
        if len(value) > limit:
            raise ProtocolError("bad_field", f"{name} is longer than {limit} characters")
        return value.strip()

    return check


def _id(data: dict[str, Any], name: str) -> int:
    value = _required(data, name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError("bad_field", f"{name} must be a whole number")
    return value


def _between(low: int, high: int) -> Any:
    def check(data: dict[str, Any], name: str) -> int:
        value = _id(data, name)
        if not low <= value <= high:
            raise ProtocolError("bad_field", f"{name} must be from {low} to {high}")
        return value

    return check


def _code(data: dict[str, Any], name: str) -> str:
    value = _required(data, name)
    if not isinstance(value, str) or not 0 < len(value) <= 100:  # noqa: PLR2004
        raise ProtocolError("bad_field", f"{name} must be a session code")
    return value


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, True)
    if not isinstance(value, bool):
        raise ProtocolError("bad_field", f"{name} must be true or false")
    return value


def _emoji(data: dict[str, Any], name: str) -> str:
    value = _required(data, name)
    if value not in EMOJI:
        raise ProtocolError("bad_field", f"{name} must be one of {' '.join(EMOJI)}")
    return str(value)


def _options(data: dict[str, Any], name: str) -> list[str]:
    value = _required(data, name)
    if not isinstance(value, list) or not 2 <= len(value) <= 6:  # noqa: PLR2004
        raise ProtocolError("bad_field", "options must be a list of 2 to 6 answers")
    if not all(isinstance(o, str) and o.strip() and len(o) <= MAX_OPTION for o in value):
        raise ProtocolError(
            "bad_field", f"each option must be text of 1 to {MAX_OPTION} characters"
        )
    return [o.strip() for o in value]


def _required(data: dict[str, Any], name: str) -> Any:
    if name not in data:
        raise ProtocolError("missing_field", f"{data.get('type')} needs the field {name!r}")
    return data[name]


_FIELDS: dict[str, dict[str, Any]] = {
    "ping": {},
    "chat": {"text": _text(MAX_CHAT)},
    "ask": {"text": _text(MAX_QUESTION)},
    "upvote": {"question_id": _id},
    "unvote": {"question_id": _id},
    "vote": {"poll_id": _id, "option": _id},
    "react": {"emoji": _emoji},
    "pin": {"question_id": _id, "pinned": _flag},
    "answer": {"question_id": _id},
    "dismiss": {"question_id": _id},
    "remove": {"event_id": _id},
    "mute": {"user_id": _id},
    "unmute": {"user_id": _id},
    "poll_open": {"question": _text(MAX_POLL_QUESTION), "options": _options},
    "poll_close": {"poll_id": _id},
    "join_table": {"code": _code},
    "leave_table": {},
    "rotation_start": {"rounds": _between(1, 20), "minutes": _between(1, 60)},
    "mingle_start": {"minutes": _between(1, 60)},
    "mingle_shuffle": {},
    "activity_stop": {},
    "group_chat": {"text": _text(MAX_CHAT)},
}
