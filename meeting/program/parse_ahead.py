"""Parse a program file in a child process while the caller gets the database ready.

`meeting import` spends about as long importing SQLAlchemy as parsing the file, and both
are CPU-bound Python: threads would only take turns on the GIL, but a forked child runs
on the second core. The child sends the parsed program (or its problems) back through a
pipe, pickled. Where fork is missing or unsafe (other threads running) the file is parsed
in the caller, and an unexpected failure in the child is reproduced there, so the caller
sees exactly what parse_program would have given it.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from meeting.errors import InvalidInput, Problem
from meeting.program.document import ParsedProgram


class ParseAhead:
    """A program file being parsed; result() waits for it. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid: int | None = None
        self._pipe: int | None = None
        if hasattr(os, "fork") and threading.active_count() == 1:
            self._start()

    def result(self) -> ParsedProgram:
        """The parsed program; InvalidInput lists its problems, as parse_program does."""
        outcome = self._collect()
        if outcome is None:
            return _parse(self.path)
        if isinstance(outcome, ParsedProgram):
            return outcome
        raise InvalidInput(outcome)

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._collect()  # never leave the child behind

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _run_child(self.path, write_end)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def _collect(self) -> ParsedProgram | list[Problem] | None:
        """Read the child's answer and reap it; None when it gave none."""
        pid, pipe_end = self._pid, self._pipe
        if pid is None or pipe_end is None:
            return None
        with os.fdopen(pipe_end, "rb") as pipe:
            payload = pipe.read()
        _pid, status = os.waitpid(pid, 0)
        self._pid = self._pipe = None
        if status != 0 or not payload:
            return None
        outcome: ParsedProgram | list[Problem] = pickle.loads(payload)  # noqa: S301 - our child
        return outcome


def _parse(path: Path) -> ParsedProgram:
    # Imported here: when the child parses, the parent never loads the parsers at all.
    from meeting.program.parsing import parse_program

    return parse_program(path.read_bytes(), path.name)


def _run_child(path: Path, pipe: int) -> NoReturn:
    """Parse, send the outcome, and leave without running the parent's exit handlers."""
    code = 1
    try:
        try:
            outcome: ParsedProgram | list[Problem] = _parse(path)
        except InvalidInput as error:
            outcome = list(error.problems)
        with os.fdopen(pipe, "wb") as out:
            out.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)
