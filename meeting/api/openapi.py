"""The OpenAPI 3.1 document, built from the same table that builds the API's routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meeting import __version__

_ERROR = {"$ref": "#/components/schemas/Error"}


@dataclass(frozen=True)
class Operation:
    """One API endpoint: its route and what the OpenAPI document says of it."""

    path: str
    method: str
    endpoint: Callable[..., Any]
    summary: str
    parameters: list[dict[str, Any]] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    errors: tuple[int, ...] = ()


def query_param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def build_openapi(operations: list[Operation]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        responses: dict[str, Any] = {
            "200": {"description": "OK", "content": {"application/json": {"schema": op.response}}}
        }
        for status in op.errors:
            responses[str(status)] = {
                "description": _ERROR_TEXT[status],
                "content": {"application/json": {"schema": _ERROR}},
            }
        paths.setdefault(f"/api{op.path}", {})[op.method.lower()] = {
            "summary": op.summary,
            "operationId": op.endpoint.__name__,
            "parameters": op.parameters,
            "responses": responses,
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "meeting API",
            "version": __version__,
            "description": "The program of the default meeting; the same paths exist under "
            '/m/{slug}/api/ for every meeting. Errors are {"error": {"code", "message"}}.',
        },
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }


_ERROR_TEXT = {
    400: "Invalid parameters",
    401: "Not signed in",
    403: "Refused",
    404: "Not found",
    409: "Conflict",
}

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "problems": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "message": {"type": "string"},
                            "field": {"type": ["string", "null"]},
                        },
                    },
                },
            },
        }
    },
}
