"""VTIMEZONEs from zoneinfo: RRULE rules (never RDATE lists) that give zoneinfo's offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Timezone

from meeting.calendars.vtimezone import vtimezone_bytes

pytestmark = pytest.mark.unit


def rules(zone: str, first_year: int, last_year: int) -> list[tuple[str, str, str, str]]:
    """(component, TZNAME, DTSTART, RRULE) of each sub-component, as the octets say."""
    found: list[tuple[str, str, str, str]] = []
    current: dict[str, str] = {}
    for line in vtimezone_bytes(zone, first_year, last_year).decode().split("\r\n"):
        name, _colon, value = line.partition(":")
        if name == "BEGIN" and value in ("STANDARD", "DAYLIGHT"):
            current = {"kind": value}
        elif name == "END" and value in ("STANDARD", "DAYLIGHT"):
            found.append((value, current["TZNAME"], current["DTSTART"], current.get("RRULE", "")))
        else:
            current[name] = value
    return found


def test_us_pacific_has_the_two_yearly_rules() -> None:
    found = rules("America/Los_Angeles", 2020, 2020)

    assert found == [
        ("DAYLIGHT", "PDT", "20190310T020000", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
        ("STANDARD", "PST", "20191103T020000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    ]


def test_european_rules_use_the_last_sunday() -> None:
    found = rules("Europe/Berlin", 2021, 2021)

    assert found == [
        ("DAYLIGHT", "CEST", "20200329T020000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ("STANDARD", "CET", "20201025T030000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    ]


def test_zone_without_changes_has_one_fixed_offset() -> None:
    found = rules("Asia/Tokyo", 2020, 2020)

    assert found == [("STANDARD", "JST", "19700101T000000", "")]


def test_no_rdate_anywhere() -> None:
    body = vtimezone_bytes("America/Los_Angeles", 2019, 2022)

    assert [line for line in body.split(b"\r\n") if line.startswith(b"RDATE")] == []


def test_rule_that_stopped_ends_with_until() -> None:
    # Fiji's January change to standard time moved from the 2nd to the 3rd Sunday in 2021.
    found = rules("Pacific/Fiji", 2020, 2021)

    assert found[0] == (
        "STANDARD",
        "+12",
        "20190113T030000",
        "FREQ=YEARLY;UNTIL=20200112T140000Z;BYDAY=2SU;BYMONTH=1",
    )


@pytest.mark.parametrize(
    "zone",
    [
        "America/Los_Angeles",
        "America/New_York",
        "America/Sao_Paulo",
        "Europe/Berlin",
        "Europe/Dublin",
        "Asia/Jerusalem",
        "Asia/Kolkata",
        "Australia/Sydney",
        "UTC",
    ],
)
def test_offsets_match_zoneinfo_every_hour_of_the_covered_years(zone: str) -> None:
    parsed = Timezone.from_ical(vtimezone_bytes(zone, 2020, 2021))
    assert isinstance(parsed, Timezone)
    embedded = parsed.to_tz(lookup_tzid=False)  # from the VTIMEZONE's own rules
    reference = ZoneInfo(zone)
    hours = [datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(2 * 8784)]

    wrong = [
        at
        for at in hours
        if at.astimezone(embedded).utcoffset() != at.astimezone(reference).utcoffset()
    ]

    assert wrong == []
