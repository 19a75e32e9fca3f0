"""HTTP figures taken side by side: wrk runs against each server in turn, run by run.

A figure and the ceiling it is divided by are taken in the same moments of a shared,
noisy machine: measured minutes apart, a machine that got faster or slower in between
moves the ratio as much as the code does.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import load


@dataclass(frozen=True)
class Probe:
    """One URL under wrk: the same paths every run, or fresh ones each run (`paths`)."""

    url: str
    headers: tuple[str, ...] = ()
    paths: Callable[[int], Path] | None = None
    """The run's file of paths to rotate through (the cold feed: feeds never asked for)."""
    script_dir: Path | None = None
    warm: bool = True
    """A short run first, not counted (a cold probe must not be warmed)."""

    def run(self, number: int, seconds: float) -> load.LoadResult:
        paths = self.paths(number) if self.paths is not None else None
        return load.run_wrk(
            self.url,
            seconds=seconds,
            headers=self.headers,
            paths_file=paths,
            script_dir=self.script_dir,
        )


def side_by_side(
    probes: Mapping[str, Probe], *, runs: int, seconds: float, warm_seconds: float
) -> dict[str, dict[str, Any]]:
    """Each probe's warm-up, then `runs` rounds of one run per probe; the median of each."""
    for probe in probes.values():
        if probe.warm:
            probe.run(-1, warm_seconds)
    results: dict[str, list[load.LoadResult]] = {name: [] for name in probes}
    for number in range(runs):
        for name, probe in probes.items():
            results[name].append(probe.run(number, seconds))
    return {name: summary(done) for name, done in results.items()}


def summary(runs: list[load.LoadResult]) -> dict[str, Any]:
    return {
        "median": statistics.median(r.requests_per_s for r in runs),
        "runs": [r.requests_per_s for r in runs],
        "requests": [r.requests for r in runs],
        "errors": sum(r.errors for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
    }


def paired_ratio(figures: Sequence[float], ceilings: Sequence[float]) -> float:
    """The median of each round's figure over the ceiling run beside it. A moment when the
    shared machine slows falls on both runs of a round, and one such round cannot move
    this median; it can move the ratio of two medians taken apart: an H1 whose rounds read
    3,205 / 2,596, 3,062 / 4,659 and 5,321 / 4,728 (ratios 1.23, 0.66 and 1.13) had
    medians 3,205 / 4,659 = 0.69."""
    return statistics.median(f / c for f, c in zip(figures, ceilings, strict=True))
