"""Rules every program must satisfy, whatever format it came in (pure)."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from meeting.errors import Problem
from meeting.program.document import ProgramDocument, SessionDoc


def check_program(doc: ProgramDocument) -> list[Problem]:
    """Every cross-reference and ordering problem, located by path and session code."""
    problems: list[Problem] = []
    meeting = doc.meeting
    if meeting.end_date < meeting.start_date:
        problems.append(Problem("end_date is before start_date", "meeting.end_date"))
    problems += _duplicates([t.slug for t in doc.tracks], "tracks", "slug", "track")
    problems += _duplicates([r.slug for r in doc.rooms], "rooms", "slug", "room")
    problems += _duplicates([s.key for s in doc.speakers], "speakers", "key", "speaker")
    problems += _duplicates([s.code for s in doc.sessions], "sessions", "code", "session")

    tracks = {t.slug for t in doc.tracks}
    rooms = {r.slug for r in doc.rooms}
    speakers = {s.key for s in doc.speakers}
    sessions = {s.code: s for s in doc.sessions}
    zone = ZoneInfo(meeting.timezone)
    for i, s in enumerate(doc.sessions):
        at = f"sessions[{i}]"
        if s.end <= s.start:
            problems.append(Problem("end must be after start", f"{at}.end", session=s.code))
        local_day = s.start.astimezone(zone).date()
        if not meeting.start_date <= local_day <= meeting.end_date:
            problems.append(
                Problem(
                    f"starts on {local_day}, outside the meeting "
                    f"({meeting.start_date} to {meeting.end_date})",
                    f"{at}.start",
                    session=s.code,
                )
            )
        if s.room is not None and s.room not in rooms:
            problems.append(Problem(f"unknown room {s.room!r}", f"{at}.room", session=s.code))
        for j, track in enumerate(s.tracks):
            if track not in tracks:
                problems.append(
                    Problem(f"unknown track {track!r}", f"{at}.tracks[{j}]", session=s.code)
                )
        for j, ss in enumerate(s.speakers):
            if ss.speaker not in speakers:
                problems.append(
                    Problem(
                        f"unknown speaker {ss.speaker!r}",
                        f"{at}.speakers[{j}].speaker",
                        session=s.code,
                    )
                )
        problems += _parent_problems(s.code, s.parent, sessions, at)
    return problems


def _parent_problems(
    code: str, parent_code: str | None, sessions: dict[str, SessionDoc], at: str
) -> list[Problem]:
    if parent_code is None:
        return []
    where = f"{at}.parent"
    parent = sessions.get(parent_code)
    if parent_code == code:
        return [Problem("a session cannot be its own parent", where, session=code)]
    if parent is None:
        return [Problem(f"unknown parent session {parent_code!r}", where, session=code)]
    if parent.parent is not None:
        return [
            Problem(
                f"parent {parent_code!r} has a parent itself; only one level is allowed",
                where,
                session=code,
            )
        ]
    child = sessions[code]
    if child.start < parent.start or child.end > parent.end:
        return [Problem(f"lies outside its parent {parent_code!r}'s time", where, session=code)]
    return []


def _duplicates(values: list[str], section: str, name: str, what: str) -> list[Problem]:
    counts = Counter(values)
    seen: set[str] = set()
    problems = []
    for i, value in enumerate(values):
        if counts[value] > 1 and value in seen:
            problems.append(Problem(f"duplicate {what} {name} {value!r}", f"{section}[{i}].{name}"))
        seen.add(value)
    return problems
