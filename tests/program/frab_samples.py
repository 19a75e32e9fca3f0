"""Small frab XML / c3voc JSON inputs for the parser tests, and a comparable view of programs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from meeting.enums import SessionKind, SessionStatus
from meeting.program.document import ProgramDocument

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BASE_URL = "https://meeting.example"

CONFERENCE_XML = """\
<conference>
  <acronym>demo24</acronym>
  <title>Demo Conference 2024</title>
  <start>2024-05-02</start>
  <end>2024-05-03</end>
  <days>2</days>
  <time_zone_name>Europe/Berlin</time_zone_name>
  <track name="Science" color="#00A356" slug="science"/>
</conference>
"""

SessionView = tuple[
    str, str, datetime, datetime, SessionKind, str | None, tuple[str, ...], tuple[str, ...], str
]


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def line_of(data: bytes, marker: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th `marker`."""
    at = -1
    for _ in range(occurrence):
        at = data.index(marker.encode(), at + 1)
    return data[:at].count(b"\n") + 1


def event_xml(
    event_id: str = "7",
    *,
    date: str = "<date>2024-05-02T10:00:00+02:00</date>",
    duration: str = "00:30",
    slug: str = "",
    url: str = "",
    title: str = "A talk",
    event_type: str = "lecture",
    persons: str = "<person id='12'>Ada Lovelace</person>",
) -> str:
    return f"""\
<event guid='6f1c5a4e-0a57-4c8e-9a5c-1c2d3e4f5a6b' id='{event_id}'>
  {date}
  <start>10:00</start>
  <duration>{duration}</duration>
  <room>Hall A</room>
  <slug>{slug}</slug>
  <url>{url}</url>
  <title>{title}</title>
  <track>Science</track>
  <type>{event_type}</type>
  <abstract>Short.</abstract>
  <description>Long.</description>
  <persons>{persons}</persons>
</event>
"""


def schedule_xml(*events: str, conference: str = CONFERENCE_XML) -> bytes:
    day = (
        "<day index='1' date='2024-05-02' start='2024-05-02T08:00:00+02:00' "
        "end='2024-05-03T03:00:00+02:00'>\n<room name='Hall A'>\n"
    )
    body = "".join(events)
    text = f"<?xml version='1.0'?>\n<schedule>\n<version>1</version>\n{conference}{day}{body}"
    return f"{text}</room>\n</day>\n</schedule>\n".encode()


def event_json(event_id: int = 7, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id,
        "guid": "6f1c5a4e-0a57-4c8e-9a5c-1c2d3e4f5a6b",
        "date": "2024-05-02T10:00:00+02:00",
        "start": "10:00",
        "duration": "00:30",
        "room": "Hall A",
        "slug": "",
        "url": "",
        "title": "A talk",
        "track": "Science",
        "type": "lecture",
        "abstract": "Short.",
        "description": "Long.",
        "persons": [{"id": 12, "public_name": "Ada Lovelace"}],
    }
    return event | changes


def schedule_json(*events: Any, **conference: Any) -> bytes:
    day = {
        "index": 1,
        "date": "2024-05-02",
        "day_start": "2024-05-02T08:00:00+02:00",
        "day_end": "2024-05-03T03:00:00+02:00",
        "rooms": {"Hall A": list(events)},
    }
    values: dict[str, Any] = {
        "acronym": "demo24",
        "title": "Demo Conference 2024",
        "start": "2024-05-02",
        "end": "2024-05-03",
        "daysCount": 2,
        "time_zone_name": "Europe/Berlin",
        "days": [day],
    }
    document = {"schedule": {"version": "1", "conference": values | conference}}
    return json.dumps(document, indent=2).encode()


def session_views(doc: ProgramDocument) -> list[SessionView]:
    """What frab can carry of each scheduled session, with names in place of slugs and keys."""
    rooms = {r.slug: r.name for r in doc.rooms}
    tracks = {t.slug: t.name for t in doc.tracks}
    speakers = {s.key: s.name for s in doc.speakers}
    return sorted(
        (
            s.code,
            s.title,
            s.start,
            s.end,
            s.kind,
            rooms[s.room] if s.room else None,
            tuple(tracks[t] for t in s.tracks),
            tuple(speakers[ss.speaker] for ss in s.speakers),
            s.description,
        )
        for s in doc.sessions
        if s.status is SessionStatus.SCHEDULED
    )
