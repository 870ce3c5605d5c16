"""Parse opt-22's ``print<cost-model>`` output (stderr)."""

from __future__ import annotations

import re

_FUNCTION = re.compile(r"^Printing analysis 'Cost Model Analysis' for function '(.*)':$")
_COST = re.compile(r"^Cost Model: Found an estimated cost of (\S+) for instruction:")

INVALID = None  # TTI's "Invalid" cost: the operation cannot be lowered


def parse_cost_printout(stderr: str) -> dict[str, list[float | None]]:
    """Function name -> per-instruction costs in function order (Invalid -> None)."""
    costs: dict[str, list[float | None]] = {}
    current: list[float | None] | None = None
    for line in stderr.splitlines():
        if match := _FUNCTION.match(line):
            current = costs.setdefault(match.group(1), [])
        elif (match := _COST.match(line)) and current is not None:
            value = match.group(1)
            current.append(INVALID if value == "Invalid" else float(value))
    return costs
