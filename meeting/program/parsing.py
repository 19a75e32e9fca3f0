"""Turn the bytes of any supported program file into a validated ParsedProgram."""

from __future__ import annotations

from meeting.errors import InvalidInput, Problem
from meeting.program.detect import detect_format
from meeting.program.document import ParsedProgram


def parse_program(data: bytes, filename: str = "") -> ParsedProgram:
    """Detect the format (YAML, frab XML, c3voc JSON) and parse; InvalidInput lists problems."""
    # Each parser is imported once its format is known: `meeting import` of a YAML file
    # should not pay for loading the XML and JSON machinery.
    fmt = detect_format(data, filename)
    if fmt == "frab-xml":
        from meeting.program.frab import parse_frab_xml

        return parse_frab_xml(data)
    if fmt == "frab-json":
        from meeting.program.c3voc import parse_c3voc_json

        return parse_c3voc_json(data)
    from meeting.program.yaml_format import parse_program_yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = Problem(f"not UTF-8 text (byte {error.start} cannot be decoded)")
        raise InvalidInput([problem]) from error
    return parse_program_yaml(text)
