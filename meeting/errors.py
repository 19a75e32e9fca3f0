"""Domain errors carrying what the edges need (location, code); no HTTP here."""

from __future__ import annotations

from dataclasses import dataclass


class MeetingError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(MeetingError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    code = "not_found"


class Refused(MeetingError):
    """The action is understood but not allowed; `message` says why."""

    code = "refused"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is."""

    message: str
    location: str = ""
    line: int | None = None
    session: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.location:
            where.append(self.location)
        if self.session:
            where.append(f"session {self.session}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InvalidInput(MeetingError):
    """The input has one or more problems; all of them are listed."""

    code = "invalid"

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = problems
        summary = message or "; ".join(str(p) for p in problems[:3])
        if message is None and len(problems) > 3:  # noqa: PLR2004
            summary += f" (and {len(problems) - 3} more)"
        super().__init__(summary)


class NotSignedIn(MeetingError):
    """The action needs an account; pages send the visitor to sign in."""

    code = "not_signed_in"


class TooManyRequests(Refused):
    """Refused for a while because of too many attempts."""

    code = "throttled"
