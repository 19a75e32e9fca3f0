"""Import every model module so Base.metadata knows all tables (migrations, tests)."""

from __future__ import annotations

from meeting.accounts import models as accounts_models
from meeting.agenda import models as agenda_models
from meeting.calendars import models as calendar_models
from meeting.freshness import models as freshness_models
from meeting.program import models as program_models

__all__ = [
    "accounts_models",
    "agenda_models",
    "calendar_models",
    "freshness_models",
    "program_models",
]
