"""Field-level vocabulary shared by the frab XML and c3voc JSON formats, in both directions.

Kinds, codes, slugs, durations, guids and person keys are mapped here once, so that the
XML and the JSON exports agree and re-importing our own export recovers the same codes.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from meeting.enums import SessionKind

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
MAX_SLUG = 80
MAX_CODE = 100

_DURATION = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?")
_CODE_IN_PATH = re.compile(r"/(?:sessions|talk)/([^/]+)/?$")
_MAX_HOURS = 99  # the XSD's duration pattern allows two hour digits
_TYPE_TO_KIND = {
    "workshop": SessionKind.WORKSHOP,
    "keynote": SessionKind.PLENARY,
    "plenary": SessionKind.PLENARY,
    "lecture": SessionKind.SCIENTIFIC,
    "talk": SessionKind.SCIENTIFIC,
    "podium": SessionKind.SCIENTIFIC,
    "lightning talk": SessionKind.SCIENTIFIC,
    "poster": SessionKind.POSTER,
}
_KIND_VALUES = frozenset(kind.value for kind in SessionKind)


def slugify(text: str, fallback: str = "x") -> str:
    """A slug of `text` (ASCII, lower case, `-` between words) that fits SLUG_PATTERN."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_SLUG].rstrip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … whichever is free; the result is added to `taken`."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


def is_code(text: str) -> bool:
    """Whether `text` can be a session code as it is."""
    return CODE_PATTERN.fullmatch(text) is not None


def derive_code(url: str, slug: str, event_id: str) -> str | None:
    """A session code for an event: from our own or pretalx's URL, else its slug, else its id."""
    match = _CODE_IN_PATH.search(urlsplit(url).path) if url else None
    if match is not None and is_code(unquote(match.group(1))):
        return unquote(match.group(1))
    if is_code(slug):
        return slug
    if is_code(event_id):
        return event_id
    return None


def kind_from_type(event_type: str) -> SessionKind:
    """Our kind for a frab `type`: our own values map to themselves, known frab words are mapped."""
    normalised = " ".join(event_type.lower().split())
    if normalised in _KIND_VALUES:
        return SessionKind(normalised)
    return _TYPE_TO_KIND.get(normalised, SessionKind.OTHER)


def parse_duration(text: str) -> timedelta | None:
    """`HH:MM` or `H:MM:SS` as a timedelta; None when the text is neither."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "0"
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds))


def format_duration(duration: timedelta) -> str:
    """`HH:MM`, rounded up to whole minutes (frab has no seconds)."""
    hours, minutes = divmod(math.ceil(duration.total_seconds() / 60), 60)
    if hours > _MAX_HOURS:
        raise ValueError(f"a duration of {duration} does not fit frab's HH:MM")
    return f"{hours:02d}:{minutes:02d}"


def meeting_url(base_url: str, meeting_slug: str) -> str:
    """The meeting's public root, under which sessions, rooms and speakers get stable URLs."""
    return f"{base_url.rstrip('/')}/m/{meeting_slug}"


def session_url(base_url: str, meeting_slug: str, code: str) -> str:
    """The session's public page; also the name its guid is derived from."""
    return f"{meeting_url(base_url, meeting_slug)}/sessions/{code}"


def stable_guid(url: str) -> str:
    """A UUID that stays the same for the same URL forever (uuid5 in the URL namespace)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, url))


def acronym_for(meeting_slug: str) -> str:
    """The conference acronym: both schemas want `[a-z0-9_]{4,}` (JSON allows no inner `-`)."""
    return meeting_slug.replace("-", "_").ljust(4, "_")


def event_slug(meeting_slug: str, code: str) -> str:
    """`<acronym>-<code>`: the XSD wants 4+ characters after the `-`, JSON an alnum at the end."""
    tail = code.lower().replace(".", "_")
    if len(tail) < 4 or not tail[-1].isalnum():  # noqa: PLR2004 - the XSD's minimum
        tail = tail.ljust(3, "_") + "0"
    return f"{acronym_for(meeting_slug)}-{tail}"


def person_key(person_id: str, guid: str, code: str, name: str) -> str:
    """A speaker key: `p-<id>` for frab's numeric ids, else from the guid, code or name."""
    if person_id.isascii() and person_id.isdigit():
        return f"p-{int(person_id)}"
    for candidate in (guid, code, name):
        if candidate.strip():
            return slugify(candidate, fallback="person")
    return "person"
