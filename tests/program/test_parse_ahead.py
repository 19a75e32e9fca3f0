"""Parsing ahead in a child process gives exactly what parsing in place gives."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from meeting.config import SCHEDULES_DIR
from meeting.errors import InvalidInput
from meeting.generate import generate_program
from meeting.program.parse_ahead import ParseAhead
from meeting.program.parsing import parse_program
from meeting.program.yaml_format import render_program_yaml

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)"),
]

SAMPLE = SCHEDULES_DIR / "ash-2020.yaml"
ROOT = Path(__file__).resolve().parents[2]


def broken(text: str) -> str:
    """The program with two problems: an unknown kind and an unknown room."""
    return text.replace("kind: plenary", "kind: plenery", 1).replace(
        "room: channel-1", "room: channel-99", 1
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        parse_program(path.read_bytes(), path.name)
    return [str(p) for p in raised.value.problems]


def test_program_parsed_ahead_equals_program_parsed_in_place(tmp_path: Path) -> None:
    generated = tmp_path / "generated.yaml"
    generated.write_text(render_program_yaml(generate_program(80, seed=4)), encoding="utf-8")
    paths = [SAMPLE, generated]

    results = []
    for path in paths:
        with ParseAhead(path) as parsing:
            results.append(parsing.result())

    assert results == [parse_program(p.read_bytes(), p.name) for p in paths]


def test_problems_found_ahead_are_the_problems_found_in_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(broken(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")

    with ParseAhead(bad) as parsing, pytest.raises(InvalidInput) as raised:
        parsing.result()

    assert [str(p) for p in raised.value.problems] == problems_of(bad)


def test_failure_in_the_child_is_raised_as_in_place(tmp_path: Path) -> None:
    with ParseAhead(tmp_path) as parsing, pytest.raises(IsADirectoryError):
        parsing.result()


def test_in_a_fresh_process_the_file_is_parsed_in_a_child(tmp_path: Path) -> None:
    # A fresh interpreter: the test process may have threads running, which rule fork out.
    bad = tmp_path / "bad.yaml"
    bad.write_text(broken(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    code = (
        "from pathlib import Path\n"
        "from tests.program.test_parse_ahead import outcome_ahead, outcome_in_place, children\n"
        f"for path in [Path({str(SAMPLE)!r}), Path({str(bad)!r}), Path({str(tmp_path)!r})]:\n"
        "    ahead = outcome_ahead(path)\n"
        "    print(ahead[0], ahead[1] == outcome_in_place(path), len(children()))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout.splitlines() == ["1 True 0", "1 True 0", "1 True 0"]


def outcome_ahead(path: Path) -> tuple[int, object]:
    """(children while parsing, the outcome) of parsing ahead."""
    with ParseAhead(path) as parsing:
        during = len(children())
        return during, _outcome(parsing.result)


def outcome_in_place(path: Path) -> object:
    return _outcome(lambda: parse_program(path.read_bytes(), path.name))


def _outcome(parse: Callable[[], object]) -> object:
    try:
        return parse()
    except InvalidInput as error:
        return [str(p) for p in error.problems]
    except OSError as error:
        return type(error)


def test_with_other_threads_running_the_file_is_parsed_in_place() -> None:
    before = set(children())
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        with ParseAhead(SAMPLE) as parsing:
            during = set(children()) - before
            result = parsing.result()
    finally:
        stop.set()
        worker.join()

    assert (during, result) == (set(), parse_program(SAMPLE.read_bytes(), SAMPLE.name))


def test_leaving_without_the_result_reaps_the_child() -> None:
    before = set(children())

    with ParseAhead(SAMPLE):
        pass

    assert set(children()) - before == set()


def children() -> list[int]:
    """This process's child processes (zombies included), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found
