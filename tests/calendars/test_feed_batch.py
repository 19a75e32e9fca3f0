"""Feeds rendered a batch at a time: each ask gets its own answer, and a batch reads the
database the same number of times for one feed as for twenty."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, select

from meeting.agenda.service import add_to_agenda
from meeting.calendars.events import EventCache
from meeting.calendars.feed_batch import FeedAsk, FeedBatchRenderer, RenderedFeed
from meeting.calendars.feed_reads import ScheduleTimings
from meeting.calendars.tokens import issue_feed_token
from meeting.db import SessionFactory, transaction
from meeting.db.prepared import PreparedRead
from meeting.errors import NotFound
from meeting.exports import strong_etag
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.conftest import NOW
from tests.factories import make_user
from tests.web.test_fast_lane import counted_queries

pytestmark = pytest.mark.integration

SECRET = "test-secret-key"


def _attendees(db_factory: SessionFactory, agendas: list[list[str]]) -> list[str]:
    """One attendee per agenda (session codes), each with a feed token; their tokens."""
    tokens = []
    with transaction(db_factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        for codes in agendas:
            user = make_user(db)
            for code in codes:
                add_to_agenda(db, user, meeting, code, NOW)
            tokens.append(issue_feed_token(db, user.id, SECRET, NOW))
    return tokens


def _renderer(engine: Engine) -> FeedBatchRenderer:
    return FeedBatchRenderer(engine, "", "https://m.test", EventCache(), ScheduleTimings())


@contextmanager
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Statements sent, through SQLAlchemy or as prepared reads on the driver's cursor."""
    prepared: list[str] = []
    original = PreparedRead.rows

    def counting(self: PreparedRead, *args: Any) -> list[tuple[Any, ...]]:
        prepared.append("prepared")
        return original(self, *args)

    with monkeypatch.context() as patch, counted_queries() as statements:
        patch.setattr(PreparedRead, "rows", counting)
        yield statements
        statements.extend(prepared)


def test_each_ask_gets_its_own_answer(
    engine: Engine, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    first, second = _attendees(db_factory, [["LYM-201"], ["PLEN-01"]])
    asks = [
        FeedAsk(first, None, NOW),
        FeedAsk("x" * 43, None, NOW),  # well-formed, unknown
        FeedAsk(second, None, NOW),
        FeedAsk("not a token", None, NOW),
        FeedAsk(second, "no-such-meeting", NOW),
    ]

    answers = _renderer(engine)(asks)

    assert isinstance(answers[0], RenderedFeed)
    assert isinstance(answers[2], RenderedFeed)
    assert b"LYM-201" in answers[0].body
    assert b"PLEN-01" not in answers[0].body
    assert b"PLEN-01" in answers[2].body
    assert b"LYM-201" not in answers[2].body
    assert answers[0].etag == strong_etag(answers[0].body)
    assert answers[0].access.user_id != answers[2].access.user_id
    assert answers[1] is None
    assert answers[3] is None
    assert isinstance(answers[4], NotFound)


def test_a_batch_reads_as_often_for_twenty_feeds_as_for_one(
    engine: Engine,
    db_factory: SessionFactory,
    program: ProgramDocument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = _attendees(db_factory, [["LYM-201", "PLEN-01"]] * 21)
    render = _renderer(engine)
    render([FeedAsk(tokens[0], None, NOW)])  # events and timings are read once, then cached

    with counted_reads(monkeypatch) as one:
        single = render([FeedAsk(tokens[1], None, NOW)])
    with counted_reads(monkeypatch) as twenty:
        batch = render([FeedAsk(token, None, NOW) for token in tokens[1:]])

    assert all(isinstance(answer, RenderedFeed) for answer in [*single, *batch])
    assert one, "nothing was counted"
    assert len(twenty) == len(one)
