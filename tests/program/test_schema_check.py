"""The compiled schema check answers exactly as jsonschema does, and knows when it can't."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from meeting.config import SCHEDULES_DIR
from meeting.generate import generate_program
from meeting.program.schema_check import Check, compile_check
from meeting.program.yaml_format import program_schema, render_program_yaml
from meeting.program.yaml_loading import load_yaml

pytestmark = pytest.mark.unit

PROGRAM = """\
format: meeting-program/1
meeting: {slug: mini, title: Mini, timezone: UTC, start_date: "2020-12-05",
          end_date: "2020-12-06", url: "https://example.org", virtual: true}
tracks: [{slug: lymphoma, name: Lymphoma, color: "#aa00ff"}]
rooms: [{slug: ch1, name: Channel 1, stream_url: "https://example.org/1"}]
speakers: [{key: jdoe, name: Jane Doe, degrees: MD, affiliation: Somewhere}]
sessions:
  - {code: A-1, title: First, kind: plenary, start: "2020-12-05 09:00", duration: 90,
     room: ch1, tracks: [lymphoma], audience: members, capacity: 10, status: scheduled,
     speakers: [{speaker: jdoe, role: chair}]}
  - {code: A-2, title: Second, kind: workshop, start: "2020-12-05 10:00",
     end: "2020-12-05 11:00", parent: A-1, description: Text}
"""

WORDS = [
    "",
    "x",
    "ch1",
    "A-1",
    "plenary",
    "chair",
    "members",
    "cancelled",
    "2020-12-05",
    "2020-12-05 09:00",
    "2020-12-05 09:00\n",
    "https://example.org",
    "#aa00ff",
    "meeting-program/1",
    "end",
    "duration",
    "speaker",
    "slug",
    "name",
]
KEYS = st.sampled_from(["code", "title", "kind", "start", "end", "duration", "slug", "name", "zz"])
LIMITS = [0, 1, 1440, 1441, -1, 90.0, 1.5, "", "y" * 300, "y" * 301, "z" * 2001]
"""Values just inside and just outside the schema's bounds."""
JSON = st.recursive(
    st.sampled_from(LIMITS)
    | st.sampled_from(WORDS)
    | st.none()
    | st.booleans()
    | st.integers(-2, 1500)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def check() -> Check:
    compiled = compile_check(program_schema())
    assert compiled is not None
    return compiled


def jsonschema_valid(data: Any) -> bool:
    return Draft202012Validator(program_schema()).is_valid(data)


def test_sample_and_generated_programs_are_valid(check: Check) -> None:
    files = [(SCHEDULES_DIR / name).read_text() for name in ("ash-2019.yaml", "ash-2020.yaml")]
    files.append(render_program_yaml(generate_program(50, seed=1)))

    assert [check(load_yaml(text)) for text in files] == [True, True, True]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_mutated_program_is_judged_as_jsonschema_judges_it(
    check: Check, data: st.DataObject
) -> None:
    document = load_yaml(PROGRAM)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(document, data)

    assert check(document) == jsonschema_valid(document)


def _mutate(document: dict[str, Any], data: st.DataObject) -> None:
    """Walk down a random path, then replace, drop or add one value there."""
    node: Any = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or data.draw(st.booleans()):
            action = data.draw(st.sampled_from(["replace", "drop", "add"]))
            if action == "replace":
                node[key] = data.draw(JSON)
            elif action == "drop":
                del node[key]
            elif isinstance(node, dict):
                node[data.draw(KEYS)] = data.draw(JSON)
            else:
                node.append(copy.deepcopy(child))
            return
        node = child


def test_every_leaf_set_to_every_edge_value_is_judged_as_jsonschema_judges_it(
    check: Check,
) -> None:
    mismatches = []
    for path in _leaf_paths(load_yaml(PROGRAM)):
        for value in [*LIMITS, *WORDS, None, True, [], {}]:
            document = load_yaml(PROGRAM)
            _set(document, path, value)
            if check(document) != jsonschema_valid(document):
                mismatches.append((path, value))

    assert mismatches == []


def _leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _leaf_paths(value, (*path, key))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _leaf_paths(value, (*path, i))]
    return [path]


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def test_end_and_duration_are_one_of(check: Check) -> None:
    both = load_yaml(PROGRAM)
    both["sessions"][0]["end"] = "2020-12-05 10:30"
    neither = load_yaml(PROGRAM)
    del neither["sessions"][0]["duration"]

    assert (check(both), check(neither)) == (False, False)


def test_a_track_given_twice_is_refused_as_in_json_schema(check: Check) -> None:
    document = load_yaml(PROGRAM)
    document["sessions"][0]["tracks"] = ["lymphoma", "lymphoma"]

    assert (check(document), jsonschema_valid(document)) == (False, False)


def test_integral_float_is_an_integer_as_in_json_schema(check: Check) -> None:
    document = load_yaml(PROGRAM)
    document["sessions"][0]["duration"] = 90.0

    assert (check(document), jsonschema_valid(document)) == (True, True)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"type": "array", "prefixItems": [{"type": "string"}]},
        {"enum": [1, 2]},
        {"$ref": "#/$defs/slug"},
        {"oneOf": [{"type": "array", "uniqueItems": True}, {"type": "string"}]},
    ],
)
def test_schema_beyond_the_compiler_compiles_to_none(schema: dict[str, Any]) -> None:
    assert compile_check(schema) is None
