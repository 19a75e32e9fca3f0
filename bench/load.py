"""HTTP load: wrk (Debian's `wrk` package, a separate C process with 2 threads), parsed.

`make bench` needs wrk (`apt-get install wrk`); the normal test run does not.
"""

# ruff: noqa: S603 (runs wrk)

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 16

ROTATE_LUA = """
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  paths = {}
  for line in io.lines(os.getenv("BENCH_PATHS_FILE")) do paths[#paths + 1] = line end
  i = tid
end
function request()
  i = i + %(threads)d
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    requests: int
    errors: int
    """Socket errors plus non-2xx/3xx responses: a run with errors is not a valid figure."""
    p99_ms: float


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    headers: tuple[str, ...] = (),
    paths_file: Path | None = None,
    script_dir: Path | None = None,
) -> LoadResult:
    """Hammer `url` for `seconds`; with `paths_file`, rotate through its paths instead."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for header in headers:
        command += ["-H", header]
    env = None
    if paths_file is not None:
        if script_dir is None:
            raise ValueError("paths_file needs script_dir")
        script = script_dir / "rotate.lua"
        script.write_text(ROTATE_LUA % {"threads": THREADS})
        command += ["-s", str(script)]
        env = {"BENCH_PATHS_FILE": str(paths_file), "PATH": "/usr/bin:/bin"}
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> LoadResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rate is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(bad.group(1)) if bad else 0
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = 0.0
    if p99 is not None:
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
        p99_ms = float(p99.group(1)) * scale
    return LoadResult(float(rate.group(1)), int(total.group(1)), errors, p99_ms)
