"""Imports go one way: the domain never imports the web, the API, the CLI or Starlette."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parent.parent / "meeting"
INTERFACES = (
    "meeting.web",
    "meeting.api",
    "meeting.cli",
    "meeting.app",
    "meeting.serving",
    "meeting.worker_pool",
)
WEB_LIBRARIES = ("starlette", "jinja2", "uvicorn")
DOMAIN_ROOTS = (
    "program",
    "enums.py",
    "errors.py",
    "clock.py",
    "config.py",
    "db",
    "exports.py",
    "generate.py",
    "timezones.py",
    "models.py",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def domain_files() -> list[Path]:
    files: list[Path] = []
    for root in DOMAIN_ROOTS:
        target = PACKAGE / root
        files += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return files


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_module_does_not_import_interfaces(path: Path) -> None:
    forbidden = sorted(
        name
        for name in imported_modules(path)
        if name.startswith(INTERFACES) or name.split(".")[0] in WEB_LIBRARIES
    )

    assert forbidden == []


def test_package_import_does_no_io() -> None:
    source = (PACKAGE / "__init__.py").read_text(encoding="utf-8")

    assert imported_modules(PACKAGE / "__init__.py") == set()
    assert "__version__" in source


def test_modules_stay_small() -> None:
    too_long = sorted(
        (str(p.relative_to(PACKAGE)), n)
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    )

    assert too_long == []
