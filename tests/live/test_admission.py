"""Arrivals are admitted in batches: one thread hop for everyone at the door at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from meeting.db import SessionFactory, transaction
from meeting.errors import MeetingError
from meeting.live.access import Admitted, Door
from meeting.live.admission import Admissions
from tests.conftest import import_document
from tests.factories import make_program, make_user
from tests.loops import run_in_own_loop

pytestmark = pytest.mark.integration

PLENARY = Door(None, "", "PLEN-01")
TRAINEES_ONLY = Door(None, "", "LUNCH-T1")


def test_arrivals_at_once_are_decided_in_one_thread_hop_each_as_alone(
    db_factory: SessionFactory,
) -> None:
    import_document(db_factory, make_program())
    with transaction(db_factory) as db:
        fellow = make_user(db, name="Fellow Fong", career_stage="fellow").id
        faculty = make_user(db, name="Prof Petrov", career_stage="faculty").id
    arrivals = [(PLENARY, fellow)] * 20 + [
        (PLENARY, faculty),
        (TRAINEES_ONLY, fellow),
        (TRAINEES_ONLY, faculty),
        (PLENARY, 999_999),
        (Door(None, "", "NO-SUCH-ROOM"), fellow),
    ]
    hops: list[int] = []

    async def counted(function: Callable[..., Any], *args: Any) -> Any:
        hops.append(len(args[0]))
        return await asyncio.to_thread(function, *args)

    async def scenario() -> list[str]:
        admissions = Admissions(db_factory, counted)
        results = await asyncio.gather(
            *(admissions.admit(door, user_id) for door, user_id in arrivals),
            return_exceptions=True,
        )
        again = await admissions.admit(PLENARY, faculty)  # later, alone: a batch of one
        return [_outcome(r) for r in [*results, again]]

    outcomes = run_in_own_loop(scenario())

    assert outcomes == [
        *["PLEN-01 Fellow Fong"] * 20,
        "PLEN-01 Prof Petrov",
        "LUNCH-T1 Fellow Fong",
        "refused: This event is for trainees only (medical students, residents and fellows); "
        "your profile says faculty.",
        "refused: sign in first",
        "not_found: There is no session with the code 'NO-SUCH-ROOM' in Test Annual Meeting 2020.",
        "PLEN-01 Prof Petrov",
    ]
    assert hops == [len(arrivals), 1]


def _outcome(result: Admitted | BaseException) -> str:
    if isinstance(result, MeetingError):
        return f"{result.code}: {result.message}"
    assert not isinstance(result, BaseException)
    info, member = result
    return f"{info.code} {member.name}"
