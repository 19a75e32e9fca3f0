"""Settings: the only reader of MEETING_* variables, and where the project's paths live."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
SCHEDULES_DIR = PROJECT_ROOT / "schedules"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "db" / "migrations"
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"


def _setting(env: str, shown_default: str, doc: str, **kwargs: Any) -> Any:
    """A dataclass field that knows its variable, its default as shown, and its meaning."""
    return field(metadata={"env": env, "default": shown_default, "doc": doc}, **kwargs)


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a deployment; built once, passed everywhere."""

    database_url: str = _setting(
        "MEETING_DATABASE_URL",
        "`sqlite:///var/meeting.sqlite3`",
        "SQLAlchemy URL of the database (SQLite or `postgresql+psycopg://…`).",
    )
    secret_key: str = _setting(
        "MEETING_SECRET_KEY",
        "generated once, kept in `var/secret_key`",
        "Key that signs cookies and tokens.",
        repr=False,
    )
    broker_url: str = _setting(
        "MEETING_BROKER_URL",
        "`memory://`",
        "Live-room broker: `memory://` (one process) or `redis://host:port/0` (several).",
        default="memory://",
    )
    base_url: str = _setting(
        "MEETING_BASE_URL",
        "`http://127.0.0.1:8000`",
        "Public address of the site, used in calendar feeds and links.",
        default="http://127.0.0.1:8000",
    )
    default_meeting: str = _setting(
        "MEETING_DEFAULT_MEETING",
        "the meeting that starts last",
        "Slug of the meeting served at `/` (the others live under `/m/{slug}/`).",
        default="",
    )
    clock_start: datetime | None = _setting(
        "MEETING_CLOCK_START",
        "unset (real time)",
        "Pretend the server started at this ISO time, then let time run (demo of 'live now').",
        default=None,
    )
    var_dir: Path = _setting(
        "MEETING_VAR_DIR",
        "`var/`",
        "Folder for the default database and the generated secret key.",
        default=DEFAULT_VAR_DIR,
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read MEETING_* from `environ`; create var/ and its secret key when needed."""
        var_dir = Path(environ.get("MEETING_VAR_DIR") or DEFAULT_VAR_DIR)
        database_url = environ.get("MEETING_DATABASE_URL") or ""
        secret_key = environ.get("MEETING_SECRET_KEY") or ""
        if not database_url:
            var_dir.mkdir(parents=True, exist_ok=True)
            database_url = f"sqlite:///{var_dir / 'meeting.sqlite3'}"
        if not secret_key:
            var_dir.mkdir(parents=True, exist_ok=True)
            secret_key = _load_or_create_secret(var_dir / "secret_key")
        clock_text = environ.get("MEETING_CLOCK_START") or ""
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            broker_url=environ.get("MEETING_BROKER_URL") or "memory://",
            base_url=(environ.get("MEETING_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            default_meeting=environ.get("MEETING_DEFAULT_MEETING") or "",
            clock_start=datetime.fromisoformat(clock_text) if clock_text else None,
            var_dir=var_dir,
        )


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) rows, mirrored by the README's configuration table."""
    return [(f.metadata["env"], f.metadata["default"], f.metadata["doc"]) for f in fields(Settings)]


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key
