"""Overlap detection between agenda items (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Slot:
    code: str
    start: datetime
    end: datetime
    parent: str | None = None


def find_conflicts(slots: list[Slot]) -> dict[str, list[str]]:
    """For each code, the codes it overlaps, in start order.

    A child never conflicts with its own parent (a table of the lunch is part of the
    lunch); two children of one parent at the same time do (one table at a time).
    Intervals are half-open, so back-to-back sessions do not conflict.
    """
    ordered = sorted(slots, key=lambda s: (s.start, s.end, s.code))
    found: dict[str, list[str]] = {s.code: [] for s in ordered}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            if a.code == b.parent or b.code == a.parent:
                continue
            found[a.code].append(b.code)
            found[b.code].append(a.code)
    return found
