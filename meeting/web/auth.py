"""Who is signed in: the user id in the signed session cookie."""

from __future__ import annotations

from sqlalchemy.orm import Session as DbSession
from starlette.requests import HTTPConnection

from meeting.accounts.models import User
from meeting.accounts.service import get_user
from meeting.errors import NotSignedIn, Refused

USER_KEY = "uid"


def current_user(conn: HTTPConnection, db: DbSession) -> User | None:
    user_id = conn.session.get(USER_KEY)
    return get_user(db, user_id) if isinstance(user_id, int) else None


def require_user(conn: HTTPConnection, db: DbSession) -> User:
    user = current_user(conn, db)
    if user is None:
        raise NotSignedIn("Sign in to use your agenda.")
    return user


def require_organizer(conn: HTTPConnection, db: DbSession) -> User:
    user = require_user(conn, db)
    if user.role != "organizer":
        raise Refused("Only organizers may change the program.")
    return user


def sign_in(conn: HTTPConnection, user_id: int) -> None:
    """Start a fresh session (new CSRF token too) so no pre-login state carries over."""
    conn.session.clear()
    conn.session[USER_KEY] = user_id


def sign_out(conn: HTTPConnection) -> None:
    conn.session.clear()
