"""Feed tokens: 256 bits, stored only as a hash, shown again by derivation, replaced at will."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting.calendars.models import FeedToken
from meeting.calendars.tokens import (
    current_feed_token,
    find_feed_token,
    hash_token,
    issue_feed_token,
    next_feed_modified,
    note_feed_etag,
)
from meeting.db import SessionFactory, transaction
from tests.conftest import NOW
from tests.factories import make_user

pytestmark = pytest.mark.integration

SECRET = "test-secret-key"


def test_token_is_stored_hashed_and_found_by_its_hash(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        user = make_user(db)
        token = issue_feed_token(db, user.id, SECRET, NOW)

    with transaction(db_factory, write=False) as db:
        row = db.scalars(select(FeedToken)).one()
        found = find_feed_token(db, token)
        shown = current_feed_token(db, user.id, SECRET)

    assert (len(token), row.token_hash, shown) == (43, hash_token(token), token)
    assert found is not None
    assert (found.token_id, found.user_id) == (row.id, user.id)
    assert token not in (row.token_hash, row.nonce)


def test_replacing_the_token_revokes_the_old_one(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        user = make_user(db)
        old = issue_feed_token(db, user.id, SECRET, NOW)
        new = issue_feed_token(db, user.id, SECRET, NOW)

    with transaction(db_factory, write=False) as db:
        found = (find_feed_token(db, old), find_feed_token(db, new))
        rows = db.scalars(select(FeedToken)).all()

    assert old != new
    assert (found[0], found[1] is not None, len(rows)) == (None, True, 1)


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "!" * 43, "a/b" + "c" * 40])
def test_malformed_and_unknown_tokens_find_nothing(db_factory: SessionFactory, token: str) -> None:
    with transaction(db_factory, write=False) as db:
        found = find_feed_token(db, token)

    assert found is None


def test_a_different_secret_key_shows_no_link(db_factory: SessionFactory) -> None:
    with transaction(db_factory) as db:
        user = make_user(db)
        issue_feed_token(db, user.id, SECRET, NOW)

    with transaction(db_factory, write=False) as db:
        shown = current_feed_token(db, user.id, "another-secret")

    assert shown is None


def test_a_new_version_is_dated_at_least_a_second_after_the_last(
    db_factory: SessionFactory,
) -> None:
    with transaction(db_factory) as db:
        user = make_user(db)
        token = issue_feed_token(db, user.id, SECRET, NOW)

    dates = []
    for etag in ('"a"', '"a"', '"b"'):
        with transaction(db_factory) as db:
            access = find_feed_token(db, token)
            assert access is not None
            if access.feed_etag != etag:
                note_feed_etag(db, access.token_id, etag, next_feed_modified(access, NOW))
        with transaction(db_factory, write=False) as db:
            access = find_feed_token(db, token)
            assert access is not None
            dates.append(access.feed_changed_at)

    assert dates == [NOW, NOW, NOW + timedelta(seconds=1)]
