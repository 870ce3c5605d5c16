"""Answers a policy asks again and again about one block, remembered in
``ctx.memo`` (shared by the copies :meth:`BlockContext.with_budget` makes, so
``gnn``'s greedy plan and both repairs share them).

Each answer is kept with the part of the context it was computed from
(:func:`remembered`): a copy of the context with other candidates (the
driver's forwarding retry) gets new answers, never stale ones.
"""

from __future__ import annotations

from ..context import BlockContext
from ..ir.types import LOAD

Lanes = tuple[int, ...]


def remembered(ctx: BlockContext, name: str, source) -> dict:
    """The dict ``ctx.memo[name]`` of answers that depend on ``source`` (a
    part of the context), new whenever ``source`` is another object."""
    entry = ctx.memo.get(name)
    if entry is None or entry[0] is not source:
        entry = ctx.memo[name] = (source, {})
    return entry[1]


def operand_packs(ctx: BlockContext, lanes: Lanes) -> tuple[Lanes | None, ...]:
    """``tuple(ctx.generator.operand_packs(lanes))``, remembered per block:
    greedy and the repair ask for the same packs' operands many times."""
    known = remembered(ctx, "operand_packs", ctx.generator)
    found = known.get(lanes)
    if found is None:
        found = known[lanes] = tuple(ctx.generator.operand_packs(lanes))
    return found


def load_candidates(ctx: BlockContext) -> dict[tuple[int, int], list[Lanes]]:
    """(first lane, width) -> the load candidates starting there with that
    width, in sorted order; remembered per candidate set."""
    known = remembered(ctx, "load_candidates", ctx.candidates)
    index = known.get("index")
    if index is None:
        instrs = ctx.block.instrs
        index = known["index"] = {}
        for lanes in sorted(p.lanes for p in ctx.candidates.packs):
            if instrs[lanes[0]].kind == LOAD:
                index.setdefault((lanes[0], len(lanes)), []).append(lanes)
    return index
