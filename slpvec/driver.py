"""``run_slp``: the whole vectorizer on one module.

parse -> per block: analyse, policy plan, codegen (scalar fallback on any
failure) -> splice + verify (per-block fallback) -> cleanup -> measure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass, replace

from .analysis.forwarding import blocked_load_packs
from .codegen import BlockCode, BlockEmitter, NameGen, UnsupportedPack, assemble, check_plan
from .context import BlockContext, make_context
from .cost import CostTable, block_costs, text_block_costs
from .cost.mca import mca_slower_blocks
from .errors import InternalError, SlpvecError, fallback_reason
from .estimate import plan_cost
from .ir import Module, parse_module
from .ir.types import Block, Function
from .packs import PackPlan
from .passes import cleanup, name_values, parse_named_module
from .policies import PlanOutcome, Policy, get_policy
from .pricing import split_gather
from .report import BlockReport, Report
from .target import Target, target_for


# Blocks beyond this many instructions are left scalar: the dependence
# bitsets grow quadratically (tens of MB at this size), and such blocks are
# generated code, not hand loops.
MAX_BLOCK_INSTRS = 10_000
# Why the blocks of a function the caller did not select (run_slp's ``select``) stay scalar.
NOT_SELECTED = "function not selected for vectorization; left scalar"
# Seconds a policy may spend on one block; then it returns its best plan so far.
BLOCK_BUDGET_S = 20.0
# run_slp's final accept/reject: "tti" keeps every planned block (the policy
# priced it a gain), "mca" only those llvm-mca does not find slower, "tti+mca"
# asks llvm-mca only about blocks whose estimated saving is under SMALL_GAIN
# of their scalar cost: a latency-bound chain (NPB randlc: TTI 23 -> 22, mca
# 60 -> 74 cycles, measured 7% slower per call) or a loop whose packs are
# all extracted for addresses (NPB IS's histogram, 50 -> 46 / 8.1 -> 10.4)
# gains little when TTI is right and loses when it is not.
# A tie (mca within SMALL_GAIN_MARGIN of the scalar cycles) goes to TTI.
ACCEPT_BY = ("tti", "mca", "tti+mca")
SMALL_GAIN, SMALL_GAIN_MARGIN = 0.10, 0.05


@dataclass(frozen=True)
class BlockWork:
    """One block on its way through the stages (analyse, plan, emit, report);
    each stage returns a copy with its part filled in.

    ``ctx``: the block's analyses (None if it was not analysed: over the size
    limit, or the analysis failed); ``plan``: the policy's plan (None before
    planning, or if planning failed); ``estimate``: the plan's codegen-level
    cost estimate (TTI units); ``code``: the emitted block (None if left
    scalar); ``failure``: why the block was left scalar by a limit or a
    failure ("" if it was not); ``seconds``: analysis + policy + codegen time,
    ``policy_seconds`` the policy's part.
    """

    function: Function
    block: Block
    ctx: BlockContext | None = None
    plan: PackPlan | None = None
    estimate: float | None = None
    code: BlockCode | None = None
    failure: str = ""
    seconds: float = 0.0
    policy_seconds: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        """(function name, block label): how block costs are keyed."""
        return self.function.name, self.block.label

    @property
    def n_candidates(self) -> int:
        return len(self.ctx.candidates.packs) if self.ctx is not None else 0

    @property
    def packs(self) -> tuple[tuple[int, ...], ...]:
        """The plan's packs as lane tuples (empty without a plan)."""
        return tuple(p.lanes for p in self.plan.packs) if self.plan is not None else ()


