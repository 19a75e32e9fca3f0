"""Times shown in far zones across a daylight-saving change of the meeting's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from meeting.db import SessionFactory
from meeting.web.templating import local_time
from tests.conftest import import_document
from tests.factories import make_meeting, make_program, make_session

pytestmark = pytest.mark.integration

LA = ZoneInfo("America/Los_Angeles")
# Los Angeles springs forward on 14 March 2021; Sydney falls back on 4 April 2021.
BEFORE = datetime(2021, 3, 13, 9, 0, tzinfo=LA)
AFTER = datetime(2021, 3, 15, 9, 0, tzinfo=LA)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        ("Asia/Tokyo", "Sun 14 02:00", "Tue 16 01:00"),
        ("Australia/Sydney", "Sun 14 04:00", "Tue 16 03:00"),
        ("America/Los_Angeles", "Sat 13 09:00", "Mon 15 09:00"),
        ("UTC", "Sat 13 17:00", "Mon 15 16:00"),
    ],
)
def test_local_time_follows_each_zones_rules(zone: str, before: str, after: str) -> None:
    shown = [local_time(t.astimezone(UTC), ZoneInfo(zone), "%a %d %H:%M") for t in (BEFORE, AFTER)]

    assert shown == [before, after]


def test_program_page_in_sydney_across_the_change(
    client: TestClient, db_factory: SessionFactory
) -> None:
    program = make_program(
        meeting=make_meeting(start_date=date(2021, 3, 13), end_date=date(2021, 3, 15)),
        sessions=(
            make_session(
                code="SAT",
                start=BEFORE.astimezone(UTC),
                end=BEFORE.astimezone(UTC).replace(hour=18),
            ),
            make_session(
                code="MON", start=AFTER.astimezone(UTC), end=AFTER.astimezone(UTC).replace(hour=17)
            ),
        ),
    )
    import_document(db_factory, program)

    page = client.get("/program?tz=Australia/Sydney").text

    assert re.findall(r'datetime="[^"]+">(\d\d:\d\d)</time>\u2013', page) == ["04:00", "03:00"]
    assert re.findall(r'class="day-heading"[^>]*>([^<]+)<', page)[:2] == [
        "Sunday, 14 March 2021",
        "Tuesday, 16 March 2021",
    ]
