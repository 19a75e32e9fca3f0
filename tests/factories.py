"""Typed builders of test data; every field can be overridden by keyword."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session as DbSession

from meeting.accounts.models import User
from meeting.accounts.service import Registration, register
from meeting.enums import Audience, Role, SessionKind, SpeakerRole
from meeting.program.document import (
    MeetingDoc,
    ProgramDocument,
    RoomDoc,
    SessionDoc,
    SessionSpeakerDoc,
    SpeakerDoc,
    TrackDoc,
)

PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific(day: int, hour: int, minute: int = 0) -> datetime:
    """A December 2020 Pacific wall time, as the UTC instant the documents hold."""
    return datetime(2020, 12, day, hour, minute, tzinfo=PACIFIC).astimezone(UTC)


def make_meeting(**overrides: Any) -> MeetingDoc:
    values: dict[str, Any] = {
        "slug": "test-2020",
        "title": "Test Annual Meeting 2020",
        "timezone": "America/Los_Angeles",
        "start_date": date(2020, 12, 5),
        "end_date": date(2020, 12, 8),
        "virtual": True,
    }
    return MeetingDoc(**{**values, **overrides})


def make_session(**overrides: Any) -> SessionDoc:
    values: dict[str, Any] = {
        "code": "PLEN-01",
        "title": "Plenary Scientific Session",
        "kind": SessionKind.PLENARY,
        "start": pacific(5, 9),
        "end": pacific(5, 10, 30),
        "room": "ch1",
    }
    return SessionDoc(**{**values, **overrides})


def make_program(**overrides: Any) -> ProgramDocument:
    """A small program with every shape the pages and formats must handle."""
    sessions = (
        make_session(
            tracks=("lymphoma",),
            description="The year's most important abstracts.\n\nQuestions at the end.",
            speakers=(
                SessionSpeakerDoc("lweeks", SpeakerRole.CHAIR),
                SessionSpeakerDoc("jmuller"),
            ),
        ),
        make_session(
            code="WS-101",
            title="Workshop on Stem Cell Niches",
            kind=SessionKind.WORKSHOP,
            start=pacific(5, 7),
            end=pacific(5, 9),
            room="ch2",
            capacity=2,
            tracks=("basic-science",),
            speakers=(SessionSpeakerDoc("jmuller"),),
        ),
        make_session(
            code="LYM-201",
            title="Advances in Lymphoma",
            kind=SessionKind.SCIENTIFIC,
            start=pacific(6, 13),
            end=pacific(6, 14, 30),
            tracks=("lymphoma",),
            description="New therapies for diffuse large B-cell lymphoma.",
            speakers=(SessionSpeakerDoc("aokafor"),),
        ),
        make_session(
            code="LUNCH",
            title="Trainee Career Development Lunch",
            kind=SessionKind.ROUND_TABLE,
            start=pacific(6, 11),
            end=pacific(6, 12, 30),
            room="ch2",
            audience=Audience.TRAINEES,
            tracks=("careers",),
        ),
        make_session(
            code="LUNCH-T1",
            title="Table: Medical education",
            kind=SessionKind.ROUND_TABLE,
            start=pacific(6, 11),
            end=pacific(6, 12, 30),
            room="ch2",
            parent="LUNCH",
            audience=Audience.TRAINEES,
            capacity=8,
            speakers=(SessionSpeakerDoc("aokafor", SpeakerRole.HOST),),
        ),
        make_session(
            code="LUNCH-T2",
            title="Table: Industry",
            kind=SessionKind.ROUND_TABLE,
            start=pacific(6, 11),
            end=pacific(6, 12, 30),
            room="ch2",
            parent="LUNCH",
            audience=Audience.TRAINEES,
            capacity=8,
        ),
        make_session(
            code="REC-01",
            title="Trainee Welcome Reception",
            kind=SessionKind.RECEPTION,
            start=pacific(7, 17),
            end=pacific(7, 18, 30),
            room=None,
            audience=Audience.TRAINEES,
        ),
        make_session(
            code="LATE-01",
            title="Evening Education Session",
            kind=SessionKind.EDUCATION,
            start=pacific(8, 20),
            end=pacific(8, 21),
            room="ch1",
        ),
    )
    values: dict[str, Any] = {
        "meeting": make_meeting(),
        "tracks": (
            TrackDoc("lymphoma", "Lymphoma", "#7b3294"),
            TrackDoc("basic-science", "Basic science"),
            TrackDoc("careers", "Careers"),
        ),
        "rooms": (
            RoomDoc("ch1", "Channel 1", "https://stream.example.org/ch1"),
            RoomDoc("ch2", "Channel 2"),
        ),
        "speakers": (
            SpeakerDoc("lweeks", "Lachelle Weeks", "MD, PhD", "Dana-Farber Cancer Institute"),
            SpeakerDoc("jmuller", "Jürgen Müller", "MD", "Charité; Berlin"),
            SpeakerDoc("aokafor", "Adaeze Okafor", "PhD", "University of Lagos"),
        ),
        "sessions": sessions,
    }
    return ProgramDocument(**{**values, **overrides})


def with_session(program: ProgramDocument, code: str, **changes: Any) -> ProgramDocument:
    """The program with one session changed (for re-import tests)."""
    sessions = tuple(replace(s, **changes) if s.code == code else s for s in program.sessions)
    return replace(program, sessions=sessions)


def without_session(program: ProgramDocument, code: str) -> ProgramDocument:
    return replace(program, sessions=tuple(s for s in program.sessions if s.code != code))


def make_registration(**overrides: Any) -> Registration:
    values: dict[str, Any] = {
        "email": "fellow@example.org",
        "name": "Amara Okafor",
        "password": "correct horse battery",
        "career_stage": "fellow",
        "timezone": "",
        "is_member": False,
        "interests": [],
    }
    return Registration(**{**values, **overrides})


def make_user(db: DbSession, *, role: Role = Role.ATTENDEE, **overrides: Any) -> User:
    """A registered account (argon2 hash and all); email defaults to a unique one."""
    overrides.setdefault("email", f"user{next(_emails)}@example.org")
    return register(db, make_registration(**overrides), role=role)


_emails = count(1)
