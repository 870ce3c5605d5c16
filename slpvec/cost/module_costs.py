"""Per-instruction TTI costs of a whole module: the project's yardstick.

One opt-22 run per module (text on stdin); results cached on disk by the
module text's sha256 plus LLVM version, target and cost kind. clang's
``"target-cpu"`` function attributes override ``-mcpu``, so a module is
priced for the cpu it was compiled for (see :func:`slpvec.target.retarget`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from ..errors import CostModelError
from ..ir import Module
from ..ir.globals import printed_function_name
from ..ir.parser import block_layout
from ..target import Target, target_for
from ..toolchain import run_tool
from .cache import DiskCache
from .kinds import key_prefix, opt_cost_args
from .printout import parse_cost_printout

# TTI "Invalid" (cannot be lowered) is priced like an expensive library call.
INVALID_COST = 100.0


def is_cost(value: object) -> bool:
    """A cached TTI cost: a finite number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_cost_map(value: object) -> bool:
    """A cached module pricing: function name -> list of costs."""
    return isinstance(value, dict) and all(
        isinstance(costs, list) and all(map(is_cost, costs)) for costs in value.values())


@dataclass(frozen=True)
class BlockCost:
    """Yardstick of one block: the sum of its instructions' TTI costs."""

    function: str
    label: str
    n_instrs: int
    cost: float


def function_costs(text: str, target: Target, cost_kind: str = "throughput",
                   cache: DiskCache | None = None) -> dict[str, list[float]]:
    """Function name -> per-instruction costs, in function order, for IR text."""
    cache = cache if cache is not None else DiskCache()
    key = f"module|{key_prefix(target, cost_kind)}|{hashlib.sha256(text.encode()).hexdigest()}"
    hit = cache.get_many([key], valid=is_cost_map)
    if key in hit:
        return hit[key]
    proc = run_tool("opt", opt_cost_args(target, cost_kind), stdin=text)
    parsed = parse_cost_printout(proc.stderr)
    result = {name: [INVALID_COST if c is None else c for c in values]
              for name, values in parsed.items()}
    cache.put_many({key: result})
    return result


def text_block_costs(canonical: str, target: Target, cost_kind: str = "throughput",
                     cache: DiskCache | None = None) -> dict[tuple[str, str], tuple[float, ...]]:
    """(function, block label) -> per-instruction TTI costs, from canonical IR text.

    Raises CostModelError if opt's printout does not match the text.
    """
    per_function = function_costs(canonical, target, cost_kind, cache)
    unnamed = per_function.get("", [])  # opt prints every unnamed function as '', in order
    out = {}
    for fn, blocks in block_layout(canonical).items():
        n = sum(count for _, count in blocks)
        printed = printed_function_name(fn)
        costs = per_function.get(printed) if printed else unnamed[:n]
        unnamed = unnamed if printed else unnamed[n:]
        if costs is None or len(costs) != n:
            got = "no" if costs is None else len(costs)
            raise CostModelError(f"opt-22 priced {got} instructions of @{fn}, expected {n}")
        pos = 0
        for label, count in blocks:
            out[(fn, label)] = tuple(costs[pos:pos + count])
            pos += count
    return out


def block_costs(module: Module, target: Target | None = None, cost_kind: str = "throughput",
                cache: DiskCache | None = None) -> dict[tuple[str, str], tuple[float, ...]]:
    """(function, block label) -> per-instruction TTI costs of a parsed module."""
    return text_block_costs(module.text, target or target_for(module), cost_kind, cache)


def module_report(module: Module, target: Target | None = None,
                  cost_kind: str = "throughput") -> list[BlockCost]:
    """The yardstick per block, in module order."""
    costs = block_costs(module, target, cost_kind)
    return [BlockCost(fn.name, b.label, len(b), float(sum(costs[(fn.name, b.label)])))
            for fn in module.functions for b in fn.blocks]
