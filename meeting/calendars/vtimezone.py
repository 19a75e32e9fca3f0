"""VTIMEZONE components written from the IANA database, with RRULE rules (not RDATE lists).

icalendar's `add_missing_timezones()` writes each onset as DTSTART + RDATE; ical.js (the
parser of Thunderbird's calendar) reads only the first date of an RDATE line and ignores
the DTSTART of an RDATE-only rule, so events in daylight-saving time come out an hour off.
Here each regular yearly change becomes one STANDARD/DAYLIGHT with
`RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=nSU`, as in RFC 5545's own examples, and an irregular
change gets a component of its own with only DTSTART, which every parser reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAYS_IN_WEEK = 7


@dataclass(frozen=True)
class _Transition:
    """One change of offset: the instant, the offsets around it and what it is called."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def onset(self) -> datetime:
        """The onset as RFC 5545 writes it: local time in the offset before the change."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def rule_key(self) -> tuple[object, ...]:
        onset = self.onset
        return (
            self.daylight,
            self.offset_from,
            self.offset_to,
            self.name,
            onset.month,
            onset.weekday(),
            onset.time(),
        )


def vtimezone_bytes(zone_key: str, first_year: int, last_year: int) -> bytes:
    """The serialized VTIMEZONE of `zone_key`, correct for every instant in the years given."""
    return _cached_bytes(zone_key, first_year, last_year)


@lru_cache(maxsize=256)
def _cached_bytes(zone_key: str, first_year: int, last_year: int) -> bytes:
    return bytes(build_vtimezone(zone_key, first_year, last_year).to_ical())


def build_vtimezone(zone_key: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `zone_key` covering 1 January `first_year` to 31 December `last_year`.

    Transitions are found from zoneinfo itself (from the year before `first_year`, so the
    first covered instant already has an onset before it); rules that repeat every year
    up to `last_year` are left open-ended, which also covers later years while they hold.
    """
    zone = ZoneInfo(zone_key)
    start = datetime(first_year - 1, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    transitions = list(_transitions(zone, start, end))
    timezone = Timezone()
    timezone.add("tzid", zone_key)
    if not transitions or transitions[0].at > datetime(first_year, 1, 1, tzinfo=UTC):
        # No onset precedes the covered years: state the offset they start with.
        timezone.add_component(_fixed(zone, start))
    for group in _group_by_rule(transitions):
        timezone.add_component(_component(group, last_year))
    return timezone


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[_Transition]:
    """Every change of (offset, dst, name) between start and end, found to the second."""
    step = timedelta(days=1)
    before = start
    state = _state(zone, before)
    while before < end:
        after = min(before + step, end)
        if _state(zone, after) != state:
            at = _bisect(zone, before, after, state)
            new = _state(zone, at)
            # DAYLIGHT means "clocks go forward": Dublin's negative winter DST stays STANDARD.
            yield _Transition(at, state[0], new[0], new[2], new[0] > state[0])
            state, before = new, at
            continue
        before = after


def _state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, bool, str]:
    local = at.astimezone(zone)
    return local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or zone.key


def _bisect(
    zone: ZoneInfo, low: datetime, high: datetime, state: tuple[timedelta, bool, str]
) -> datetime:
    """The first whole second in (low, high] whose state differs from `state`."""
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if _state(zone, middle) == state:
            low = middle
        else:
            high = middle
    return high


def _group_by_rule(transitions: list[_Transition]) -> list[list[_Transition]]:
    """Runs of yearly transitions that one RRULE can describe; others stand alone."""
    groups: list[list[_Transition]] = []
    open_runs: dict[tuple[object, ...], list[_Transition]] = {}
    for transition in transitions:
        key = transition.rule_key()
        run = open_runs.get(key)
        if (
            run is not None
            and run[-1].onset.year + 1 == transition.onset.year
            and _byday([*run, transition]) is not None
        ):
            run.append(transition)
            continue
        run = [transition]
        open_runs[key] = run
        groups.append(run)
    return groups


def _byday(run: list[_Transition]) -> str | None:
    """A BYDAY value ('2SU', '-1SU') that matches every onset of the run, if there is one."""
    shared: set[int] | None = None
    for transition in run:
        candidates = _week_positions(transition.onset.date())
        shared = candidates if shared is None else shared & candidates
    if not shared:
        return None
    weekday = _WEEKDAYS[run[0].onset.weekday()]
    position = -1 if -1 in shared else min(shared)
    return f"{position}{weekday}"


def _week_positions(day: date) -> set[int]:
    """Which nth-weekday-of-month positions name this day: 1..5 from the start, -1 last."""
    positions = {(day.day - 1) // _DAYS_IN_WEEK + 1}
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    if (next_month - day).days <= _DAYS_IN_WEEK:
        positions.add(-1)
    return positions


def _component(run: list[_Transition], last_year: int) -> TimezoneStandard | TimezoneDaylight:
    first = run[0]
    component = TimezoneDaylight() if first.daylight else TimezoneStandard()
    component.add("tzname", first.name)
    component.add("dtstart", first.onset)
    component.add("tzoffsetfrom", first.offset_from)
    component.add("tzoffsetto", first.offset_to)
    if len(run) > 1:
        rule: dict[str, object] = {
            "FREQ": "YEARLY",
            "BYMONTH": first.onset.month,
            "BYDAY": _byday(run),
        }
        if run[-1].onset.year < last_year:
            # The rule stopped inside the covered years: say so, or it would run on. UNTIL is
            # a day after the last onset, not on it: vobject reads an UNTIL equal to the
            # onset as excluding it (RFC 5545 says inclusive), and no rule repeats in a day.
            rule["UNTIL"] = run[-1].at.replace(microsecond=0) + timedelta(days=1)
        component.add("rrule", rule)
    return component


def _fixed(zone: ZoneInfo, at: datetime) -> TimezoneStandard:
    """A zone without changes in the covered years: one STANDARD with the same offsets."""
    offset, _dst, name = _state(zone, at)
    component = TimezoneStandard()
    component.add("tzname", name)
    component.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - a VTIMEZONE onset is local
    component.add("tzoffsetfrom", offset)
    component.add("tzoffsetto", offset)
    return component
