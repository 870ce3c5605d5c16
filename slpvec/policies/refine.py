"""Cost-model repair of a plan: complete operand trees, drop packs that do not pay.

A learned policy can pack the top of a tree (stores, arithmetic) and stop
before its leaves (loads), leaving the packs fed by gathers that cost more than
they save. :func:`refine_plan` is a small local search on the codegen-level
estimate (:func:`slpvec.estimate.plan_cost`):

1. **complete**: add each candidate that is an operand vector of a chosen pack
   (and overlaps no chosen pack) if the block's estimated cost drops; repeat
   while it does, at most ``rounds`` times;
2. **prune**: drop each pack whose removal lowers the estimate.

Only strict improvements are taken, the plan stays legal (``plan_cost`` is
inf for unschedulable sets), and a plan not cheaper than scalar becomes empty.
The block's time budget (``ctx.time_left()``) stops the search early.
"""

from __future__ import annotations

from ..context import BlockContext
from ..estimate import plan_cost
from ..packs import Pack

EPSILON = 1e-9


def refine_plan(ctx: BlockContext, packs: tuple[Pack, ...], rounds: int = 4
                ) -> tuple[Pack, ...]:
    """A plan at least as cheap as ``packs`` by the estimate (see module doc)."""
    candidates = {p.lanes for p in ctx.candidates.packs}
    current = list(packs)
    best = plan_cost(ctx, tuple(current)) if current else ctx.scalar_total
    for _ in range(rounds):
        used = {i for p in current for i in p.lanes}
        added = False
        for pack in list(current):
            for operand in ctx.generator.operand_packs(pack.lanes):
                if (operand is None or operand not in candidates or used & set(operand)
                        or ctx.time_left() <= 0):
                    continue
                trial = current + [Pack(operand)]
                cost = plan_cost(ctx, tuple(trial))
                if cost < best - EPSILON:
                    current, best, added = trial, cost, True
                    used |= set(operand)
        if not added:
            break
    for pack in list(current):
        if ctx.time_left() <= 0:
            break
        trial = [q for q in current if q != pack]
        cost = plan_cost(ctx, tuple(trial)) if trial else ctx.scalar_total
        if cost < best - EPSILON:
            current, best = trial, cost
    return tuple(current) if best < ctx.scalar_total - EPSILON else ()
