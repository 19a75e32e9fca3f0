"""Demo accounts for `meeting demo` (and the browser tests): one of each kind of person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session as DbSession

from meeting.accounts.service import Registration, invite, register
from meeting.enums import CareerStage, Role
from meeting.program.queries import get_meeting


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    name: str
    stage: CareerStage
    role: Role
    member: bool
    description: str
    interests: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount(
        "fellow@demo.meeting",
        "demo-fellow-2020",
        "Amara Okafor",
        CareerStage.FELLOW,
        Role.ATTENDEE,
        False,
        "hematology fellow, trainee events",
        ("sickle-cell-disease", "careers"),
    ),
    DemoAccount(
        "member@demo.meeting",
        "demo-member-2020",
        "Lars Nilsson",
        CareerStage.FACULTY,
        Role.ATTENDEE,
        True,
        "faculty member, members-only events",
        ("lymphoma", "myeloma"),
    ),
    DemoAccount(
        "chair@demo.meeting",
        "demo-chair-2020",
        "Mei Chen",
        CareerStage.FACULTY,
        Role.MODERATOR,
        True,
        "session chair / moderator",
        ("leukemia",),
    ),
    DemoAccount(
        "organizer@demo.meeting",
        "demo-organizer-2020",
        "Rahul Patel",
        CareerStage.OTHER,
        Role.ORGANIZER,
        True,
        "organizer: may move and cancel sessions",
    ),
)


def create_demo_accounts(db: DbSession) -> None:
    for account in DEMO_ACCOUNTS:
        register(
            db,
            Registration(
                email=account.email,
                name=account.name,
                password=account.password,
                career_stage=account.stage,
                is_member=account.member,
                interests=list(account.interests),
            ),
            role=account.role,
        )
    meeting = get_meeting(db, "ash-2020")
    invite(db, meeting, "member@demo.meeting", "DINNER-CPD")
