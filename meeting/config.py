"""Settings: the only reader of MEETING_* variables, and where the project's paths live."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
SCHEDULES_DIR = PROJECT_ROOT / "schedules"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "db" / "migrations"
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
N = TypeVar("N", int, float)


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
    cache_poll_seconds: float = _setting(
        "MEETING_CACHE_POLL_SECONDS",
        "`1`",
        "How often each process reads other processes' changes (cached feeds and exports "
        "follow within this time; changes made in the process itself apply at once).",
        default=1.0,
    )
    response_cache_entries: int = _setting(
        "MEETING_RESPONSE_CACHE_ENTRIES",
        "`50000`",
        "Most responses (feeds, exports, anonymous program pages) each process keeps.",
        default=50_000,
    )
    response_cache_mb: int = _setting(
        "MEETING_RESPONSE_CACHE_MB",
        "`256`",
        "Most megabytes of unshared response bodies each process keeps.",
        default=256,
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
            cache_poll_seconds=_number(environ, "MEETING_CACHE_POLL_SECONDS", 1.0, float),
            response_cache_entries=_number(environ, "MEETING_RESPONSE_CACHE_ENTRIES", 50_000, int),
            response_cache_mb=_number(environ, "MEETING_RESPONSE_CACHE_MB", 256, int),
            var_dir=var_dir,
        )


def _number(environ: Mapping[str, str], name: str, default: N, kind: Callable[[str], N]) -> N:
    """A positive number from the environment, or a clear error naming the variable."""
    text = (environ.get(name) or "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be above zero, got {text!r}")
    return value


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
