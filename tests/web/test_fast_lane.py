"""The fast lane: cached feeds, exports and anonymous pages are replayed without a query,
and never once their sources change (in this process at once, from others after a poll)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from sqlalchemy import Engine, event, insert, select
from starlette.testclient import TestClient

from meeting.accounts.models import User
from meeting.agenda.models import AgendaEntry
from meeting.agenda.service import add_to_agenda
from meeting.calendars.tokens import issue_feed_token
from meeting.clock import FrozenClock
from meeting.config import Settings
from meeting.db import SessionFactory, transaction
from meeting.enums import AgendaState
from meeting.exports import render_meeting_export
from meeting.freshness.models import FeedChange
from meeting.freshness.response_cache import CacheTag
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting, Session
from meeting.services import Services
from tests.conftest import NOW, import_document
from tests.factories import pacific, with_session
from tests.servers import thread_server
from tests.web.test_calendar_feeds import fetch_feed, subscribe

pytestmark = pytest.mark.integration


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every SQL statement any engine in this process runs inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def services_of(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


def codes_in(body: bytes) -> list[str]:
    return [
        line.split(":", 1)[1].split("@")[0]
        for line in body.decode().split("\r\n")
        if line.startswith("UID:")
    ]


def test_a_feed_poll_is_answered_without_a_query(
    client: TestClient, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201")
    first = fetch_feed(client, path)

    with counted_queries() as statements:
        again = fetch_feed(client, path)
        unchanged = fetch_feed(client, path, **{"If-None-Match": first.headers["etag"]})
        by_date = fetch_feed(client, path, **{"If-Modified-Since": first.headers["last-modified"]})

    assert statements == []
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == first.headers["last-modified"]
    assert (unchanged.status_code, unchanged.content, by_date.status_code) == (304, b"", 304)
    assert unchanged.headers["etag"] == first.headers["etag"]
    assert "content-type" not in unchanged.headers


def test_my_agenda_change_reaches_my_feed_at_once(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201")
    before = fetch_feed(client, path)
    with transaction(db_factory) as db:
        user_id = db.scalar(select(AgendaEntry.user_id))
        meeting = db.scalars(select(Meeting)).one()
        user = db.get_one(User, user_id)
        add_to_agenda(db, user, meeting, "PLEN-01", NOW)

    after = fetch_feed(client, path, **{"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert sorted(codes_in(after.content)) == ["LYM-201", "PLEN-01"]


def test_a_replaced_link_stops_answering_at_once(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    path = subscribe(client, "LYM-201")
    assert fetch_feed(client, path).status_code == 200
    with transaction(db_factory) as db:
        user_id = db.scalar(select(AgendaEntry.user_id))
        assert user_id is not None
        issue_feed_token(db, user_id, "test-secret-key", NOW)

    assert fetch_feed(client, path).status_code == 404


def test_a_schedule_change_reaches_the_exports_at_once(
    client: TestClient, db_factory: SessionFactory, program: ProgramDocument
) -> None:
    first = client.get("/schedule.xml")
    assert client.get("/schedule.xml").content == first.content
    moved = with_session(program, "LYM-201", start=pacific(6, 15), end=pacific(6, 16, 30))
    import_document(db_factory, moved)

    after = client.get("/schedule.xml", headers={"If-None-Match": first.headers["etag"]})

    assert after.status_code == 200
    assert after.content != first.content


def test_another_process_change_is_followed_after_one_poll(
    client: TestClient, engine: Engine, program: ProgramDocument
) -> None:
    """Written with plain SQL (as another process would: no in-process announcement)."""
    path = subscribe(client, "LYM-201")
    before = fetch_feed(client, path)
    with engine.begin() as conn:
        user_id = conn.scalar(select(AgendaEntry.user_id))
        plenary = conn.scalar(select(Session.id).where(Session.code == "PLEN-01"))
        conn.execute(
            insert(AgendaEntry).values(
                user_id=user_id,
                session_id=plenary,
                state=AgendaState.CONFIRMED,
                added_at=datetime.now(UTC),
                added_version=1,
            )
        )
        conn.execute(insert(FeedChange).values(user_id=user_id, changed_at=datetime.now(UTC)))

    services_of(client).watcher.poll()
    after = fetch_feed(client, path)

    assert before.content != after.content
    assert sorted(codes_in(after.content)) == ["LYM-201", "PLEN-01"]


def test_another_process_schedule_change_is_followed_after_one_poll(
    client: TestClient, engine: Engine, program: ProgramDocument
) -> None:
    first = client.get("/api/sessions")
    with engine.begin() as conn:
        conn.execute(
            Session.__table__.update()  # type: ignore[attr-defined]
            .where(Session.code == "LYM-201")
            .values(title="Renamed elsewhere")
        )
        conn.execute(Meeting.__table__.update().values(schedule_version=99))  # type: ignore[attr-defined]

    services_of(client).watcher.poll()
    after = client.get("/api/sessions")

    assert "Renamed elsewhere" not in first.text
    assert "Renamed elsewhere" in after.text


def test_nothing_is_replayed_while_the_watcher_cannot_vouch(
    client: TestClient, program: ProgramDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/schedule.json")
    watcher = services_of(client).watcher
    monkeypatch.setattr(watcher, "_last_poll", -1e9)

    with counted_queries() as statements:
        again = client.get("/schedule.json")

    assert again.status_code == 200
    assert statements != []


def test_the_anonymous_program_page_is_replayed_but_not_to_signed_in_people(
    client: TestClient, program: ProgramDocument
) -> None:
    url = "/program?day=2020-12-05&tz=Asia/Tokyo"
    client.cookies.clear()
    first = client.get(url)
    client.cookies.clear()

    with counted_queries() as anonymous:
        again = client.get(url)
    client.cookies.set("meeting_session", "anything")
    with counted_queries() as with_cookie:
        client.get(url)

    assert "meeting_session" not in first.headers.get("set-cookie", "")
    assert anonymous == []
    assert (again.status_code, again.text) == (200, first.text)
    assert again.headers["set-cookie"] == first.headers["set-cookie"]  # the ?tz= choice
    assert with_cookie != []


@pytest.mark.parametrize(
    ("cookie", "kept"),
    [(b"tz=Asia/Tokyo; Path=/", True), (b"meeting_session=abc; path=/", False)],
)
def test_only_replayable_cookies_are_cached(client: TestClient, cookie: bytes, kept: bool) -> None:
    cache = services_of(client).responses
    headers = [(b"content-type", b"text/plain"), (b"set-cookie", cookie)]
    stored = cache.store(("/x", b""), CacheTag(1, 1), headers, b"x")
    assert stored is kept


def test_concurrent_misses_of_one_url_render_it_once(
    settings: Settings,
    clock: FrozenClock,
    program: ProgramDocument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a change every poller of a big export arrives at once: one renders, all get it."""
    renders: list[str] = []

    def slow_render(*args: Any) -> tuple[bytes, datetime]:
        renders.append(args[2])
        time.sleep(0.3)  # long enough for every request to arrive while it renders
        return render_meeting_export(*args)

    monkeypatch.setattr("meeting.web.feeds.render_meeting_export", slow_render)
    with thread_server(settings, clock) as base, ThreadPoolExecutor(12) as pool:
        responses = list(
            pool.map(lambda _: httpx2.get(f"{base}/schedule.xml", timeout=30), range(12))
        )

    assert [r.status_code for r in responses] == [200] * 12
    assert len({r.content for r in responses}) == 1
    assert renders == ["frab-xml"]
