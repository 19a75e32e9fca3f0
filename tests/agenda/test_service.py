"""Agenda rules on real databases: eligibility, capacity, ordered waitlist, promotion."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from meeting.accounts.models import User
from meeting.accounts.service import invite
from meeting.agenda.models import Notice
from meeting.agenda.service import AgendaResult, add_to_agenda, remove_from_agenda
from meeting.db import SessionFactory, transaction
from meeting.enums import AgendaState, Audience, NoticeKind, Role, SessionKind
from meeting.errors import NotFound, Refused
from meeting.program.document import ProgramDocument
from meeting.program.models import Meeting
from tests.conftest import NOW, import_document
from tests.factories import make_program, make_session, make_user, pacific

pytestmark = pytest.mark.integration


def new_user(factory: SessionFactory, **overrides: object) -> User:
    with transaction(factory) as db:
        return make_user(db, **overrides)  # type: ignore[arg-type]


def add(factory: SessionFactory, user: User, code: str) -> AgendaResult:
    with transaction(factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        return add_to_agenda(db, user, meeting, code, NOW)


def remove(factory: SessionFactory, user: User, code: str) -> AgendaResult:
    with transaction(factory) as db:
        meeting = db.scalars(select(Meeting)).one()
        return remove_from_agenda(db, user, meeting, code, NOW)


def test_seats_then_an_ordered_waitlist(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    users = [new_user(db_factory) for _ in range(4)]

    results = [add(db_factory, u, "WS-101") for u in users]

    assert [(r.state, r.position) for r in results] == [
        (AgendaState.CONFIRMED, None),
        (AgendaState.CONFIRMED, None),
        (AgendaState.WAITLISTED, 1),
        (AgendaState.WAITLISTED, 2),
    ]


def test_adding_twice_changes_nothing(db_factory: SessionFactory, program: ProgramDocument) -> None:
    user = new_user(db_factory)

    first, second = add(db_factory, user, "LYM-201"), add(db_factory, user, "LYM-201")

    assert first == second == AgendaResult("LYM-201", AgendaState.CONFIRMED, None)


def test_leaving_promotes_the_first_waitlisted_and_tells_them(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    a, b, c, d = (new_user(db_factory) for _ in range(4))
    for user in (a, b, c, d):
        add(db_factory, user, "WS-101")

    result = remove(db_factory, a, "WS-101")

    assert result.promoted_user_id == c.id
    assert add(db_factory, c, "WS-101").state == AgendaState.CONFIRMED
    assert add(db_factory, d, "WS-101") == AgendaResult("WS-101", AgendaState.WAITLISTED, 1)
    with transaction(db_factory, write=False) as db:
        notices = db.scalars(select(Notice)).all()
    assert [(n.user_id, n.kind) for n in notices] == [(c.id, NoticeKind.PROMOTED)]


def test_leaving_the_waitlist_promotes_nobody(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    a, b, c = (new_user(db_factory) for _ in range(3))
    for user in (a, b, c):
        add(db_factory, user, "WS-101")

    result = remove(db_factory, c, "WS-101")

    assert result.promoted_user_id is None


def test_trainee_only_event_refuses_faculty_with_the_reason(
    db_factory: SessionFactory, program: ProgramDocument
) -> None:
    faculty = new_user(db_factory, career_stage="faculty")

    with pytest.raises(Refused) as refused:
        add(db_factory, faculty, "LUNCH-T1")

    assert refused.value.message == (
        "This event is for trainees only (medical students, residents and fellows); "
        "your profile says faculty."
    )


@pytest.mark.parametrize("stage", ["medical-student", "resident", "fellow"])
def test_trainee_only_event_accepts_trainees(
    db_factory: SessionFactory, program: ProgramDocument, stage: str
) -> None:
    trainee = new_user(db_factory, career_stage=stage)

    assert add(db_factory, trainee, "LUNCH-T1").state == AgendaState.CONFIRMED


def test_members_and_invite_only_rules(db_factory: SessionFactory) -> None:
    program = make_program()
    sessions = (
        *program.sessions,
        make_session(
            code="BIZ",
            title="Business meeting",
            audience=Audience.MEMBERS,
            start=pacific(7, 12),
            end=pacific(7, 13),
            kind=SessionKind.OTHER,
        ),
        make_session(
            code="DINNER",
            title="Committee dinner",
            audience=Audience.INVITE_ONLY,
            start=pacific(7, 19),
            end=pacific(7, 21),
            kind=SessionKind.OTHER,
        ),
    )
    import_document(db_factory, replace(program, sessions=sessions))
    outsider = new_user(db_factory)
    member = new_user(db_factory, is_member=True, email="member@example.org")

    with pytest.raises(Refused, match="for society members only"):
        add(db_factory, outsider, "BIZ")
    with pytest.raises(Refused, match="by invitation only"):
        add(db_factory, member, "DINNER")
    with transaction(db_factory) as db:
        invite(db, db.scalars(select(Meeting)).one(), "MEMBER@example.org", "DINNER")

    assert add(db_factory, member, "BIZ").state == AgendaState.CONFIRMED
    assert add(db_factory, member, "DINNER").state == AgendaState.CONFIRMED


def test_organizers_may_join_anything(db_factory: SessionFactory, program: ProgramDocument) -> None:
    organizer = new_user(db_factory, career_stage="faculty", role=Role.ORGANIZER)

    assert add(db_factory, organizer, "LUNCH-T1").state == AgendaState.CONFIRMED


def test_unknown_session_is_not_found(db_factory: SessionFactory, program: ProgramDocument) -> None:
    with pytest.raises(NotFound):
        add(db_factory, new_user(db_factory), "NOPE")


def test_mentors_may_join_trainee_mentoring_sessions(db_factory: SessionFactory) -> None:
    program = make_program()
    mentoring = make_session(
        code="BUDDIES",
        kind=SessionKind.MENTORING,
        audience=Audience.TRAINEES,
        start=pacific(5, 13),
        end=pacific(5, 14),
    )
    import_document(db_factory, replace(program, sessions=(*program.sessions, mentoring)))
    mentor = new_user(db_factory, career_stage="faculty")

    assert add(db_factory, mentor, "BUDDIES").state == AgendaState.CONFIRMED
