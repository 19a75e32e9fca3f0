"""rank_suggestions: interests and co-attendance, never a clash or a refusal; night-time flag."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meeting.agenda.suggestions import is_night_time, rank_suggestions
from meeting.program.models import Session, Track
from tests.factories import pacific

pytestmark = pytest.mark.unit

LYMPHOMA = Track(slug="lymphoma", name="Lymphoma")
CAREERS = Track(slug="careers", name="Careers")


def session(id_: int, start: datetime, end: datetime, *tracks: Track) -> Session:
    row = Session(
        id=id_,
        code=f"S{id_}",
        title=f"Session {id_}",
        start_at=start,
        end_at=end,
        status="scheduled",
    )
    row.tracks = list(tracks)
    return row


def codes(*args: object, **kwargs: object) -> list[str]:
    return [s.session.code for s in rank_suggestions(*args, **kwargs)]  # type: ignore[arg-type]


def test_interest_matches_and_co_attendance_are_ranked() -> None:
    a = session(1, pacific(5, 9), pacific(5, 10), LYMPHOMA)
    b = session(2, pacific(5, 11), pacific(5, 12))
    c = session(3, pacific(5, 13), pacific(5, 14), CAREERS)

    ranked = rank_suggestions(
        [a, b, c],
        interests={"lymphoma"},
        co_attendance={2: 5},
        mine=[],
        eligible=lambda s: True,
        zone=ZoneInfo("America/Los_Angeles"),
        now=pacific(5, 6),
    )

    assert [(s.session.code, s.reasons) for s in ranked] == [
        ("S2", ("Chosen by 5 people with sessions in common with you",)),
        ("S1", ("Matches your interest in Lymphoma",)),
    ]


def test_conflicts_ineligible_past_and_chosen_sessions_are_skipped() -> None:
    mine = session(1, pacific(5, 9), pacific(5, 10), LYMPHOMA)
    clash = session(2, pacific(5, 9, 30), pacific(5, 10, 30), LYMPHOMA)
    refused = session(3, pacific(5, 11), pacific(5, 12), LYMPHOMA)
    past = session(4, pacific(5, 6), pacific(5, 7), LYMPHOMA)
    fine = session(5, pacific(5, 13), pacific(5, 14), LYMPHOMA)

    ranked = codes(
        [mine, clash, refused, past, fine],
        interests={"lymphoma"},
        co_attendance={},
        mine=[mine],
        eligible=lambda s: s.id != 3,
        zone=ZoneInfo("UTC"),
        now=pacific(5, 8),
    )

    assert ranked == ["S5"]


def test_night_time_is_judged_in_the_attendees_zone() -> None:
    start = pacific(5, 9)  # 17:00 UTC

    assert is_night_time(start, ZoneInfo("Asia/Tokyo"))  # 02:00
    assert not is_night_time(start, ZoneInfo("Europe/Berlin"))  # 18:00
    assert is_night_time(pacific(5, 6, 30), ZoneInfo("America/Los_Angeles"))
    assert not is_night_time(pacific(5, 7), ZoneInfo("America/Los_Angeles"))
