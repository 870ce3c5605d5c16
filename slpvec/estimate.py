"""Estimated TTI cost of a block under a pack plan.

Mirrors codegen exactly (it reuses :class:`codegen.BlockEmitter`'s operand
strategies and extract decisions) and prices every emitted instruction with
the cost table, so that the estimate predicts the ``slpvec cost`` yardstick
of the generated block. Units: TTI cost units of the chosen cost kind.
"""

from __future__ import annotations

import math

from .codegen.block import BlockEmitter, NameGen, operand_positions
from .codegen import vector_ops as vo
from .codegen.operands import OperandVector
from .codegen.schedule import packs_acyclic
from .context import BlockContext
from .cost import SynthQuery
from .ir.types import LOAD, STORE
from .packs import Pack, PackPlan

POISON = ("poison",)  # a mix of undef and poison lanes is not poison


def pack_query(ctx: BlockContext, pack: Pack) -> SynthQuery:
    """The synthetic instruction that prices ``pack`` (same text codegen emits)."""
    lanes = [ctx.block.instrs[i] for i in pack.lanes]
    first, width = lanes[0], pack.width
    arg_types: list[str] = []
    texts: list[str] = []
    for pos in operand_positions(first):
        texts.append(f"%a{len(arg_types)}")
        arg_types.append(vo.vec(first.operands[pos].type, width))
    if first.callee:
        full = [f"scalar:{o.type} {o.text}" for o in first.operands[:-1]]
        for pos, text in zip(operand_positions(first), texts):
            full[pos] = text
        texts = full
    pointer = ""
    if first.kind in (LOAD, STORE):
        pointer = f"%a{len(arg_types)}"
        arg_types.append("ptr")
    return SynthQuery(vo.pack_instruction("%r", lanes, texts, pointer), tuple(arg_types))


def two_source_shuffle_cost(table, elem: str, source_width: int, mask) -> float:
    """A shufflevector of two <source_width x elem> vectors. A blend's second
    source is a constant vector; it is priced as any second vector (TTI does
    not look at constant values; this keeps one cache entry per mask)."""
    t = vo.vec(elem, source_width)
    text = vo.shuffle("%r", "%a0", "%a1", elem, source_width, list(mask))
    return table.costs([SynthQuery(text, (t, t))])[0]


def operand_cost(ctx: BlockContext, vector: OperandVector, source_widths: tuple[int, ...] = ()
                 ) -> float:
    """Cost of building one operand vector (0 for reuse and constants);
    ``source_widths``: widths of the packs a shuffle reads."""
    width, elem, table = len(vector.lanes), vector.elem, ctx.table
    if vector.kind in ("pack", "const"):
        return 0.0
    if vector.kind == "shuffle" and len(vector.sources) == 1:
        return table.permute_cost(elem, source_widths[0], vector.mask)
    if vector.kind in ("shuffle", "blend"):  # two sources (a blend's: constants)
        return two_source_shuffle_cost(table, elem, source_widths[0], vector.mask)
    if vector.kind == "splat":
        return table.broadcast_cost(elem, width)
    # codegen inserts lane by lane into the constant lanes (all poison: poison)
    into_poison = all(not v.is_const or v.text in POISON for v in vector.lanes)
    total = 0.0
    for lane, v in enumerate(vector.lanes):
        if not v.is_const:
            total += table.insert_cost(elem, width, lane, into_poison)
            into_poison = False
    return total


def plan_cost(ctx: BlockContext, packs: tuple[Pack, ...]) -> float:
    """Estimated cost of the block with ``packs`` vectorized (inf if unschedulable)."""
    plan = PackPlan(ctx.block.id, tuple(packs))
    if not packs_acyclic(ctx.deps, plan.packs):
        return math.inf
    try:
        emitter = BlockEmitter(ctx.block, ctx.deps, plan, NameGen(set()))
    except vo.UnsupportedPack:
        return math.inf
    packed = plan.packed()
    total = sum(c for i, c in enumerate(ctx.scalar_costs) if i not in packed)
    queries = [pack_query(ctx, p) for p in plan.packs]
    total += sum(ctx.table.costs(queries))
    built = {v.key: v for vectors in emitter.operands for v in vectors}  # each built once
    total += sum(operand_cost(ctx, v, tuple(packs[s].width for s in v.sources))
                 for key, v in built.items() if key is not None)
    for i in emitter.needs_scalar:
        k, lane = emitter.pack_of[i]
        total += ctx.table.extract_cost(ctx.block.instrs[i].type, packs[k].width, lane)
    return float(total)
