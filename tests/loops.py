"""Running a coroutine from a test, whatever loop the test's thread may already hold."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_own_loop(scenario: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own (Playwright's sync API may hold this one's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario).result()
