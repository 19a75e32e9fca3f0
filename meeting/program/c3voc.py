"""c3voc `schedule.json` (v1, as frab and pretalx publish it) <-> ProgramDocument.

JSON carries no source lines past the syntax check, so problems are located by their path
in the document (`schedule.conference.days[0].rooms['Curie'][3]`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from meeting import __version__
from meeting.errors import InvalidInput, Problem
from meeting.program.document import ParsedProgram, ProgramDocument
from meeting.program.frab_assembly import (
    RawConference,
    RawEvent,
    RawPerson,
    RawTrack,
    assemble_program,
)
from meeting.program.frab_layout import (
    TIMESLOT,
    FrabDay,
    FrabEvent,
    FrabSchedule,
    layout_schedule,
)

FORMAT = "frab-json"
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# the schema's own (unanchored-alternative) pattern; zones it rejects are left out
_TIME_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_CONFERENCE = "schedule.conference"


def parse_c3voc_json(data: bytes) -> ParsedProgram:
    """Read a c3voc schedule.json; InvalidInput lists every unrepairable problem."""
    conference = _conference_object(_load(data))
    raw_days = conference.get("days")
    if not isinstance(raw_days, list):
        raise InvalidInput([Problem("days must be a list of days", f"{_CONFERENCE}.days")])
    problems: list[Problem] = []
    events: list[RawEvent] = []
    for i, day in enumerate(raw_days):
        at = f"{_CONFERENCE}.days[{i}]"
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            problems.append(Problem("a day must be an object with a rooms object", at))
            continue
        for room, room_events in rooms.items():
            if not isinstance(room_events, list):
                problems.append(Problem("must be a list of events", f"{at}.rooms[{room!r}]"))
                continue
            for j, event in enumerate(room_events):
                where = f"{at}.rooms[{room!r}][{j}]"
                if isinstance(event, dict):
                    events.append(_event(event, str(room), day, where))
                else:
                    problems.append(Problem("an event must be an object", where))
    if problems:
        raise InvalidInput(problems)
    return assemble_program(_raw_conference(conference), events, source_format=FORMAT)


def render_c3voc_json(
    doc: ProgramDocument,
    *,
    version: str,
    base_url: str,
    event_ids: Mapping[str, int] | None = None,
) -> bytes:
    """A schedule.json that passes the c3voc JSON schema; cancelled sessions are left out."""
    schedule = layout_schedule(doc, version=version, base_url=base_url, event_ids=event_ids)
    document = {
        "$schema": SCHEMA_URL,
        "generator": {"name": "meeting", "version": __version__},
        "schedule": {
            "version": schedule.version,
            "base_url": schedule.url,
            "conference": _conference(schedule),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _load(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InvalidInput([Problem(f"not UTF-8 (byte {error.start})")]) from error
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (column {error.colno})"
        raise InvalidInput([Problem(message, line=error.lineno)]) from error


def _conference_object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise InvalidInput([Problem(f"the top level is a JSON {kind}, not an object", "$")])
    schedule = document.get("schedule")
    if not isinstance(schedule, dict):
        raise InvalidInput([Problem("no schedule object", "schedule")])
    conference = schedule.get("conference")
    if not isinstance(conference, dict):
        raise InvalidInput([Problem("no conference object", _CONFERENCE)])
    return conference


def _raw_conference(conference: dict[str, Any]) -> RawConference:
    tracks = conference.get("tracks")
    rooms = conference.get("rooms")
    return RawConference(
        location=_CONFERENCE,
        acronym=_str(conference.get("acronym")),
        title=_str(conference.get("title")),
        start=_str(conference.get("start")),
        end=_str(conference.get("end")),
        days=_str(conference.get("daysCount")),
        time_zone_name=_str(conference.get("time_zone_name")),
        url=_str(conference.get("url")),
        tracks=tuple(
            RawTrack(_str(t.get("name")), _str(t.get("slug")), _str(t.get("color")))
            for t in (tracks if isinstance(tracks, list) else [])
            if isinstance(t, dict)
        ),
        rooms=tuple(
            _str(r.get("name"))
            for r in (rooms if isinstance(rooms, list) else [])
            if isinstance(r, dict)
        ),
    )


def _event(event: dict[str, Any], room: str, day: dict[str, Any], where: str) -> RawEvent:
    persons = event.get("persons")
    return RawEvent(
        location=where,
        id=_str(event.get("id")),
        date=_str(event.get("date")),
        day=_str(day.get("date")),
        day_start=_str(day.get("day_start")),
        start=_str(event.get("start")),
        duration=_str(event.get("duration")),
        end=_str(event.get("end")),
        room=room or _str(event.get("room")),
        title=_str(event.get("title")),
        type=_str(event.get("type")),
        track=_str(event.get("track")),
        abstract=_str(event.get("abstract")),
        description=_str(event.get("description")),
        url=_str(event.get("url")),
        slug=_str(event.get("slug")),
        persons=tuple(
            RawPerson(
                name=_str(p.get("public_name")) or _str(p.get("name")),
                id=_str(p.get("id")),
                guid=_str(p.get("guid")),
                code=_str(p.get("code")),
                bio=_str(p.get("biography")),
            )
            for p in (persons if isinstance(persons, list) else [])
            if isinstance(p, dict)
        ),
    )


def _str(value: Any) -> str:
    """Text of a scalar (ids may be numbers); "" for null, booleans and structures."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _conference(schedule: FrabSchedule) -> dict[str, Any]:
    conference: dict[str, Any] = {
        "acronym": schedule.acronym,
        "title": schedule.title,
        "start": schedule.start,
        "end": schedule.end,
        "daysCount": len(schedule.days),
        "timeslot_duration": TIMESLOT,
        "url": schedule.url,
    }
    if _TIME_ZONE_NAME.search(schedule.time_zone_name):
        conference["time_zone_name"] = schedule.time_zone_name
    conference["tracks"] = [
        {"name": t.name}
        | ({"slug": t.slug} if t.slug else {})
        | ({"color": t.color} if t.color else {})
        for t in schedule.tracks
    ]
    conference["rooms"] = [
        {"name": r.name, "guid": r.guid} | ({"slug": r.slug} if r.slug else {})
        for r in schedule.rooms
    ]
    conference["days"] = [
        {
            "index": day.index,
            "date": day.date,
            "day_start": day.start,
            "day_end": day.end,
            "rooms": _day_rooms(day),
        }
        for day in schedule.days
    ]
    return conference


def _day_rooms(day: FrabDay) -> dict[str, list[dict[str, Any]]]:
    """Events by room name; rooms that share a name share the list (JSON keys are unique)."""
    rooms: dict[str, list[dict[str, Any]]] = {}
    for room in day.rooms:
        rooms.setdefault(room.name, []).extend(_event_object(e) for e in room.events)
    return rooms


def _event_object(event: FrabEvent) -> dict[str, Any]:
    return {
        "guid": event.guid,
        "id": event.id,
        "date": event.date,
        "end": event.end,
        "start": event.start,
        "duration": event.duration,
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": "",
        "track": event.track or None,
        "type": event.type,
        "language": None,
        "abstract": event.abstract,
        "description": "",
        "persons": [{"id": p.id, "guid": p.guid, "public_name": p.name} for p in event.persons],
        "links": [],
    }
