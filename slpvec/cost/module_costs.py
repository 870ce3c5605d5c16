"""Per-instruction TTI costs of a whole module: the project's yardstick.

One opt-22 run per module (text on stdin); results cached on disk by the
module text's sha256 plus LLVM version, target and cost kind. clang's
``"target-cpu"`` function attributes override ``-mcpu``, so a module is
priced for the cpu it was compiled for (see :func:`slpvec.target.retarget`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import CostModelError
from ..ir import Module
from ..target import Target, target_for
from ..toolchain import run_tool
from .cache import DiskCache
from .kinds import key_prefix, opt_cost_args
from .printout import parse_cost_printout

# TTI "Invalid" (cannot be lowered) is priced like an expensive library call.
INVALID_COST = 100.0


@dataclass(frozen=True)
class BlockCost:
    """Yardstick of one block: the sum of its instructions' TTI costs."""

    function: str
    label: str
    n_instrs: int
    cost: float


def function_costs(module: Module, target: Target, cost_kind: str = "throughput",
                   cache: DiskCache | None = None) -> dict[str, list[float]]:
    """Function name -> per-instruction costs, in function order."""
    cache = cache if cache is not None else DiskCache()
    key = f"module|{key_prefix(target, cost_kind)}|{hashlib.sha256(module.text.encode()).hexdigest()}"
    hit = cache.get_many([key])
    if key in hit:
        return hit[key]
    proc = run_tool("opt", opt_cost_args(target, cost_kind), stdin=module.text)
    parsed = parse_cost_printout(proc.stderr)
    result = {name: [INVALID_COST if c is None else c for c in values]
              for name, values in parsed.items()}
    cache.put_many({key: result})
    return result


def block_costs(module: Module, target: Target | None = None, cost_kind: str = "throughput",
                cache: DiskCache | None = None) -> dict[tuple[str, str], tuple[float, ...]]:
    """(function, block label) -> per-instruction TTI costs of that block.

    Raises CostModelError if opt's printout does not match the module.
    """
    target = target or target_for(module)
    per_function = function_costs(module, target, cost_kind, cache)
    out = {}
    for fn in module.functions:
        costs = per_function.get(fn.name)
        n = sum(len(b) for b in fn.blocks)
        if costs is None or len(costs) != n:
            got = "no" if costs is None else len(costs)
            raise CostModelError(f"opt-22 priced {got} instructions of @{fn.name}, expected {n}")
        pos = 0
        for block in fn.blocks:
            out[(fn.name, block.label)] = tuple(costs[pos:pos + len(block)])
            pos += len(block)
    return out


def module_report(module: Module, target: Target | None = None,
                  cost_kind: str = "throughput") -> list[BlockCost]:
    """The yardstick per block, in module order."""
    costs = block_costs(module, target, cost_kind)
    return [BlockCost(fn.name, b.label, len(b), float(sum(costs[(fn.name, b.label)])))
            for fn in module.functions for b in fn.blocks]