def run_slp(module_text: str, policy: str | Policy = "greedy", target: Target | None = None,
            cost_kind: str = "throughput", source: str = "<input>",
            do_cleanup: bool = True, block_budget_s: float | None = BLOCK_BUDGET_S,
            max_block_instrs: int = MAX_BLOCK_INSTRS, accept_by: str = "tti",
            select: Callable[[str], bool] | None = None) -> tuple[str, Report]:
    """Vectorize a module. Returns (output IR text, :class:`Report`).

    Each block's policy time is bounded by ``block_budget_s`` (greedy stops
    growing, the ILP gets at most the rest as its limit); blocks with more
    than ``max_block_instrs`` instructions are left scalar with that reason.

    ``select``: which functions to vectorize, by :attr:`Function.name`
    (None: all); the blocks of the others stay scalar with that reason.

    ``accept_by="mca"`` makes a final check: a vectorized block whose machine
    code llvm-mca-22 finds slower than the scalar block's stays scalar;
    ``"tti+mca"`` checks only blocks of small estimated gain (:data:`ACCEPT_BY`).

    ``policy`` is a registered name or a :class:`Policy`. Raises SlpvecError
    only for bad input (malformed IR); a block that cannot be vectorized
    correctly is left scalar with ``fallback_reason`` set.
    """
    start = time.perf_counter()
    module, target, costs, table = prepare(parse_named_module(module_text, source), target,
                                           cost_kind, source)
    policy_obj = get_policy(policy) if isinstance(policy, str) else policy
    if not isinstance(policy_obj, Policy):
        raise TypeError(f"run_slp needs a policy name or a Policy, got {policy!r}")
    works = [_analyse_block(fn, block, target, costs[(fn.name, block.label)], table,
                            max_block_instrs, select is None or select(fn.name))
             for fn in module.functions for block in fn.blocks]
    works = _plan_blocks(policy_obj, works, block_budget_s)
    works = _without_blocked_loads(policy_obj, works, block_budget_s)
    emitted = []
    for fn in module.functions:
        fresh = NameGen.for_function(fn)
        emitted += [_emit_block(work, fresh) for work in works if work.function is fn]
    codes = [w.code for w in emitted if w.code is not None]
    assembled = assemble(module, codes)
    rejected = dict(assembled.rejected)
    if accept_by not in ACCEPT_BY:
        raise ValueError(f"accept_by must be one of {ACCEPT_BY}, not {accept_by!r}")
    checked = (assembled.applied if accept_by == "mca" else
               _small_gains(emitted, assembled.applied) if accept_by == "tti+mca" else ())
    if checked:  # final accept/reject by llvm-mca cycles
        slower = mca_slower_blocks(module, assembled.text, checked, target,
                                   SMALL_GAIN_MARGIN if accept_by == "tti+mca" else 0.0)
        if slower:
            assembled = assemble(module, [c for c in codes if c.block_id not in slower])
            rejected |= dict(assembled.rejected) | slower
    text = assembled.text
    if assembled.applied and do_cleanup:
        try:
            text = cleanup(text)
        except (SlpvecError, RuntimeError):
            pass  # keep the verified, uncleaned text
    after = _costs_after(text, target, cost_kind)
    blocks = tuple(_block_report(w, rejected.get(w.block.id, ""), sum(costs[w.key]),
                                 after.get(w.key)) for w in emitted)
    report = Report(source, policy_obj.name, target.cpu, cost_kind, blocks,
                    time.perf_counter() - start)
    return text, report


def prepare(module: Module, target: Target | None = None, cost_kind: str = "throughput",
            source: str = "<input>"):
    """What every block-level stage needs: (module with all values named,
    target, per-block scalar costs, cost table)."""
    if has_numbered_values(module):
        module = parse_module(name_values(module.text), source)
    target = target or target_for(module)
    return module, target, block_costs(module, target, cost_kind), CostTable(target, cost_kind)


def has_numbered_values(module: Module) -> bool:
    """True if any instruction or block is unnamed (``%5``, ``5:``): those must
    stay in sequence, which reordering instructions would break."""
    return any(b.label.isdigit() or any(ins.name.isdigit() for ins in b.instrs)
               for b in module.blocks())


