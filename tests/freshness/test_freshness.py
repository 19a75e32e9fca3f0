"""Freshness and the change watcher: a render is stale once anything it read has changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert

from meeting.db import SessionFactory
from meeting.freshness.models import FeedChange
from meeting.freshness.state import Freshness
from meeting.freshness.watcher import ChangeWatcher
from meeting.program.document import ProgramDocument


def test_a_render_is_current_until_its_attendee_or_meeting_changes() -> None:
    freshness = Freshness()
    freshness.schedule_changed(1, 4)
    mark = freshness.mark()

    assert freshness.is_current(1, 4, 7, mark)
    freshness.feeds_changed([8])
    assert freshness.is_current(1, 4, 7, mark)  # someone else's agenda
    freshness.feeds_changed([7])
    assert not freshness.is_current(1, 4, 7, mark)
    assert freshness.is_current(1, 4, 7, freshness.mark())  # rendered after the change
    freshness.schedule_changed(1, 5)
    assert not freshness.is_current(1, 4, None, freshness.mark())


def test_a_late_report_cannot_move_a_version_back() -> None:
    freshness = Freshness()
    freshness.schedule_changed(1, 5)
    freshness.schedule_changed(1, 4)

    assert freshness.version(1) == 5


def test_forgetting_everything_makes_every_earlier_render_stale() -> None:
    freshness = Freshness()
    freshness.schedule_changed(1, 1)
    mark = freshness.mark()

    freshness.forget_everything()

    assert not freshness.is_current(1, 1, None, mark)
    assert freshness.is_current(1, 1, None, freshness.mark())


@pytest.mark.integration
def test_the_watcher_reads_versions_and_journal_rows_even_out_of_order(
    db_factory: SessionFactory, engine: Engine, program: ProgramDocument
) -> None:
    freshness = Freshness()
    watcher = ChangeWatcher(db_factory, freshness, 1.0)
    watcher.poll()
    now = datetime.now(UTC)
    mark = freshness.mark()
    with engine.begin() as conn:
        conn.execute(insert(FeedChange).values(id=50, user_id=1, changed_at=now))
    watcher.poll()
    with engine.begin() as conn:  # committed after a higher id was already seen
        conn.execute(insert(FeedChange).values(id=40, user_id=2, changed_at=now))
    watcher.poll()
    watcher.poll()

    assert freshness.version(1) is not None
    assert watcher.vouches()
    assert not freshness.is_current(1, freshness.version(1) or 0, 1, mark)
    assert not freshness.is_current(1, freshness.version(1) or 0, 2, mark)
    assert freshness.mark() == mark + 2  # each row counted once


@pytest.mark.integration
def test_the_watcher_prunes_old_journal_rows(
    db_factory: SessionFactory, engine: Engine, program: ProgramDocument
) -> None:
    watcher = ChangeWatcher(db_factory, Freshness(), 1.0)
    with engine.begin() as conn:
        conn.execute(
            insert(FeedChange),
            [
                {"user_id": 1, "changed_at": datetime(2020, 1, 1, tzinfo=UTC)},
                {"user_id": 2, "changed_at": datetime.now(UTC)},
            ],
        )

    watcher.prune()

    with engine.begin() as conn:
        left = conn.execute(FeedChange.__table__.select()).all()
    assert [row.user_id for row in left] == [2]
