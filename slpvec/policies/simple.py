"""The ``none`` and ``greedy`` policies."""

from __future__ import annotations

from ..codegen.operands import is_commutative
from ..context import BlockContext
from ..estimate import plan_cost
from ..ir.types import LOAD, LOCAL, STORE
from ..packs import Pack, PackPlan
from .base import Policy, register
from .memo import load_candidates, operand_packs
from .refine import refine_plan

SAVING_EPSILON = 1e-9


@register
class NoPacking(Policy):
    """Leaves every block scalar (the baseline every policy is compared to)."""

    name = "none"

    def plan(self, ctx: BlockContext) -> PackPlan:
        return PackPlan(ctx.block.id, (), "policy none leaves every block scalar")


@register
class GreedyBottomUp(Policy):
    """LLVM-SLP-like: seed at consecutive stores (widest first), then at roots
    of operand trees (e.g. the two products of ``a*b + c*d``); grow each tree
    along operands through candidate packs and keep it if the estimated block
    cost drops."""

    name = "greedy"

    def plan(self, ctx: BlockContext) -> PackPlan:
        candidates = {p.lanes for p in ctx.candidates.packs}
        chosen: list[Pack] = []
        taken: set[int] = set()
        best = ctx.scalar_total
        note = ""
        for seed in self.seeds(ctx, candidates):
            if ctx.time_left() <= 0:  # budget spent: keep the trees accepted so far
                note = "greedy: the block's time budget ran out; trees found so far kept"
                break
            if taken & set(seed.lanes):
                continue
            tree = self._tree(ctx, seed, candidates, taken)
            cost = plan_cost(ctx, tuple(chosen + tree))
            if cost < best - SAVING_EPSILON:
                chosen += tree
                taken |= {i for p in tree for i in p.lanes}
                best = cost
        return PackPlan(ctx.block.id, tuple(chosen), note)

    @staticmethod
    def seeds(ctx: BlockContext, candidates: set) -> list[Pack]:
        """Store packs (widest first), then roots of operand trees (non-memory
        packs that are no other candidate's operand pack), then the remaining
        non-memory packs, so a profitable subtree (two costly divisions, say)
        is found even when its whole tree does not pay."""
        instrs = ctx.block.instrs
        stores = sorted((p for p in ctx.candidates.packs if instrs[p.lanes[0]].kind == STORE),
                        key=lambda p: (-p.width, p.lanes[0]))
        operands = {o for lanes in candidates for o in operand_packs(ctx, lanes) if o}
        others = [p for p in ctx.candidates.packs if instrs[p.lanes[0]].kind not in (STORE, LOAD)]
        order = lambda p: (-p.width, -max(p.lanes))  # noqa: E731  (bottom-up, widest first)
        roots = sorted((p for p in others if p.lanes not in operands), key=order)
        inner = sorted((p for p in others if p.lanes in operands), key=order)
        return stores + roots + inner

    @staticmethod
    def _tree(ctx: BlockContext, seed: Pack, candidates: set, taken: set[int]) -> list[Pack]:
        tree, used, work = [seed], set(seed.lanes), [seed.lanes]
        while work:
            lanes = work.pop()
            operands = [o for o in operand_packs(ctx, lanes) if o in candidates]
            for operand in operands or _factor_packs(ctx, lanes):
                if (taken | used) & set(operand):
                    continue
                tree.append(Pack(operand))
                used |= set(operand)
                work.append(operand)
        return tree


def _factor_packs(ctx: BlockContext, lanes: tuple[int, ...]) -> list:
    """Load candidates taking, lane by lane, either factor of commutative lanes
    (``re*t`` and ``t*im``: the pack of ``re`` and ``im``, NPB FT's evolve),
    which the positional and first-match operand packs miss when both
    factors have one signature (two loads of doubles); :meth:`_tree` asks for
    them only when no operand pack of the lanes is a candidate."""
    instrs = ctx.block.instrs
    if not all(len(instrs[i].operands) >= 2 and is_commutative(instrs[i])
               for i in lanes):
        return []
    factors = [{op.index for op in instrs[i].operands[:2] if op.kind == LOCAL} for i in lanes]
    loads = load_candidates(ctx)
    return sorted(c for first in factors[0] for c in loads.get((first, len(lanes)), ())
                  if all(x in f for x, f in zip(c, factors)))


@register
class RefinedGreedy(Policy):
    """The greedy plan after the cost-model repair of :mod:`.refine`: what
    ``gnn`` would be without its model (the ablation that measures what the
    model adds)."""

    name = "greedy-refined"

    def __init__(self):
        self.greedy = GreedyBottomUp()

    def plan(self, ctx: BlockContext) -> PackPlan:
        return PackPlan(ctx.block.id, refine_plan(ctx, self.greedy.plan(ctx).packs))
