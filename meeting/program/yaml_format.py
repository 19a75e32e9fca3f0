"""The YAML program format <-> ProgramDocument, with every problem located by line and path."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from meeting.config import SCHEDULES_DIR
from meeting.enums import Audience, SessionKind, SessionStatus, SpeakerRole
from meeting.errors import InvalidInput, Problem
from meeting.program.document import (
    MeetingDoc,
    ParsedProgram,
    ProgramDocument,
    RoomDoc,
    SessionDoc,
    SessionSpeakerDoc,
    SpeakerDoc,
    TrackDoc,
)
from meeting.program.schema_check import Check, compile_check
from meeting.program.validation import check_program
from meeting.program.yaml_loading import line_numbers, load_yaml

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

FORMAT_NAME = "meeting-program/1"
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"
SCHEMA_PATH = SCHEDULES_DIR / "program.schema.json"


def parse_program_yaml(text: str) -> ParsedProgram:
    """Parse and validate a program file; raise InvalidInput listing every problem."""
    data = load_yaml(text)
    errors = _schema_errors(data)
    problems = [_schema_problem(e, data) for e in errors]
    broken = _broken_sessions(errors)
    if broken is not None:
        # Sessions that passed the schema are still checked, so one run lists everything.
        document, kept = _to_document(data, skip=broken, problems=problems)
        if len(problems) == len(errors):
            problems += _reindexed(check_program(document), kept, _broken_codes(data, broken))
    if problems:
        lines = line_numbers(text)
        located = [_with_line(p, lines) for p in problems]
        raise InvalidInput(sorted(located, key=lambda p: (p.line or 0, p.location)))
    return ParsedProgram(document=document, format="yaml")


def _broken_sessions(errors: list[ValidationError]) -> set[int] | None:
    """Indices of sessions with schema errors, or None when anything else is broken."""
    broken = set()
    for error in errors:
        path = list(error.absolute_path)
        if len(path) < 2 or path[0] != "sessions" or not isinstance(path[1], int):  # noqa: PLR2004
            return None
        broken.add(path[1])
    return broken


def _broken_codes(data: dict[str, Any], broken: set[int]) -> set[str]:
    codes = (data["sessions"][i].get("code") for i in broken)
    return {c for c in codes if isinstance(c, str)}


def _reindexed(problems: list[Problem], kept: list[int], skipped_codes: set[str]) -> list[Problem]:
    """Map sessions[j] of the checked subset back to the file's index; drop references to
    sessions that were skipped (their own problems are already listed)."""
    result = []
    for p in problems:
        if p.message.startswith("unknown parent session") and any(
            repr(code) in p.message for code in skipped_codes
        ):
            continue
        location = p.location
        if location.startswith("sessions["):
            index, rest = location[len("sessions[") :].split("]", 1)
            location = f"sessions[{kept[int(index)]}]{rest}"
        result.append(Problem(p.message, location, p.line, p.session, p.field))
    return result


def render_program_yaml(doc: ProgramDocument) -> str:
    """Write the document in the canonical layout; parsing it back gives the same document."""
    zone = ZoneInfo(doc.meeting.timezone)
    data: dict[str, Any] = {"format": FORMAT_NAME, "meeting": _meeting_data(doc.meeting)}
    if doc.tracks:
        data["tracks"] = [_without_defaults(vars(t)) for t in doc.tracks]
    if doc.rooms:
        data["rooms"] = [_without_defaults(vars(r)) for r in doc.rooms]
    if doc.speakers:
        data["speakers"] = [_without_defaults(vars(s)) for s in doc.speakers]
    data["sessions"] = [_session_data(s, zone) for s in doc.sessions]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@cache
def program_schema() -> dict[str, Any]:
    """The program file's JSON Schema, its `$ref`s replaced by their targets."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    inlined: dict[str, Any] = _inline_refs(schema, schema.get("$defs", {}))
    return inlined


@cache
def _valid() -> Check | None:
    return compile_check(program_schema())


