"""Shrinking a fuzzer finding to a minimal reproducer.

A mismatch in a random module is reduced in two steps:

1. **one function**: the failing function is regenerated alone from its own
   seed (``randblocks`` derives each function's seed from the module's);
2. **fewest packs**: the policy's plan for it is replayed through a fixed-plan
   policy, dropping packs one at a time while the mismatch persists (the
   one-minimal subset of ddmin).

The result names the single-function input, the packs that still break it and
the vectorized output they give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..packs import Pack, PackPlan
from ..policies.base import Policy
from .randblocks import BlockSpec, random_block_ir

Check = Callable[[str, object], tuple[bool, str]]  # (input, policy) -> (fails?, output)


class FixedPlanPolicy(Policy):
    """Replays given packs (lane tuples) on every block that has them all."""

    name = "fixed"

    def __init__(self, packs: tuple[tuple[int, ...], ...]):
        self.packs = packs

    def plan(self, ctx) -> PackPlan:
        candidates = {p.lanes for p in ctx.candidates.packs}
        if all(p in candidates for p in self.packs):
            return PackPlan(ctx.block.id, tuple(Pack(p) for p in self.packs))
        return PackPlan(ctx.block.id)


@dataclass(frozen=True)
class Reproducer:
    """A minimal failing case: ``input_ir`` (one function), ``packs`` that
    still miscompile it, the ``output_ir`` they give, and its ``block_seed``."""

    input_ir: str
    output_ir: str
    packs: tuple[tuple[int, ...], ...]
    block_seed: int


def function_seed(module_seed: int, function_index: int) -> int:
    """The seed ``random_module_ir`` used for function ``@f<index>``."""
    return module_seed * 100_003 + function_index


def minimise(module_seed: int, function: str, policy, check: Check,
             plan_of: Callable[[str, object], tuple], spec: BlockSpec = BlockSpec()
             ) -> Reproducer | None:
    """Shrink function ``function`` (``f<k>``) of random module ``module_seed``.

    ``check(ir, policy)`` vectorizes and differential-tests; ``plan_of(ir,
    policy)`` gives the packs the policy chose. None if the mismatch does not
    reproduce in the function alone.
    """
    block_seed = function_seed(module_seed, int(function.lstrip("f")))
    single = random_block_ir(block_seed, spec)
    fails, output = check(single, policy)
    if not fails:
        return None
    packs = list(plan_of(single, policy))
    k = 0
    while k < len(packs) and len(packs) > 1:
        trial = packs[:k] + packs[k + 1:]
        trial_fails, trial_output = check(single, FixedPlanPolicy(tuple(trial)))
        if trial_fails:
            packs, output = trial, trial_output
        else:
            k += 1
    return Reproducer(single, output, tuple(packs), block_seed)
