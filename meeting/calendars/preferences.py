"""An attendee's calendar preferences: a reminder before sessions, how long cancellations stay."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from meeting.calendars.events import REMINDER_CHOICES
from meeting.calendars.models import DEFAULT_KEEP_CANCELLED_DAYS, CalendarPreference
from meeting.errors import InvalidInput, Problem
from meeting.freshness.journal import record_feed_change

KEEP_CANCELLED_CHOICES = (1, 3, 7, 14, 30)
"""Days a cancelled session may stay in a personal feed after its cancellation."""


@dataclass(frozen=True)
class FeedSettings:
    """The preferences a personal feed is rendered with."""

    reminder_minutes: int | None = None
    keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS


def load_feed_settings(db: DbSession, user_id: int) -> FeedSettings:
    row = db.scalar(select(CalendarPreference).where(CalendarPreference.user_id == user_id))
    if row is None:
        return FeedSettings()
    return FeedSettings(row.reminder_minutes, row.keep_cancelled_days)


def parse_feed_settings(reminder: str, keep_cancelled_days: str) -> FeedSettings:
    """Form values to settings: reminder '' or 'none', or one of REMINDER_CHOICES minutes."""
    problems = []
    minutes: int | None = None
    if reminder.strip() not in ("", "none"):
        minutes = _choice(reminder, REMINDER_CHOICES)
        if minutes is None:
            problems.append(
                Problem("choose no reminder or 5, 10, 15 or 30 minutes", field="reminder")
            )
    days = _choice(keep_cancelled_days, KEEP_CANCELLED_CHOICES)
    if days is None:
        problems.append(Problem("choose 1, 3, 7, 14 or 30 days", field="keep_cancelled_days"))
    if problems or days is None:
        raise InvalidInput(problems)
    return FeedSettings(minutes, days)


def save_feed_settings(db: DbSession, user_id: int, settings: FeedSettings) -> None:
    row = db.get(CalendarPreference, user_id)
    if row is None:
        row = CalendarPreference(user_id=user_id)
        db.add(row)
    row.reminder_minutes = settings.reminder_minutes
    row.keep_cancelled_days = settings.keep_cancelled_days
    db.flush()
    record_feed_change(db, [user_id])


def _choice(text: str, choices: tuple[int, ...]) -> int | None:
    value = text.strip()
    if not value.isdigit():
        return None
    number = int(value)
    return number if number in choices else None
