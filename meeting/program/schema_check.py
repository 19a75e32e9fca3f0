"""A JSON Schema compiled to one yes/no function, for the valid files that are the norm.

jsonschema walks the schema anew for every value and builds a validator per step: half a
second for a 1,000-session program. Most files are valid, and for them a compiled check
is enough; only a file it refuses goes through jsonschema, for the located messages.

Each keyword is checked exactly as JSON Schema 2020-12 (and jsonschema) define it, so
"valid" here means valid there. A schema with a keyword this module does not know
compiles to None: then jsonschema decides everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from numbers import Number
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)


class _UnsupportedError(Exception):
    """The schema uses a keyword (or a form of one) not compiled here."""


def compile_check(schema: Mapping[str, Any]) -> Check | None:
    """A function telling whether a value is valid, or None if the schema is beyond it.

    `schema` must have its references resolved (no `$ref`).
    """
    try:
        return _compile(schema)
    except _UnsupportedError:
        return None


def _compile(schema: Any, certain: bool = False) -> Check:
    """`certain`: under oneOf, where "not valid" must never be an answer out of caution."""
    if schema is True:
        return _always
    if not isinstance(schema, Mapping):
        raise _UnsupportedError(repr(schema))
    text = _text(schema)
    if text is not None:
        return text
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "properties":
            additional = schema.get("additionalProperties", True)
            checks.append(_properties(value, additional, certain))
        elif keyword == "additionalProperties":
            if "properties" not in schema:
                raise _UnsupportedError(keyword)  # compiled together with "properties"
        elif keyword == "items":
            checks.append(_items(value, certain))
        elif keyword == "oneOf":
            checks.append(_one_of(value))
        elif keyword == "uniqueItems" and certain:
            raise _UnsupportedError("uniqueItems under oneOf")
        elif keyword in _KEYWORDS:
            checks.append(_KEYWORDS[keyword](value))
        else:
            raise _UnsupportedError(keyword)
    return _all_of(checks)


def _all_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check_all(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - all() over a generator is a third slower here
            if not check(instance):
                return False
        return True

    return check_all


_TEXT_KEYWORDS = frozenset({"type", "pattern", "minLength", "maxLength"})


def _text(schema: Mapping[str, Any]) -> Check | None:
    """The usual leaf (a string with a pattern and length limits) as one function."""
    keywords = schema.keys() - _ANNOTATIONS
    if schema.get("type") != "string" or not keywords <= _TEXT_KEYWORDS:
        return None
    search = _pattern(schema["pattern"]) if "pattern" in schema else _always
    shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
    if not isinstance(shortest, int) or not isinstance(longest, int | None):
        raise _UnsupportedError("length limits")

    def check(instance: Any) -> bool:
        return (
            isinstance(instance, str)
            and shortest <= len(instance)
            and (longest is None or len(instance) <= longest)
            and search(instance)
        )

    return check


def _always(_instance: Any) -> bool:
    return True


def _type(names: Any) -> Check:
    wanted = [names] if isinstance(names, str) else list(names)
    try:
        tests = [_TYPES[name] for name in wanted]
    except (KeyError, TypeError) as error:
        raise _UnsupportedError(f"type {names!r}") from error
    if len(tests) == 1:
        return tests[0]
    return lambda instance: any(test(instance) for test in tests)


def _is_integer(instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


def _is_number(instance: Any) -> bool:
    return isinstance(instance, Number) and not isinstance(instance, bool)


_TYPES: dict[str, Check] = {
    "object": lambda instance: isinstance(instance, dict),
    "array": lambda instance: isinstance(instance, list),
    "string": lambda instance: isinstance(instance, str),
    "boolean": lambda instance: isinstance(instance, bool),
    "integer": _is_integer,
    "number": _is_number,
    "null": lambda instance: instance is None,
}


def _strings(values: Any) -> frozenset[str]:
    """Only string constants are compiled: JSON equality of other types has subtleties."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _UnsupportedError(f"non-string constants {values!r}")
    return frozenset(values)


def _enum(values: Any) -> Check:
    allowed = _strings(values)
    return lambda instance: isinstance(instance, str) and instance in allowed


def _const(value: Any) -> Check:
    return _enum([value])


def _pattern(pattern: Any) -> Check:
    try:
        search = re.compile(pattern).search
    except (re.error, TypeError) as error:
        raise _UnsupportedError(f"pattern {pattern!r}") from error
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


def _min_length(limit: Any) -> Check:
    return lambda instance: not isinstance(instance, str) or len(instance) >= limit


def _max_length(limit: Any) -> Check:
    return lambda instance: not isinstance(instance, str) or len(instance) <= limit


def _minimum(limit: Any) -> Check:
    return lambda instance: not _is_number(instance) or instance >= limit


def _maximum(limit: Any) -> Check:
    return lambda instance: not _is_number(instance) or instance <= limit


def _required(names: Any) -> Check:
    keys = list(names)
    return lambda instance: not isinstance(instance, dict) or all(k in instance for k in keys)


def _properties(properties: Any, additional: Any, certain: bool) -> Check:
    checks = {name: _compile(sub, certain) for name, sub in properties.items()}
    if additional is True:
        extra: Check | None = None
    elif additional is False:
        extra = _never
    else:
        extra = _compile(additional, certain)

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for key, value in instance.items():
            sub = checks.get(key, extra)
            if sub is not None and not sub(value):
                return False
        return True

    return check


def _never(_instance: Any) -> bool:
    return False


def _items(schema: Any, certain: bool) -> Check:
    item = _compile(schema, certain)
    return lambda instance: not isinstance(instance, list) or all(item(v) for v in instance)


def _unique_items(unique: Any) -> Check:
    if unique is not True:
        return _always
    # Strings only: set equality is JSON equality for them; anything else is left to
    # jsonschema by answering "not valid" (this check never lets an invalid value through).
    return lambda instance: (
        not isinstance(instance, list)
        or (all(isinstance(v, str) for v in instance) and len(set(instance)) == len(instance))
    )


def _one_of(schemas: Any) -> Check:
    # Exactly one must hold: a cautious "not valid" for one branch could make another
    # branch the only one and let an invalid value through.
    checks = [_compile(sub, certain=True) for sub in schemas]
    return lambda instance: sum(1 for check in checks if check(instance)) == 1


_KEYWORDS: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "required": _required,
    "uniqueItems": _unique_items,
}
