"""Validate program filter parameters (from a query string or the API) into a ProgramFilter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from meeting.enums import Audience, SessionKind
from meeting.errors import InvalidInput, Problem
from meeting.program.queries import ProgramFilter
from meeting.timezones import parse_zone

MAX_QUERY_LENGTH = 200


def parse_program_filter(params: Mapping[str, str], default_zone: ZoneInfo) -> ProgramFilter:
    """Every bad value is reported (field and reason); empty values mean 'no filter'."""
    problems: list[Problem] = []
    day = kind = audience = None
    zone = default_zone
    if tz := params.get("tz", "").strip():
        try:
            zone = parse_zone(tz)
        except InvalidInput as error:
            problems += error.problems
    if text := params.get("day", "").strip():
        try:
            day = date.fromisoformat(text)
        except ValueError:
            problems.append(_bad("day", f"{text!r} is not a date (use YYYY-MM-DD)"))
    if text := params.get("kind", "").strip():
        try:
            kind = SessionKind(text)
        except ValueError:
            choices = ", ".join(k.value for k in SessionKind)
            problems.append(_bad("kind", f"{text!r} is not a session kind ({choices})"))
    if text := params.get("audience", "").strip():
        try:
            audience = Audience(text)
        except ValueError:
            choices = ", ".join(a.value for a in Audience)
            problems.append(_bad("audience", f"{text!r} is not an audience ({choices})"))
    track = params.get("track", "").strip() or None
    q = params.get("q", "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        problems.append(_bad("q", f"the search text is longer than {MAX_QUERY_LENGTH} characters"))
    if problems:
        raise InvalidInput(problems)
    return ProgramFilter(day=day, kind=kind, track=track, audience=audience, q=q, zone=zone)


def _bad(name: str, message: str) -> Problem:
    return Problem(message, location=name, field=name)
