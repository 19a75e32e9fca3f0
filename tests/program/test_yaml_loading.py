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
from meeting.program.yaml_format import LOCAL_TIME_FORMAT, parse_program_yaml
from meeting.program.yaml_loading import _Loader, load_yaml

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
