"""One registry of program exporters, used by `meeting export` and by the HTTP routes alike."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from meeting.calendars.events import CalendarContext
from meeting.calendars.feeds import CONTENT_TYPE as CALENDAR_CONTENT_TYPE
from meeting.calendars.program_calendars import render_program_calendar
from meeting.calendars.sources import EventStamp, load_event_stamps
from meeting.program.c3voc import render_c3voc_json
from meeting.program.document import ProgramDocument
from meeting.program.frab import render_frab_xml
from meeting.program.models import Meeting, ScheduleVersion, Session
from meeting.program.reader import load_program_document
from meeting.program.yaml_format import render_program_yaml


@dataclass(frozen=True)
class ExportContext:
    """What an exporter may need beyond the document itself."""

    base_url: str
    version: str
    event_ids: Mapping[str, int] = field(default_factory=dict)
    stamps: Mapping[str, EventStamp] = field(default_factory=dict)
    """Session code -> revision and time of last change (iCalendar SEQUENCE and DTSTAMP)."""
    modified: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    """When the program last changed."""


@dataclass(frozen=True)
class Exporter:
    name: str
    extension: str
    content_type: str
    render: Callable[[ProgramDocument, ExportContext], bytes]


def _yaml(doc: ProgramDocument, _ctx: ExportContext) -> bytes:
    return render_program_yaml(doc).encode("utf-8")


def _frab_xml(doc: ProgramDocument, ctx: ExportContext) -> bytes:
    return render_frab_xml(doc, version=ctx.version, base_url=ctx.base_url, event_ids=ctx.event_ids)


def _frab_json(doc: ProgramDocument, ctx: ExportContext) -> bytes:
    return render_c3voc_json(
        doc, version=ctx.version, base_url=ctx.base_url, event_ids=ctx.event_ids
    )


def _ics(doc: ProgramDocument, ctx: ExportContext) -> bytes:
    context = CalendarContext(doc.meeting.slug, doc.meeting.timezone, ctx.base_url)
    return render_program_calendar(doc, context, ctx.stamps, ctx.modified)


EXPORTERS: dict[str, Exporter] = {
    e.name: e
    for e in (
        Exporter("yaml", "yaml", "application/yaml; charset=utf-8", _yaml),
        Exporter("frab-xml", "xml", "application/xml; charset=utf-8", _frab_xml),
        Exporter("frab-json", "json", "application/json; charset=utf-8", _frab_json),
        Exporter("ics", "ics", CALENDAR_CONTENT_TYPE, _ics),
    )
}


def get_exporter(name: str) -> Exporter:
    return EXPORTERS[name]


@dataclass(frozen=True)
class RenderedExport:
    """Export bytes with their validators; reused until the schedule version changes."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class ExportCache:
    """Render each (meeting, format) once per schedule version, not once per request.

    Keys include the schedule version, so a program change makes the next request render
    afresh; old entries for a meeting are dropped when a newer version is stored.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], tuple[int, RenderedExport]] = {}
        self._lock = threading.Lock()

    def get_or_render(
        self,
        meeting_id: int,
        version: int,
        name: str,
        render: Callable[[], tuple[bytes, datetime]],
    ) -> RenderedExport:
        key = (meeting_id, name)
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        body, modified = render()
        exporter = get_exporter(name)
        rendered = RenderedExport(body, exporter.content_type, strong_etag(body), modified)
        with self._lock:
            current = self._entries.get(key)
            if current is None or current[0] <= version:
                self._entries[key] = (version, rendered)
        return rendered


def strong_etag(body: bytes) -> str:
    """A strong validator from the content itself: it changes exactly when the bytes do."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def render_meeting_export(
    db: DbSession, meeting: Meeting, name: str, base_url: str
) -> tuple[bytes, datetime]:
    """A meeting's program in one format, and when it last changed (for Last-Modified)."""
    doc = load_program_document(db, meeting)
    ids = dict(
        db.execute(select(Session.code, Session.id).where(Session.meeting_id == meeting.id)).all()
    )
    modified = (
        db.scalar(
            select(func.max(ScheduleVersion.created_at)).where(
                ScheduleVersion.meeting_id == meeting.id
            )
        )
        or meeting.updated_at
    )
    ctx = ExportContext(
        base_url=base_url,
        version=str(meeting.schedule_version),
        event_ids=ids,
        stamps=load_event_stamps(db, meeting),
        modified=modified,
    )
    return get_exporter(name).render(doc, ctx), modified
