"""IANA time-zone names: validation and the list offered to viewers."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from meeting.errors import InvalidInput, Problem


@cache
def zone_names() -> tuple[str, ...]:
    """Canonical-looking IANA names (Area/City), sorted; legacy aliases left out."""
    names = (
        n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
    )
    return tuple(sorted({*names, "UTC"}))


def parse_zone(name: str) -> ZoneInfo:
    """A ZoneInfo for a known IANA name, else InvalidInput naming the field `tz`."""
    if name not in _known():
        raise InvalidInput([Problem(f"{name!r} is not an IANA time zone", "tz", field="tz")])
    return ZoneInfo(name)


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def utc_offset_label(zone: ZoneInfo, at: datetime) -> str:
    """'UTC-08:00' style label of a zone's offset at an instant."""
    offset = at.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
