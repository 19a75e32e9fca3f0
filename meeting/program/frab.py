"""frab `schedule.xml` <-> ProgramDocument (c3voc XSD; parsed with defusedxml, built with etree).

The file comes from outside, so it is parsed with entity expansion and external references
forbidden; every element keeps its source line so that problems can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from xml.etree.ElementTree import Element, ParseError, SubElement, TreeBuilder, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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
from meeting.program.frab_layout import TIMESLOT, FrabEvent, FrabSchedule, layout_schedule

FORMAT = "frab-xml"
# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def parse_frab_xml(data: bytes) -> ParsedProgram:
    """Read a frab/pretalx/hub schedule.xml; InvalidInput lists every unrepairable problem."""
    root, lines = _parse_tree(data)
    if root.tag != "schedule":
        raise InvalidInput([Problem(f"the root element is <{root.tag}>, not <schedule>", line=1)])
    element = root.find("conference")
    if element is None:
        raise InvalidInput([Problem("no <conference> element", "schedule", lines.get(root))])
    conference = RawConference(
        location="conference",
        line=lines.get(element),
        acronym=_text(element, "acronym"),
        title=_text(element, "title"),
        start=_text(element, "start"),
        end=_text(element, "end"),
        days=_text(element, "days"),
        time_zone_name=_text(element, "time_zone_name"),
        url=_text(element, "url") or _text(element, "base_url"),
        tracks=tuple(
            RawTrack(t.get("name") or t.text or "", t.get("slug", ""), t.get("color", ""))
            for t in element.findall("track")
        ),
    )
    events = [
        _event(event, room, day, lines.get(event))
        for day in root.findall("day")
        for room in day.findall("room")
        for event in room.findall("event")
    ]
    return assemble_program(conference, events, source_format=FORMAT)


def render_frab_xml(
    doc: ProgramDocument,
    *,
    version: str,
    base_url: str,
    event_ids: Mapping[str, int] | None = None,
) -> bytes:
    """A schedule.xml that passes the c3voc XSD; cancelled sessions are left out."""
    schedule = layout_schedule(doc, version=version, base_url=base_url, event_ids=event_ids)
    root = Element("schedule")
    SubElement(root, "generator", name="meeting", version=__version__)
    _add(root, "version", schedule.version)
    root.append(_conference(schedule))
    for day in schedule.days:
        day_element = SubElement(
            root, "day", index=str(day.index), date=day.date, start=day.start, end=day.end
        )
        for room in day.rooms:
            room_element = SubElement(day_element, "room", name=_clean(room.name))
            if room.guid:
                room_element.set("guid", room.guid)
            for event in room.events:
                room_element.append(_event_element(event))
    indent(root)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


class _LineRecorder(TreeBuilder):
    """Builds the tree and remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.current_line: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.current_line()
        return element


def _parse_tree(data: bytes) -> tuple[Element, dict[Element, int]]:
    recorder = _LineRecorder()
    parser = DefusedXMLParser(target=recorder)
    recorder.current_line = lambda: parser.parser.CurrentLineNumber
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as error:
        line, column = error.position
        reason = re.sub(r": line \d+, column \d+$", "", str(error))
        message = f"not well-formed XML: {reason} (column {column + 1})"
        raise InvalidInput([Problem(message, line=line)]) from error
    except DefusedXmlException as error:
        message = "XML entity declarations and external references are refused"
        line = parser.parser.CurrentLineNumber
        raise InvalidInput([Problem(message, line=line)]) from error
    return root, recorder.lines


def _event(event: Element, room: Element, day: Element, line: int | None) -> RawEvent:
    event_id = event.get("id", "").strip()
    title = _text(event, "title")
    return RawEvent(
        location=f"event id={event_id}" if event_id else f"event {title!r}",
        line=line,
        id=event_id,
        date=_text(event, "date"),
        day=day.get("date", ""),
        day_start=day.get("start", ""),
        start=_text(event, "start"),
        duration=_text(event, "duration"),
        room=room.get("name") or _text(event, "room"),
        title=title,
        type=_text(event, "type"),
        track=_text(event, "track"),
        abstract=_text(event, "abstract"),
        description=_text(event, "description"),
        url=_text(event, "url"),
        slug=_text(event, "slug"),
        persons=tuple(
            RawPerson(p.text or "", p.get("id", ""), p.get("guid", ""), p.get("code", ""))
            for p in event.findall("persons/person")
        ),
    )


def _conference(schedule: FrabSchedule) -> Element:
    conference = Element("conference")
    _add(conference, "acronym", schedule.acronym)
    _add(conference, "title", schedule.title)
    _add(conference, "start", schedule.start)
    _add(conference, "end", schedule.end)
    _add(conference, "days", str(len(schedule.days)))
    _add(conference, "timeslot_duration", TIMESLOT)
    _add(conference, "base_url", schedule.url)
    _add(conference, "url", schedule.url)
    _add(conference, "time_zone_name", schedule.time_zone_name)
    for track in schedule.tracks:
        element = SubElement(conference, "track", name=_clean(track.name))
        if track.slug:
            element.set("slug", track.slug)
        if track.color:
            element.set("color", track.color)
    return conference


def _event_element(event: FrabEvent) -> Element:
    element = Element("event", guid=event.guid, id=str(event.id))
    _add(element, "date", event.date)
    _add(element, "start", event.start)
    _add(element, "duration", event.duration)
    _add(element, "room", event.room)
    _add(element, "slug", event.slug)
    _add(element, "url", event.url)
    _add(element, "title", event.title)
    _add(element, "subtitle", "")
    _add(element, "track", event.track)
    _add(element, "type", event.type)
    _add(element, "abstract", event.abstract)
    _add(element, "description", "")
    persons = SubElement(element, "persons")
    for person in event.persons:
        _add(persons, "person", person.name).attrib.update(id=str(person.id), guid=person.guid)
    SubElement(element, "links")
    return element


def _add(parent: Element, tag: str, text: str) -> Element:
    element = SubElement(parent, tag)
    element.text = _clean(text) or None
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(element: Element, path: str) -> str:
    return (element.findtext(path) or "").strip()
