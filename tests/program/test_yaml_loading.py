"""Fast YAML loading gives what PyYAML's own loading gives; local times parse as strptime does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from meeting.config import SCHEDULES_DIR
from meeting.errors import InvalidInput
from meeting.generate import generate_program
from meeting.program.yaml_format import LOCAL_TIME_FORMAT, parse_program_yaml, render_program_yaml
from meeting.program.yaml_loading import _compose, _construct, _Loader, load_yaml

pytestmark = pytest.mark.unit

TRICKY = [
    "",
    "yes",
    "No",
    "on",
    "~",
    "null",
    "Null",
    "1_000",
    "0x1F",
    "0o17",
    "+1",
    "-0",
    "1e3",
    "1.5",
    ".inf",
    "-.Inf",
    ".NaN",
    "<<",
    "=",
    "2020-12-05",
    "2020-12-05 09:00",
    "Lymphoma",
]


PYYAML_RESOLVE: Callable[..., str] = yaml.resolver.BaseResolver.resolve


class _PyYamlLoader(_Loader):
    """The same implicit resolvers, resolved by PyYAML's own code."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        return PYYAML_RESOLVE(self, kind, value, implicit)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TRICKY) | st.text(max_size=8))
def test_scalar_resolves_as_pyyaml_resolves_it(value: str) -> None:
    fast, reference = _Loader(""), _PyYamlLoader("")
    ways = [(True, False), (False, True), (False, False)]

    kinds = [yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode]

    tags = [fast.resolve(kind, value, implicit) for kind in kinds for implicit in ways]

    assert tags == [reference.resolve(kind, value, implicit) for kind in kinds for implicit in ways]


@pytest.mark.parametrize("name", ["ash-2019.yaml", "ash-2020.yaml"])
def test_sample_file_loads_as_pyyaml_loads_it(name: str) -> None:
    text = (SCHEDULES_DIR / name).read_text(encoding="utf-8")

    assert load_yaml(text) == yaml.load(text, Loader=_PyYamlLoader)  # noqa: S506


def start_of(start: str) -> datetime | list[str]:
    """The (naive UTC) start of a one-session program starting at `start`, or its problems."""
    text = (
        "format: meeting-program/1\n"
        "meeting: {slug: m, title: M, timezone: UTC, start_date: '2019-01-01', "
        "end_date: '2022-12-31'}\n"
        f"sessions:\n  - {{code: A, title: A, kind: plenary, start: '{start}', duration: 5}}\n"
    )
    try:
        return parse_program_yaml(text).document.sessions[0].start.replace(tzinfo=None)
    except InvalidInput as error:
        return [p.message for p in error.problems]


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(
        st.integers(2019, 2022),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
    )
)
def test_local_time_is_read_as_strptime_reads_it(parts: tuple[int, ...]) -> None:
    text = "{:04}-{:02}-{:02} {:02}:{:02}".format(*parts)
    try:
        expected: datetime | list[str] = datetime.strptime(text, LOCAL_TIME_FORMAT)  # noqa: DTZ007
    except ValueError:
        expected = [f"{text!r} is not a real date and time"]

    assert start_of(text) == expected


def composed(text: str) -> Any:
    """What PyYAML's composer and constructor make of `text` (the general way)."""
    return _construct(_compose(text), _Loader(""))


SCALARS = st.sampled_from(TRICKY) | st.text(max_size=6) | st.integers() | st.booleans()
PLAIN_DATA = st.recursive(
    SCALARS | st.none(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(TRICKY) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(PLAIN_DATA, st.sampled_from([None, True, False]))
def test_plain_document_loads_as_the_composer_loads_it(data: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)

    assert load_yaml(text) == composed(text)


def test_generated_program_loads_as_the_composer_loads_it() -> None:
    text = render_program_yaml(generate_program(300, seed=7))

    assert load_yaml(text) == composed(text)


@pytest.mark.parametrize(
    "text",
    [
        "just text\n",
        "---\n",
        "a: &x [1, 2]\nb: *x\n",
        "a: !!str 1\nb: !!int '2'\n",
        "? [a, b]\n: 1\n",
        "a: {b: [c, {d: e}], f: ~}\n",
        "!!map {a: 1}\n",
        "{1: a, null: b, true: c, 1.5: d}\n",
    ],
)
def test_yaml_beyond_plain_data_loads_as_the_composer_loads_it(text: str) -> None:
    assert load_yaml(text) == composed(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("a: 1\n---\nb: 2\n", "line 2: not valid YAML: but found another document"),
        ("a: [1, 2\n", "line 2: not valid YAML: did not find expected ',' or ']'"),
        ("a: *nowhere\n", "line 1: not valid YAML: found undefined alias"),
        (
            "a: 1\nb: !thing x\n",
            "line 2: not valid YAML: could not determine a constructor for the tag '!thing'",
        ),
        (
            "base: {a: 1}\nmeeting:\n  <<: {b: 2}\n",
            "line 3: not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:merge'",
        ),
    ],
)
def test_broken_yaml_is_one_located_problem(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        load_yaml(text)

    assert [str(p) for p in raised.value.problems] == [problem]
