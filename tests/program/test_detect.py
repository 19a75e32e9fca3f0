"""Format sniffing: content decides, the file name only breaks the JSON-or-YAML tie."""

from __future__ import annotations

import pytest

from meeting.errors import InvalidInput, Problem
from meeting.program.detect import detect_format
from tests.program.frab_samples import read_fixture

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (read_fixture("38c3-hub.schedule.xml"), "", "frab-xml"),
        (read_fixture("31c3-frab.schedule.xml"), "upload.bin", "frab-xml"),
        (b"\xef\xbb\xbf\n  <schedule>\n<version>1</version></schedule>", "", "frab-xml"),
        (read_fixture("camp2019-frab.schedule.json"), "", "frab-json"),
        (b'{"schedule": {}}', "program.yaml", "frab-json"),
        (b'{"schedule": broken', "schedule.json", "frab-json"),
        (b"format: meeting-program/1\nmeeting: {}\n", "", "yaml"),
        (b'{"format": "meeting-program/1"}', "", "yaml"),
        (b"{format: meeting-program/1}", "", "yaml"),
    ],
)
def test_detect_format_sniffs_the_content(data: bytes, filename: str, expected: str) -> None:
    detected = detect_format(data, filename)

    assert detected == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b" \n\t\n", "the file is empty"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "this is not a text file (byte 0x1a at offset 6); "
            "expected YAML, frab XML or c3voc JSON in UTF-8",
        ),
        (
            b"PK\x03\x04zipped",
            "this is not a text file (byte 0x03 at offset 2); "
            "expected YAML, frab XML or c3voc JSON in UTF-8",
        ),
        (
            b"<?xml version='1.0'?>\n<feed/>",
            "this is XML, but not a frab schedule (no <schedule> element)",
        ),
    ],
)
def test_detect_format_refuses_what_no_parser_reads(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        detect_format(data, "upload.dat")

    assert caught.value.problems == [Problem(message, "upload.dat")]