@cache
def _validator() -> Draft202012Validator:
    # Imported here: only files the compiled check refuses need jsonschema's messages.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(program_schema())


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local `#/$defs/…` references by their targets (the schema has no cycles):
    resolving thousands of references per file is most of jsonschema's time."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
            rest = {k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"}
            return {**target, **rest}
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def _schema_errors(data: Any) -> list[ValidationError]:
    valid = _valid()
    if valid is not None and valid(data):
        return []
    return list(_validator().iter_errors(data))


def _path_text(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_problem(error: ValidationError, data: Any) -> Problem:
    """Located by path; the line is added with every other problem's."""
    path = _path_text(error.absolute_path)
    session = _session_code_at(data, list(error.absolute_path))
    field = str(error.absolute_path[-1]) if error.absolute_path else None
    return Problem(_plain_message(error), path or "(top level)", session=session, field=field)


def _plain_message(error: ValidationError) -> str:
    if error.validator == "oneOf" and error.absolute_path and "sessions" in error.absolute_path:
        return "give either end or duration (not both, not neither)"
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    if error.validator == "pattern":
        return f"{error.instance!r} is not in the expected form ({_pattern_hint(error)})"
    return error.message


def _pattern_hint(error: ValidationError) -> str:
    pattern = str(error.validator_value)
    hints = {
        "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$": "YYYY-MM-DD HH:MM",
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "YYYY-MM-DD",
        "^[a-z0-9][a-z0-9-]{0,79}$": "lower-case letters, digits and -",
        "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$": "letters, digits, . _ -, at most 100",
        "^#[0-9A-Fa-f]{6}$": "#RRGGBB",
    }
    return hints.get(pattern, f"pattern {pattern}")


def _session_code_at(data: Any, path: list[Any]) -> str | None:
    if len(path) >= 2 and path[0] == "sessions" and isinstance(path[1], int):  # noqa: PLR2004
        try:
            code = data["sessions"][path[1]].get("code")
        except (AttributeError, IndexError, KeyError, TypeError):
            return None
        return code if isinstance(code, str) else None
    return None


def _with_line(problem: Problem, lines: dict[str, int]) -> Problem:
    path = problem.location
    while path and path not in lines:
        path = path.rsplit(".", 1)[0] if "." in path else path.rsplit("[", 1)[0]
        if "[" not in path and "." not in path and path not in lines:
            break
    line = lines.get(path)
    return Problem(
        problem.message, problem.location, line=line, session=problem.session, field=problem.field
    )


def _to_document(
    data: dict[str, Any], *, skip: set[int], problems: list[Problem]
) -> tuple[ProgramDocument, list[int]]:
    """The document from schema-valid data (sessions in `skip` left out), and the file
    indices of the sessions kept; time problems are appended to `problems`."""
    m = data["meeting"]
    kept: list[int] = []
    try:
        zone = ZoneInfo(m["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(f"unknown time zone {m['timezone']!r}", "meeting.timezone", field="timezone")
        )
        zone = ZoneInfo("UTC")
    meeting = MeetingDoc(
        slug=m["slug"],
        title=m["title"],
        timezone=m["timezone"],
        start_date=_parse_date(m["start_date"], "meeting.start_date", problems),
        end_date=_parse_date(m["end_date"], "meeting.end_date", problems),
        virtual=m.get("virtual", True),
        short_title=m.get("short_title", ""),
        venue=m.get("venue", ""),
        url=m.get("url", ""),
        description=m.get("description", ""),
    )
    sessions = []
    for i, s in enumerate(data["sessions"]):
        if i in skip:
            continue
        kept.append(i)
        at = f"sessions[{i}]"
        start = _local_to_utc(s["start"], zone, f"{at}.start", s["code"], problems)
        if "end" in s:
            end = _local_to_utc(s["end"], zone, f"{at}.end", s["code"], problems)
        else:
            end = start + timedelta(minutes=s["duration"])
        sessions.append(
            SessionDoc(
                code=s["code"],
                title=s["title"],
                kind=SessionKind(s["kind"]),
                start=start,
                end=end,
                room=s.get("room"),
                tracks=tuple(s.get("tracks", ())),
                audience=Audience(s.get("audience", Audience.EVERYONE)),
                capacity=s.get("capacity"),
                status=SessionStatus(s.get("status", SessionStatus.SCHEDULED)),
                parent=s.get("parent"),
                description=s.get("description", ""),
                stream_url=s.get("stream_url", ""),
                recording_url=s.get("recording_url", ""),
                speakers=tuple(
                    SessionSpeakerDoc(sp["speaker"], SpeakerRole(sp.get("role", "speaker")))
                    for sp in s.get("speakers", ())
                ),
            )
        )
    document = ProgramDocument(
        meeting=meeting,
        tracks=tuple(TrackDoc(**t) for t in data.get("tracks", ())),
        rooms=tuple(RoomDoc(**r) for r in data.get("rooms", ())),
        speakers=tuple(SpeakerDoc(**s) for s in data.get("speakers", ())),
        sessions=tuple(sessions),
    )
    return document, kept


def _parse_date(text: str, where: str, problems: list[Problem]) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(f"{text!r} is not a real date", where))
        return date(1970, 1, 1)


def _local_to_utc(
    text: str, zone: ZoneInfo, where: str, code: str, problems: list[Problem]
) -> datetime:
    """Local wall time -> UTC; a time in the spring-forward gap is refused."""
    try:
        naive = _naive_local(text)
    except ValueError:
        problems.append(Problem(f"{text!r} is not a real date and time", where, session=code))
        return datetime(1970, 1, 1, tzinfo=UTC)
    local = naive.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        problems.append(
            Problem(
                f"{text} does not exist in {zone.key} (clocks skip that hour)", where, session=code
            )
        )
    return instant


_LOCAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")


def _naive_local(text: str) -> datetime:
    """strptime(LOCAL_TIME_FORMAT), five times faster for the canonical form."""
    if _LOCAL_TIME.fullmatch(text):
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
        return datetime(year, month, day, int(text[11:13]), int(text[14:16]))  # noqa: DTZ001
    return datetime.strptime(text, LOCAL_TIME_FORMAT)  # noqa: DTZ007 - zone added by caller


def format_local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime(LOCAL_TIME_FORMAT)


def _meeting_data(m: MeetingDoc) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": m.slug,
        "title": m.title,
        "timezone": m.timezone,
        "start_date": m.start_date.isoformat(),
        "end_date": m.end_date.isoformat(),
        "virtual": m.virtual,
    }
    for name in ("short_title", "venue", "url", "description"):
        if getattr(m, name):
            data[name] = getattr(m, name)
    return data


def _session_data(s: SessionDoc, zone: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": s.code,
        "title": s.title,
        "kind": s.kind.value,
        "start": format_local(s.start, zone),
        "end": format_local(s.end, zone),
    }
    optional: dict[str, Any] = {
        "room": s.room,
        "tracks": list(s.tracks),
        "audience": s.audience.value if s.audience != Audience.EVERYONE else None,
        "capacity": s.capacity,
        "status": s.status.value if s.status != SessionStatus.SCHEDULED else None,
        "parent": s.parent,
        "description": s.description,
        "stream_url": s.stream_url,
        "recording_url": s.recording_url,
        "speakers": [{"speaker": sp.speaker, "role": sp.role.value} for sp in s.speakers],
    }
    data.update({k: v for k, v in optional.items() if v not in (None, "", [])})
    return data


def _without_defaults(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}