def _analyse_block(fn: Function, block: Block, target: Target, scalar_costs, table,
                   max_instrs: int, selected: bool = True) -> BlockWork:
    """The block with its context (dependences, candidates); never raises.
    ``selected``: False for a function the caller left out (no analysis)."""
    t0 = time.perf_counter()
    work = BlockWork(fn, block)
    if not selected:
        return replace(work, failure=NOT_SELECTED)
    if len(block) > max_instrs:
        return replace(work, failure=f"block has {len(block)} instructions, over the limit "
                                     f"of {max_instrs}; left scalar")
    if fn.optnone:
        return replace(work, failure="optnone function; left scalar")
    try:
        work = replace(work, ctx=make_context(block, fn, target, scalar_costs, table))
    except Exception as err:  # noqa: BLE001 - a bug must never cost the user a build
        work = replace(work, failure=fallback_reason(err))
    return replace(work, seconds=time.perf_counter() - t0)


def _plan_blocks(policy: Policy, works: list[BlockWork], budget_s: float | None
                 ) -> list[BlockWork]:
    """``works`` with plans for the blocks that have candidates: one
    ``plan_blocks`` call (the policy may share work between blocks), each
    block under ``budget_s``; a failed block keeps no plan and the reason."""
    todo = [k for k, work in enumerate(works) if work.n_candidates]
    if not todo:
        return works
    t0 = time.perf_counter()
    try:
        outcomes = policy.plan_blocks([works[k].ctx for k in todo], budget_s)
        if len(outcomes) != len(todo):
            raise InternalError(f"policy {policy.name} planned {len(outcomes)} of "
                                f"{len(todo)} blocks")
    except Exception as err:  # noqa: BLE001 - the whole batch failed: every block scalar
        share = (time.perf_counter() - t0) / len(todo)
        outcomes = [PlanOutcome(None, share, err)] * len(todo)
    works = list(works)
    for k, outcome in zip(todo, outcomes):
        failure = fallback_reason(outcome.error) if outcome.error is not None else ""
        works[k] = replace(works[k], plan=outcome.plan, failure=failure,
                           policy_seconds=outcome.seconds,
                           seconds=works[k].seconds + outcome.seconds)
    return works


def _without_blocked_loads(policy: Policy, works: list[BlockWork], budget_s: float | None
                           ) -> list[BlockWork]:
    """``works`` with no plan keeping a load pack that would wait for stores
    it cannot be forwarded from (:mod:`slpvec.analysis.forwarding`; TTI and
    llvm-mca price such a pack as a gain). A block whose plan has one is
    planned again, up to :data:`FORWARDING_ROUNDS` times, without the load
    candidates its plan's stores would block; packs still blocked after that
    are unpacked, and a plan no cheaper than the scalar block is dropped."""
    for _ in range(FORWARDING_ROUNDS):
        blocked = {k: _blocked(work) for k, work in enumerate(works)}
        blocked = {k: packs for k, packs in blocked.items()
                   if packs and set(packs) & set(works[k].plan.packs)}
        if not blocked:
            return works
        retry = []
        for k, packs in blocked.items():
            ctx = works[k].ctx
            kept = tuple(p for p in ctx.candidates.packs if p not in packs)
            retry.append(replace(works[k], ctx=replace(
                ctx, candidates=replace(ctx.candidates, packs=kept), memo={})))
        for k, work in zip(blocked, _plan_blocks(policy, retry, budget_s)):
            if work.plan is not None:  # else (the policy failed) the old plan is unpacked below
                works[k] = replace(work, policy_seconds=works[k].policy_seconds
                                   + work.policy_seconds)
    return [_unpacked(work, _blocked(work)) for work in works]


# Times a block is planned again without the load packs its plan's stores would block.
FORWARDING_ROUNDS = 2
UNPACKED_NOTE = "load packs that would wait for stores unpacked"


