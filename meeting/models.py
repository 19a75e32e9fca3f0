"""Import every model module so Base.metadata knows all tables (migrations, tests)."""

from __future__ import annotations

from meeting.program import models as program_models

__all__ = ["program_models"]
