"""A synthetic but plausible program of any size (seeded), for tests and benchmarks."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meeting.enums import Audience, SessionKind, SpeakerRole
from meeting.program.document import (
    MeetingDoc,
    ProgramDocument,
    RoomDoc,
    SessionDoc,
    SessionSpeakerDoc,
    SpeakerDoc,
    TrackDoc,
)

_TOPICS = [
    ("lymphoma", "Lymphoma"),
    ("myeloma", "Myeloma"),
    ("leukemia", "Leukemia"),
    ("sickle-cell-disease", "Sickle cell disease"),
    ("precision-medicine", "Precision medicine"),
    ("thrombosis", "Thrombosis and hemostasis"),
    ("transplantation", "Transplantation"),
    ("health-equity", "Health equity"),
    ("careers", "Careers"),
    ("basic-science", "Basic science"),
]
_FIRST = [
    "Amara",
    "Jun",
    "Lucía",
    "Kwame",
    "Ingrid",
    "Rahul",
    "Mei",
    "Tomás",
    "Aisha",
    "Lars",
    "Chiara",
    "Oluwaseun",
    "Sven",
    "Yuki",
    "Fatima",
    "Mateo",
    "Hana",
    "Dmitri",
    "Zainab",
    "Noah",
]
_LAST = [
    "Okafor",
    "Tanaka",
    "García",
    "Mensah",
    "Sørensen",
    "Patel",
    "Chen",
    "Müller",
    "Haddad",
    "Nilsson",
    "Rossi",
    "Adeyemi",
    "Kowalski",
    "Sato",
    "Rahman",
    "Silva",
    "Kim",
    "Ivanov",
    "Abdullah",
    "Brown",
]
_INSTITUTIONS = [
    "University of Toronto",
    "Karolinska Institutet",
    "University of São Paulo",
    "Kyoto University",
    "University of Lagos",
    "Charité Berlin",
    "Johns Hopkins University",
    "Tata Memorial Centre",
    "Peking University",
    "University of Melbourne",
]
_FORMS = [
    "Advances in",
    "Controversies in",
    "Updates on",
    "New Therapies for",
    "Biology of",
    "Case-Based Review of",
    "Oral Abstracts:",
    "Late-Breaking Results in",
]
_KINDS = (
    [SessionKind.SCIENTIFIC] * 6
    + [SessionKind.EDUCATION] * 3
    + [SessionKind.WORKSHOP, SessionKind.POSTER, SessionKind.TRAINEE, SessionKind.PLENARY]
)
_SLOT_MINUTES = 90
_DAY_START = 7


def generate_program(n_sessions: int, *, seed: int = 2020, days: int = 4) -> ProgramDocument:
    """`n_sessions` sessions over `days` days in parallel rooms; same seed, same program."""
    rng = random.Random(seed)
    zone = ZoneInfo("America/Los_Angeles")
    first_day = date(2020, 12, 5)
    slots_per_day = 8
    rooms_needed = max(1, -(-n_sessions // (days * slots_per_day)))
    rooms = tuple(
        RoomDoc(f"room-{i + 1}", f"Channel {i + 1}", f"https://stream.example.org/room-{i + 1}")
        for i in range(rooms_needed)
    )
    tracks = tuple(TrackDoc(slug, name) for slug, name in _TOPICS)
    speakers = tuple(
        SpeakerDoc(
            f"s{i + 1}",
            f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "MD, PhD",
            rng.choice(_INSTITUTIONS),
        )
        for i in range(max(10, n_sessions * 3 // 2))
    )
    sessions = []
    for i in range(n_sessions):
        day, rest = divmod(i, slots_per_day * rooms_needed)
        slot, room = divmod(rest, rooms_needed)
        day %= days
        start = datetime.combine(first_day + timedelta(days=day), time(_DAY_START), zone)
        start += timedelta(minutes=slot * _SLOT_MINUTES)
        slug, name = rng.choice(_TOPICS)
        kind = rng.choice(_KINDS)
        chosen = rng.sample(speakers, k=rng.randint(1, 4))
        sessions.append(
            SessionDoc(
                code=f"S{i + 1:05d}",
                title=f"{rng.choice(_FORMS)} {name}",
                kind=kind,
                start=start.astimezone(ZoneInfo("UTC")),
                end=(start + timedelta(minutes=75)).astimezone(ZoneInfo("UTC")),
                room=rooms[room].slug,
                tracks=(slug,),
                audience=Audience.TRAINEES if kind == SessionKind.TRAINEE else Audience.EVERYONE,
                capacity=rng.choice([40, 60, 100]) if kind == SessionKind.WORKSHOP else None,
                description=f"A synthetic {kind.label.lower()} session on {name.lower()}.",
                speakers=tuple(
                    SessionSpeakerDoc(s.key, SpeakerRole.CHAIR if j == 0 else SpeakerRole.SPEAKER)
                    for j, s in enumerate(chosen)
                ),
            )
        )
    return ProgramDocument(
        meeting=MeetingDoc(
            slug="synthetic",
            title=f"Synthetic meeting ({n_sessions} sessions)",
            timezone=zone.key,
            start_date=first_day,
            end_date=first_day + timedelta(days=days - 1),
        ),
        tracks=tracks,
        rooms=rooms,
        speakers=speakers,
        sessions=tuple(sessions),
    )
