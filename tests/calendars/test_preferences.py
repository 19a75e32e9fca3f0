"""Calendar preferences from the agenda page's form: the offered choices and nothing else."""

from __future__ import annotations

import pytest

from meeting.calendars.preferences import FeedSettings, parse_feed_settings
from meeting.errors import InvalidInput

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("reminder", "keep", "expected"),
    [
        ("none", "7", FeedSettings(None, 7)),
        ("", "1", FeedSettings(None, 1)),
        ("5", "30", FeedSettings(5, 30)),
        ("30", "14", FeedSettings(30, 14)),
    ],
)
def test_offered_choices_are_accepted(reminder: str, keep: str, expected: FeedSettings) -> None:
    settings = parse_feed_settings(reminder, keep)

    assert settings == expected


def test_anything_else_names_the_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_feed_settings("7", "-1")

    assert [p.field for p in caught.value.problems] == ["reminder", "keep_cancelled_days"]
