"""Closed vocabularies shared by every layer (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class SessionKind(StrEnum):
    """What sort of session this is; drives labels, filters and frab `type`."""

    PLENARY = "plenary"
    SCIENTIFIC = "scientific"
    SPECIAL_SCIENTIFIC = "special-scientific"
    EDUCATION = "education"
    WORKSHOP = "workshop"
    TRAINEE = "trainee"
    MENTORING = "mentoring"
    ROUND_TABLE = "round-table"
    RECEPTION = "reception"
    LISTENING = "listening"
    POSTER = "poster"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SessionKind.PLENARY: "Plenary",
    SessionKind.SCIENTIFIC: "Scientific",
    SessionKind.SPECIAL_SCIENTIFIC: "Special scientific",
    SessionKind.EDUCATION: "Education",
    SessionKind.WORKSHOP: "Workshop",
    SessionKind.TRAINEE: "Trainee",
    SessionKind.MENTORING: "Mentoring",
    SessionKind.ROUND_TABLE: "Round table",
    SessionKind.RECEPTION: "Reception",
    SessionKind.LISTENING: "Listening session",
    SessionKind.POSTER: "Poster",
    SessionKind.OTHER: "Other",
}


class Audience(StrEnum):
    """Who may attend a session."""

    EVERYONE = "everyone"
    TRAINEES = "trainees"
    MEMBERS = "members"
    INVITE_ONLY = "invite-only"

    @property
    def label(self) -> str:
        return _AUDIENCE_LABELS[self]


_AUDIENCE_LABELS = {
    Audience.EVERYONE: "Everyone",
    Audience.TRAINEES: "Trainees only",
    Audience.MEMBERS: "Members only",
    Audience.INVITE_ONLY: "By invitation",
}


class SessionStatus(StrEnum):
    """Whether a session still takes place; cancelled sessions are kept, never deleted."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SpeakerRole(StrEnum):
    """A person's part in a session."""

    SPEAKER = "speaker"
    CHAIR = "chair"
    MODERATOR = "moderator"
    PANELIST = "panelist"
    HOST = "host"
    MENTOR = "mentor"


class ChangeKind(StrEnum):
    """One kind of change-log row; feeds and notices react to these."""

    CREATED = "created"
    MOVED = "moved"
    ROOM_CHANGED = "room-changed"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    DETAILS_CHANGED = "details-changed"


class CareerStage(StrEnum):
    """Where an attendee is in their career; trainee-only events check it."""

    MEDICAL_STUDENT = "medical-student"
    RESIDENT = "resident"
    FELLOW = "fellow"
    POSTDOC = "postdoc"
    EARLY_CAREER_FACULTY = "early-career-faculty"
    FACULTY = "faculty"
    INDUSTRY = "industry"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()

    @property
    def is_trainee(self) -> bool:
        return self in TRAINEE_STAGES


TRAINEE_STAGES = frozenset({CareerStage.MEDICAL_STUDENT, CareerStage.RESIDENT, CareerStage.FELLOW})


class Role(StrEnum):
    """What an account may do beyond attending."""

    ATTENDEE = "attendee"
    MODERATOR = "moderator"
    ORGANIZER = "organizer"


class AgendaState(StrEnum):
    """An agenda entry holds a seat, or a place in the ordered waitlist."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class NoticeKind(StrEnum):
    """What a personal notice is about."""

    PROMOTED = "promoted"
    MOVED = "moved"
    ROOM_CHANGED = "room-changed"
    CANCELLED = "cancelled"
    RESTORED = "restored"


class RoomState(StrEnum):
    """Where a live room is in its day, decided by the clock."""

    UPCOMING = "upcoming"
    LOBBY = "lobby"
    LIVE = "live"
    ENDED = "ended"
