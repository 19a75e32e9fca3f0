"""The bench's arithmetic: paired ratios of runs taken side by side, and a climb that ends
with a halfway rung (figures judged to within 5 % and not 10 %)."""

from __future__ import annotations

import pytest

from bench.side_by_side import paired_ratio
from bench.ws_load import Climber, PhaseResult

pytestmark = pytest.mark.unit

LADDER = (30, 40, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107)
MEMBERS = 1000


class ModelServer:
    """Holds every rate up to `capacity` messages a second (p99 `p99_ms`), loses above it."""

    def __init__(self, capacity: float, p99_ms: float = 300.0) -> None:
        self.capacity, self.p99_ms = capacity, p99_ms
        self.rates: list[float] = []

    def phase(self, rate: float, seconds: float) -> PhaseResult:
        self.rates.append(rate)
        expected = round(rate * seconds) * MEMBERS
        held = rate <= self.capacity
        return PhaseResult(
            rate=rate,
            sent=round(rate * seconds),
            expected=expected,
            received=expected if held else expected // 2,
            refused=0,
            deliveries_per_s=(expected if held else expected // 2) / seconds,
            p50_ms=self.p99_ms / 2,
            p99_ms=self.p99_ms if held else 2000.0,
        )


def climbed(server: ModelServer) -> Climber:
    climber = Climber(server, 0, LADDER, 3.0, light_first=False)
    while climber.climbing:
        climber.step()
    return climber


def test_a_climb_ends_with_a_rung_halfway_between_the_last_that_held_and_the_first_that_fell() -> (
    None
):
    server = ModelServer(capacity=70)

    climber = climbed(server)

    assert server.rates[-1] == 69.5  # between 66 (held) and 73 (fell)
    assert climber.best == pytest.approx(69_500, rel=0.01)  # whole messages in 3 s


def test_a_halfway_rung_that_falls_leaves_the_rung_below_as_the_figure() -> None:
    server = ModelServer(capacity=67)

    climber = climbed(server)

    assert server.rates[-1] == 69.5
    assert climber.best == 66_000


def test_a_climb_after_a_skipped_rung_is_halved_between_the_right_rungs() -> None:
    # p99 inside a quarter of the limit: each clear run skips a rung, judged if the next falls.
    server = ModelServer(capacity=62, p99_ms=50.0)

    climber = climbed(server)

    assert {60, 66} <= set(server.rates)
    assert server.rates[-1] == 63.0
    assert climber.best == 60_000


def test_a_climb_that_falls_at_its_first_rung_has_no_figure() -> None:
    server = ModelServer(capacity=10)

    climber = climbed(server)

    assert server.rates == [30, 30]
    assert climber.best == 0


def test_the_ladder_top_ends_the_climb_without_a_halfway_rung() -> None:
    server = ModelServer(capacity=1_000)

    climber = climbed(server)

    assert server.rates[-1] == LADDER[-1]
    assert climber.best == LADDER[-1] * MEMBERS


def test_paired_ratio_is_the_median_of_the_rounds_ratios() -> None:
    # The H1 of the 20:32 run: a slow moment fell on one round's ceiling run.
    figures, ceilings = [3205.09, 3062.19, 5320.85], [2596.27, 4658.54, 4728.29]

    assert paired_ratio(figures, ceilings) == pytest.approx(5320.85 / 4728.29)
    assert paired_ratio([2.0, 4.0, 9.0], [1.0, 1.0, 1.0]) == 4.0


def test_paired_ratio_needs_a_ceiling_run_for_every_figure_run() -> None:
    with pytest.raises(ValueError, match="shorter"):
        paired_ratio([1.0, 2.0], [1.0])
