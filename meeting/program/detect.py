"""Sniff which program format a file is in, from its content (the name only breaks ties)."""

from __future__ import annotations

import json
import re

from meeting.errors import InvalidInput, Problem

YAML = "yaml"
FRAB_XML = "frab-xml"
FRAB_JSON = "frab-json"

_HEAD = 65536
# C0 controls other than tab, newlines, form feed and escape never occur in text formats
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SCHEDULE_ELEMENT = re.compile(rb"<schedule[\s>/]")
_UTF8_BOM = b"\xef\xbb\xbf"


def detect_format(data: bytes, filename: str = "") -> str:
    """ "yaml", "frab-xml" or "frab-json"; InvalidInput for empty, binary or non-schedule XML."""
    where = filename
    text = data.removeprefix(_UTF8_BOM).lstrip()
    if not text:
        raise InvalidInput([Problem("the file is empty", where)])
    binary = _BINARY.search(data[:_HEAD])
    if binary is not None:
        message = (
            f"this is not a text file (byte 0x{binary.group()[0]:02x} at offset {binary.start()}); "
            "expected YAML, frab XML or c3voc JSON in UTF-8"
        )
        raise InvalidInput([Problem(message, where)])
    if text.startswith(b"<"):
        if _SCHEDULE_ELEMENT.search(text[:_HEAD]):
            return FRAB_XML
        message = "this is XML, but not a frab schedule (no <schedule> element)"
        raise InvalidInput([Problem(message, where)])
    if text.startswith(b"{") and (_is_schedule_json(text) or filename.lower().endswith(".json")):
        return FRAB_JSON
    return YAML


def _is_schedule_json(text: bytes) -> bool:
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(document, dict) and "schedule" in document
