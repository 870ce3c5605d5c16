"""Shared set-up for ILP tests: random blocks as BlockContexts."""

import functools
import itertools

from slpvec.codegen.schedule import pack_cycle
from slpvec.context import make_context
from slpvec.cost import CostTable, block_costs
from slpvec.ir import parse_module
from slpvec.tools.randblocks import BlockSpec, random_block_ir
from slpvec.target import Target

HASWELL = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
SPECS = (BlockSpec(n_groups=2, max_lanes=2), BlockSpec(n_groups=1, max_lanes=4),
         BlockSpec(n_groups=2, max_lanes=3, scalar_stmts=1))


@functools.cache
def table() -> CostTable:
    return CostTable(HASWELL)


def context(ir: str):
    module = parse_module(ir)
    fn = module.functions[0]
    block = fn.blocks[0]
    return make_context(block, fn, HASWELL, block_costs(module, HASWELL)[(fn.name, block.label)],
                        table())


def small_contexts(count: int, max_candidates: int = 12, first_seed: int = 0):
    """``count`` random blocks with 1..max_candidates candidates, deterministic."""
    seed = first_seed
    while count:
        ctx = context(random_block_ir(seed, SPECS[seed % len(SPECS)]))
        seed += 1
        if 1 <= len(ctx.candidates.packs) <= max_candidates:
            count -= 1
            yield seed - 1, ctx


def brute_force(problem, deps) -> tuple[float, frozenset]:
    """Minimum objective over every disjoint, schedulable subset of candidates."""
    from ilp_oracle import plan_objective
    n = len(problem.packs)
    best = (problem.scalar_total, frozenset())
    for r in range(1, n + 1):
        for subset in itertools.combinations(range(n), r):
            lanes = [i for q in subset for i in problem.packs[q].lanes]
            if len(lanes) != len(set(lanes)):
                continue
            if pack_cycle(deps, tuple(problem.packs[q] for q in subset)) is not None:
                continue
            value = plan_objective(problem, frozenset(subset))
            if value < best[0] - 1e-9:
                best = (value, frozenset(subset))
    return best
