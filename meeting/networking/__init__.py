"""Trainee networking formats: speed-mentoring rotations, mingle groups, round tables.

Everything here is pure: no database, no I/O; randomness comes in as `random.Random`.
"""

from __future__ import annotations

from meeting.networking.mentoring import (
    Mentee,
    Mentor,
    Pairing,
    RotationPlan,
    Round,
    format_plan,
    plan_rotation,
    preferred_topic,
    replan,
    validate_plan,
)
from meeting.networking.mingle import form_groups, repeat_pairs
from meeting.networking.roundtables import (
    Occupancy,
    TableCount,
    leave,
    move,
    open_tables,
    snapshot,
)

__all__ = [
    "Mentee",
    "Mentor",
    "Occupancy",
    "Pairing",
    "RotationPlan",
    "Round",
    "TableCount",
    "form_groups",
    "format_plan",
    "leave",
    "move",
    "open_tables",
    "plan_rotation",
    "preferred_topic",
    "repeat_pairs",
    "replan",
    "snapshot",
    "validate_plan",
]
