"""Run Alembic migrations programmatically (`meeting db upgrade`, the demo, tests).

Every command upgrades before it works, so the common case, a database already at head,
is answered with one query against revisions read from the scripts' source; Alembic (a
third of a second to import and load) only runs when there is something to apply.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from meeting.config import MIGRATIONS_DIR

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "alembic_version"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config  # only when migrations really run (see module docstring)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` inside one transaction (nothing to do: one query)."""
    if revision == "head" and is_at_head(engine):
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_at_head(engine: Engine) -> bool:
    """True when the database is stamped with exactly the newest revisions of the scripts."""
    heads = head_revisions()
    if heads is None:
        return False
    with engine.connect().execution_options(meeting_write=False) as connection:
        return _stamped_revisions(connection) == heads


def _stamped_revisions(connection: Connection) -> frozenset[str]:
    # Asking the catalog first (inspect().has_table) costs more than the query itself.
    try:
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608
    except DBAPIError:  # no such table (yet): a new database
        return frozenset()
    return frozenset(row[0] for row in rows)


@cache
def head_revisions() -> frozenset[str] | None:
    """Revisions no script builds on, as Alembic would find them; None when a script's
    revision identifiers are not plain literals (then Alembic itself decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = _revision_identifiers(path.read_text(encoding="utf-8"))
        if found is None:
            return None
        revision, down = found
        revisions.add(revision)
        parents.update(down)
    heads = frozenset(revisions - parents)
    return heads or None


_FIRST_DEFINITION = re.compile(r"^(?:def|async|class|@)\b", re.MULTILINE)
_IDENTIFIER_LINE = re.compile(r"^(?:revision|down_revision)\b", re.MULTILINE)


def _revision_identifiers(source: str) -> tuple[str, tuple[str, ...]] | None:
    values: dict[str, object] = {}
    for node in _header_statements(source):
        assignment = _assignment(node)
        if assignment is not None and assignment[0] in {"revision", "down_revision"}:
            try:
                values[assignment[0]] = ast.literal_eval(assignment[1])
            except ValueError:
                return None
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return revision, tuple(down)
    return None


def _header_statements(source: str) -> list[ast.stmt]:
    """The script's statements up to its first top-level definition, where Alembic's
    template puts the identifiers; the whole script when the rest might assign them too.

    Parsing the whole scripts costs each command milliseconds (twenty for six scripts when
    the garbage collector runs), more with every migration; their headers, a tenth.
    """
    body = _FIRST_DEFINITION.search(source)
    if body is not None and _IDENTIFIER_LINE.search(source, body.start()) is None:
        try:
            return ast.parse(source[: body.start()]).body
        except SyntaxError:  # the cut fell inside a string or an expression
            pass
    return ast.parse(source).body


def _assignment(node: ast.stmt) -> tuple[str, ast.expr] | None:
    """(name, value) of a top-level `name = value` or `name: type = value`."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None
    return (target.id, value) if isinstance(target, ast.Name) else None