def _blocked(work: BlockWork) -> tuple:
    """The load candidates (and packs) of ``work`` that its plan's stores
    would leave waiting (empty without a plan)."""
    if work.plan is None or not work.plan.packs:
        return ()
    ctx = work.ctx
    try:
        check_plan(ctx.generator, work.plan)
    except UnsupportedPack:  # refused again when emitted: that block falls back, not the module
        return ()
    return blocked_load_packs(ctx.block, ctx.function, ctx.deps.addresses, work.plan.packs,
                              ctx.candidates.packs + work.plan.packs)


def _unpacked(work: BlockWork, blocked: tuple) -> BlockWork:
    """``work`` with the ``blocked`` load packs taken out of its plan; no
    packs at all when what remains is no cheaper than the scalar block."""
    if not set(blocked) & set(work.plan.packs if work.plan is not None else ()):
        return work
    packs = tuple(p for p in work.plan.packs if p not in blocked)
    if packs and not plan_cost(work.ctx, packs) < work.ctx.scalar_total:
        packs = ()
    note = f"{work.plan.note}; {UNPACKED_NOTE}" if work.plan.note else UNPACKED_NOTE
    return replace(work, plan=replace(work.plan, packs=packs, note=note))


def _emit_block(work: BlockWork, fresh: NameGen) -> BlockWork:
    """Check, estimate and emit the block's plan (sets ``code`` or
    ``failure``); never raises."""
    if work.plan is None or not work.plan.packs:
        return work
    t0 = time.perf_counter()
    try:
        check_plan(work.ctx.generator, work.plan)
        estimate = plan_cost(work.ctx, work.plan.packs)
        code = BlockEmitter(work.block, work.ctx.deps, work.plan, fresh, work.function,
                            partial(split_gather, work.ctx.table)).emit()
        work = replace(work, estimate=estimate, code=code)
    except Exception as err:  # noqa: BLE001
        work = replace(work, failure=fallback_reason(err))
    return replace(work, seconds=work.seconds + time.perf_counter() - t0)


def _small_gains(works: list[BlockWork], block_ids) -> tuple[str, ...]:
    """The blocks of ``block_ids`` whose estimated saving is under
    :data:`SMALL_GAIN` of their scalar cost."""
    ids = set(block_ids)
    return tuple(w.block.id for w in works
                 if w.block.id in ids and w.estimate is not None
                 and w.ctx.scalar_total - w.estimate < SMALL_GAIN * w.ctx.scalar_total)


def _block_report(work: BlockWork, rejected: str, cost_before: float,
                  cost_after: float | None) -> BlockReport:
    """The report of one block; ``rejected``: why the module's verification
    dropped its code ("" if it did not), ``cost_after``: the output block's
    yardstick (None if it has none)."""
    failure = work.failure or rejected
    plan = work.plan
    return BlockReport(
        block_id=work.block.id, n_instrs=len(work.block), n_candidates=work.n_candidates,
        cost_before=cost_before,
        cost_after=cost_before if failure or cost_after is None else cost_after,
        estimated_after=work.estimate, packs=work.packs, seconds=work.seconds,
        fallback_reason=failure, policy_seconds=work.policy_seconds,
        scalar_reason=_scalar_reason(work, failure),
        plan_note=plan.note if plan is not None else "",
        solve=plan.solve if plan is not None else None)


def _scalar_reason(work: BlockWork, failure: str) -> str:
    """Why the block is not vectorized ("" if it is)."""
    plan = work.plan
    if failure:
        return failure
    if work.ctx is not None and not work.n_candidates:
        return "no candidate packs"
    if plan is None or not plan.packs:
        return (plan.note if plan is not None and plan.note else
                "no profitable plan: the policy found none cheaper than the scalar block")
    return ""


def _costs_after(text: str, target, cost_kind) -> dict:
    """Per-block yardstick of the output (canonical text), keyed like ``block_costs``."""
    return {key: sum(values) for key, values in text_block_costs(text, target, cost_kind).items()}
