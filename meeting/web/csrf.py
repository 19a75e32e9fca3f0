"""CSRF protection for forms: a per-session token in a hidden field, compared in constant time.

JSON API writes use PUT, PATCH and DELETE, which a foreign page cannot send with our cookie
(no CORS is granted), so they need no token; every HTML form POST carries one.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection

from meeting.errors import Refused

SESSION_KEY = "csrf"
FIELD = "csrf_token"


class CsrfError(Refused):
    code = "csrf"


def csrf_token(conn: HTTPConnection) -> str:
    """The session's token, created on first use."""
    token = conn.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        conn.session[SESSION_KEY] = token
    return token


class LazyCsrfToken:
    """The session's token, made only when a template prints it.

    Pages without a form then leave the session untouched, so an anonymous visitor gets no
    session cookie and the page stays the same for everyone (and cacheable).
    """

    def __init__(self, conn: HTTPConnection) -> None:
        self._conn = conn

    def __str__(self) -> str:
        return csrf_token(self._conn)

    def __html__(self) -> str:
        return str(self)


def check_csrf(conn: HTTPConnection, form: FormData) -> None:
    expected = conn.session.get(SESSION_KEY)
    sent = form.get(FIELD)
    if not isinstance(expected, str) or not isinstance(sent, str):
        raise CsrfError(
            "This form has expired or came from another site; reload the page and try again."
        )
    if not hmac.compare_digest(expected, sent):
        raise CsrfError(
            "This form has expired or came from another site; reload the page and try again."
        )
