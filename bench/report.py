"""`python -m bench.report`: the latest bench table as Markdown, for the README."""

from __future__ import annotations

import json
from typing import Any

from bench.run import RESULTS

SMALL_RATIO = 0.2
"""Ratios below this get a third decimal (0.097 is not 0.10 against a 0.1 budget)."""
WHOLE_FROM = 100
"""Figures this large are shown without decimals."""
PASS_WORDS = {True: "pass", False: "**FAIL**", None: "—"}
"""A row's pass column; None is a row shown for context, with no budget."""


def _number(value: float | None, units: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}" if abs(value) < WHOLE_FROM else f"{value:,.0f}"
    return f"{text} {units}".strip()


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < SMALL_RATIO else f"{value:.2f}"


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"Latest run ({results['date']}, {machine['cpu']}, {machine['cores']} cores, "
        f"Python {machine['python']}, uvicorn {machine['uvicorn']}, wall time "
        f"{results['wall_s'] / 60:.0f} min):",
        "",
        "| id | figure | project | ceiling | ratio | budget | pass |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["figures"]:
        lines.append(
            f"| {row['key']} | {row['figure']} | {_number(row['value'], row['units'])} | "
            f"{_number(row['ceiling'])} | "
            f"{_ratio(row['ratio'])} | "
            f"{row['budget']} | {PASS_WORDS[row['passed']]} |"
        )
    return "\n".join(lines)


def main() -> None:
    print(markdown(json.loads(RESULTS.read_text())))


if __name__ == "__main__":
    main()
