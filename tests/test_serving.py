"""`meeting serve`'s per-process set-up."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from meeting.serving import SWITCH_INTERVAL_S, app_from_env

pytestmark = pytest.mark.unit


@pytest.fixture
def restored_switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("restored_switch_interval")
def test_each_worker_lets_database_threads_take_the_gil_within_a_millisecond(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MEETING_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MEETING_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("MEETING_SECRET_KEY", "test-secret-key")
    sys.setswitchinterval(0.005)

    app_from_env()

    assert round(sys.getswitchinterval(), 6) == SWITCH_INTERVAL_S == 0.001
