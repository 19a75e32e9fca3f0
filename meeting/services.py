"""The long-lived things a running app shares (opened in lifespan, reached from requests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from meeting.clock import Clock
from meeting.config import Settings
from meeting.db import SessionFactory
from meeting.exports import ExportCache


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    clock: Clock
    exports: ExportCache
