"""Reading HTML forms: CSRF-checked, size-limited, as plain strings."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from meeting.web.csrf import check_csrf

MAX_FIELDS = 50
MAX_FIELD_BYTES = 10_000


async def read_form(request: Request) -> FormData:
    """The submitted fields after the CSRF check (403 on failure); no file uploads."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    check_csrf(request, form)
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]
