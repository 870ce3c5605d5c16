"""``slpvec explain``: what the vectorizer did to one block, as data.

:func:`explain_block` runs the ordinary pipeline (:func:`slpvec.driver.run_slp`
on the whole module, so the block gets exactly the plan ``slpvec vectorize``
would give it) and gathers, for one block, what a picture of it needs: the
block's analysis (:class:`BlockContext`: instructions, dependence DAG), the
chosen packs with their operand vectors (:mod:`slpvec.codegen.operands`, as
codegen builds them) and a cost breakdown per pack, the yardstick's cost
before and after, and optionally LLVM SLP's vector instructions for the same
block. :mod:`.explain_render` draws it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..codegen import BlockEmitter, NameGen
from ..codegen.block import operand_positions
from ..codegen.operands import OperandVector
from ..codegen.schedule import schedule
from ..context import BlockContext, make_context
from ..cost import text_block_costs
from ..driver import prepare, run_slp
from ..errors import SlpvecError
from ..estimate import plan_cost
from ..ir import Module
from ..packs import Pack, PackPlan
from ..pricing import operand_cost, pack_costs
from ..report import BlockReport
from ..target import Target


@dataclass(frozen=True)
class PackCost:
    """One chosen pack's share of the block's estimated cost (TTI units).

    ``scalar``: its lanes as scalar instructions; ``vector``: the vector
    instruction; ``operands``: the operand vectors it builds (a vector several
    packs read is built once and counted at the first pack, in schedule order);
    ``extracts``: lanes extracted because a scalar still uses them.
    """

    scalar: float
    vector: float
    operands: float
    extracts: float

    @property
    def after(self) -> float:
        return self.vector + self.operands + self.extracts

    @property
    def saving(self) -> float:
        return self.scalar - self.after


@dataclass(frozen=True)
class PackView:
    """A chosen pack: ``operands`` pairs each vector operand position of lane 0
    with the :class:`OperandVector` codegen builds for it (``sources`` index
    the block's packs); ``extracted``: lanes needed as scalars."""

    index: int
    pack: Pack
    operands: tuple[tuple[int, OperandVector], ...]
    extracted: tuple[int, ...]
    cost: PackCost


@dataclass(frozen=True)
class LlvmBlock:
    """LLVM SLP's output for the block: its vector instruction lines (those
    with a vector type, in block order) and the yardstick's cost after."""

    lines: tuple[str, ...]
    cost_after: float


@dataclass(frozen=True)
class BlockExplanation:
    """One block under one policy (costs in TTI units of ``cost_kind``).

    ``cost_before``/``cost_after``: the yardstick (``slpvec cost``) of the
    input and output block; ``estimated_after``: the estimate of the plan
    (equal to ``cost_before`` minus the packs' savings); ``scalar_reason``:
    why the block stays scalar ("" if it is vectorized).
    """

    ctx: BlockContext
    policy: str
    cpu: str
    cost_kind: str
    packs: tuple[PackView, ...]
    cost_before: float
    cost_after: float
    estimated_after: float
    scalar_reason: str
    llvm: LlvmBlock | None = None

    @property
    def block_id(self) -> str:
        return self.ctx.block.id


def explain_block(module: Module, function: str, block: str | None = None,
                  policy="greedy", target: Target | None = None,
                  cost_kind: str = "throughput", with_llvm: bool = False,
                  source: str = "<input>") -> BlockExplanation:
    """Explain block ``block`` (a label, or ``function:label``) of ``function``;
    without ``block``, the block of ``function`` whose cost the policy lowers
    most (the first on a tie). ``policy``: a name or a policy object.

    Raises SlpvecError naming the functions or blocks there are when
    ``function`` or ``block`` does not exist.
    """
    module, target, costs, table = prepare(module, target, cost_kind, source)
    fn = _function(module, function)
    labels = [b.label for b in fn.blocks]
    if block is not None:
        label = block.split(":", 1)[1] if block.startswith(f"{function}:") else block
        if label not in labels:
            raise SlpvecError(f"no block '{block}' in function '{function}' (blocks: "
                              f"{_listing(labels)})")
    _, report = run_slp(module.text, policy, target, cost_kind, source)
    reports = [r for r in report.blocks if r.block_id.split(":", 1)[0] == fn.name]
    chosen = (next(r for r in reports if r.block_id == f"{fn.name}:{label}") if block is not None
              else max(reports, key=_saving))
    the_block = next(b for b in fn.blocks if b.id == chosen.block_id)
    ctx = make_context(the_block, fn, target, costs[(fn.name, the_block.label)], table)
    packs = tuple(Pack(lanes) for lanes in chosen.packs) if chosen.vectorized else ()
    llvm = _llvm_block(module, target, cost_kind, (fn.name, the_block.label)) if with_llvm \
        else None
    return BlockExplanation(ctx, report.policy, target.cpu, cost_kind, pack_views(ctx, packs),
                            chosen.cost_before, chosen.cost_after,
                            plan_cost(ctx, packs) if packs else ctx.scalar_total,
                            chosen.scalar_reason, llvm)


def _saving(report: BlockReport) -> float:
    """Yardstick cost the policy saved on a block."""
    return report.cost_before - report.cost_after


def pack_views(ctx: BlockContext, packs: tuple[Pack, ...]) -> tuple[PackView, ...]:
    """The packs with their operand vectors and costs, as codegen builds them."""
    if not packs:
        return ()
    emitter = BlockEmitter(ctx.block, ctx.deps, PackPlan(ctx.block.id, packs),
                           NameGen.for_function(ctx.function))
    instrs = ctx.block.instrs
    operand_costs = {k: 0.0 for k in range(len(packs))}
    built: set[tuple] = set()
    for k in schedule(ctx.deps, packs):  # a shared vector is paid where it is built
        for vector in emitter.operands[k] if k < len(packs) else ():
            if vector.key is not None and vector.key not in built:
                built.add(vector.key)
                widths = tuple(packs[s].width for s in vector.sources)
                operand_costs[k] += operand_cost(ctx, vector, widths)
    views = []
    for k, (pack, vector_cost) in enumerate(zip(packs, pack_costs(ctx, packs))):
        extracted = tuple(i for i in pack.lanes if i in emitter.needs_scalar)
        cost = PackCost(
            scalar=float(sum(ctx.scalar_costs[i] for i in pack.lanes)),
            vector=float(vector_cost),
            operands=operand_costs[k],
            extracts=float(sum(ctx.table.extract_cost(instrs[i].type, pack.width, lane)
                               for lane, i in enumerate(pack.lanes) if i in extracted)))
        positions = operand_positions(instrs[pack.lanes[0]])
        views.append(PackView(k, pack, tuple(zip(positions, emitter.operands[k])),
                              extracted, cost))
    return tuple(views)


_VECTOR_TYPE = re.compile(r"<\d+ x ")


def _llvm_block(module: Module, target: Target, cost_kind: str,
                key: tuple[str, str]) -> LlvmBlock:
    from .evaluate import llvm_slp
    from .llvm_compare import block_texts

    text = llvm_slp(module, target)
    lines = block_texts(text).get(key, [])
    cost = text_block_costs(text, target, cost_kind).get(key, ())
    return LlvmBlock(tuple(ln for ln in lines if _VECTOR_TYPE.search(ln)),
                     float(sum(cost)))


def _function(module: Module, name: str):
    try:
        return module.function(name)
    except KeyError:
        names = [fn.name for fn in module.functions]
        raise SlpvecError(f"no function '{name}' defined in the input (functions: "
                          f"{_listing(names)})") from None


def _listing(names: list[str], most: int = 12) -> str:
    """Up to ``most`` names, comma-separated, then how many more."""
    shown = ", ".join(names[:most]) or "none"
    return shown + (f", ... ({len(names) - most} more)" if len(names) > most else "")
