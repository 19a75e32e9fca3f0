"""JSON shapes of the API's answers, and validation of its paging parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meeting.errors import InvalidInput, Problem
from meeting.program.models import Meeting, Session, Speaker

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def parse_page(params: Mapping[str, str]) -> Page:
    problems: list[Problem] = []
    number = _positive_int(params.get("page", "1"), "page", problems)
    size = _positive_int(params.get("per_page", str(DEFAULT_PER_PAGE)), "per_page", problems)
    if size > MAX_PER_PAGE:
        problems.append(
            Problem(f"per_page is at most {MAX_PER_PAGE}", "per_page", field="per_page")
        )
    if problems:
        raise InvalidInput(problems)
    return Page(number, size)


def _positive_int(text: str, name: str, problems: list[Problem]) -> int:
    if not text.isdigit() or int(text) < 1:
        problems.append(Problem(f"{name} must be a whole number from 1 up", name, field=name))
        return 1
    return int(text)


def meeting_json(meeting: Meeting, base_url: str) -> dict[str, Any]:
    return {
        "slug": meeting.slug,
        "title": meeting.title,
        "timezone": meeting.timezone,
        "start_date": meeting.start_date.isoformat(),
        "end_date": meeting.end_date.isoformat(),
        "virtual": meeting.virtual,
        "venue": meeting.venue or None,
        "schedule_version": meeting.schedule_version,
        "url": f"{base_url}/m/{meeting.slug}/",
    }


def speaker_json(speaker: Speaker, role: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": speaker.id,
        "name": speaker.name,
        "degrees": speaker.degrees or None,
        "affiliation": speaker.affiliation or None,
    }
    if role is not None:
        data["role"] = role
    return data


def session_json(session: Session, base_url: str, meeting_slug: str) -> dict[str, Any]:
    """A session with room, tracks and speakers loaded (see program.queries)."""
    return {
        "code": session.code,
        "title": session.title,
        "kind": str(session.kind),
        "start": session.start_at.isoformat(),
        "end": session.end_at.isoformat(),
        "status": str(session.status),
        "audience": str(session.audience),
        "capacity": session.capacity,
        "room": ({"slug": session.room.slug, "name": session.room.name} if session.room else None),
        "tracks": [{"slug": t.slug, "name": t.name} for t in session.tracks],
        "speakers": [speaker_json(row.speaker, str(row.role)) for row in session.speakers],
        "description": session.description,
        "parent": session.parent_id,
        "revision": session.revision,
        "url": f"{base_url}/m/{meeting_slug}/sessions/{session.code}",
    }
