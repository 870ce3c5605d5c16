"""``run_slp``: the whole vectorizer on one module.

parse -> per block: analyse, policy plan, codegen (scalar fallback on any
failure) -> splice + verify (per-block fallback) -> cleanup -> measure.
"""

from __future__ import annotations

import time

from .codegen import BlockEmitter, NameGen, assemble, check_plan
from .passes import cleanup, name_values
from .context import make_context
from .cost import CostTable, block_costs, text_block_costs
from .errors import SlpvecError
from .estimate import plan_cost
from .ir import Module, parse_module
from .policies import get_policy
from .report import BlockReport, Report
from .target import Target, target_for


# Blocks beyond this many instructions are left scalar: the dependence
# bitsets grow quadratically (tens of MB at this size), and such blocks are
# generated code, not hand loops.
MAX_BLOCK_INSTRS = 10_000
# Seconds a policy may spend on one block; then it returns its best plan so far.
BLOCK_BUDGET_S = 20.0


def run_slp(module_text: str, policy="greedy", target: Target | None = None,
            cost_kind: str = "throughput", source: str = "<input>",
            do_cleanup: bool = True, block_budget_s: float | None = BLOCK_BUDGET_S,
            max_block_instrs: int = MAX_BLOCK_INSTRS) -> tuple[str, Report]:
    """Vectorize a module. Returns (output IR text, :class:`Report`).

    Each block's policy time is bounded by ``block_budget_s`` (greedy stops
    growing, the ILP gets at most the rest as its limit); blocks with more
    than ``max_block_instrs`` instructions are left scalar with that reason.

    ``policy`` is a registered name or a policy object. Raises SlpvecError
    only for bad input (malformed IR); a block that cannot be vectorized
    correctly is left scalar with ``fallback_reason`` set.
    """
    start = time.perf_counter()
    module, target, costs, table = prepare(parse_module(module_text, source), target,
                                           cost_kind, source)
    policy_obj = get_policy(policy) if isinstance(policy, str) else policy
    pending = [_analyse_block(fn, block, target, costs, table, max_block_instrs)
               for fn in module.functions for block in fn.blocks]
    _plan_blocks(policy_obj, pending, block_budget_s)
    codes = []
    for fn in module.functions:
        fresh = NameGen.for_function(fn)
        for item in pending:
            if item["fn"] is fn:
                _emit_block(item, fresh)
                if item["code"] is not None:
                    codes.append(item["code"])
    assembled = assemble(module, codes)
    rejected = dict(assembled.rejected)
    text = assembled.text
    if assembled.applied and do_cleanup:
        try:
            text = cleanup(text)
        except (SlpvecError, RuntimeError):
            pass  # keep the verified, uncleaned text
    after = _costs_after(text, target, cost_kind)
    blocks = []
    for item in pending:
        reason = item["reason"] or rejected.get(item["id"], "")
        key = item["key"]
        blocks.append(BlockReport(
            block_id=item["id"], n_instrs=item["n"], n_candidates=item["n_cands"],
            cost_before=sum(costs[key]),
            cost_after=after.get(key, sum(costs[key])) if not reason else sum(costs[key]),
            estimated_after=item["estimate"], packs=item["packs"],
            seconds=item["seconds"], fallback_reason=reason,
            policy_seconds=item["policy_seconds"], scalar_reason=_scalar_reason(item, reason),
            plan_note=item["plan"].note if item["plan"] is not None else ""))
    name = getattr(policy_obj, "name", str(policy))
    report = Report(source, name, target.cpu, cost_kind, tuple(blocks),
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


def _analyse_block(fn, block, target, costs, table, max_instrs: int) -> dict:
    """Context (dependences, candidates) of one block; never raises."""
    t0 = time.perf_counter()
    key = (fn.name, block.label)
    item = {"fn": fn, "block": block, "id": block.id, "key": key, "n": len(block),
            "n_cands": 0, "packs": (), "estimate": None, "reason": "", "code": None,
            "ctx": None, "plan": None, "policy_seconds": 0.0}
    if len(block) > max_instrs:
        item["reason"] = (f"block has {len(block)} instructions, over the limit of "
                          f"{max_instrs}; left scalar")
        return item | {"seconds": 0.0}
    try:
        item["ctx"] = make_context(block, fn, target, costs[key], table)
        item["n_cands"] = len(item["ctx"].candidates.packs)
    except Exception as err:  # noqa: BLE001 - a bug must never cost the user a build
        item["reason"] = _reason(err)
    item["seconds"] = time.perf_counter() - t0
    return item


def _plan_blocks(policy, pending: list[dict], budget_s: float | None) -> None:
    """Plans for blocks with candidates: one ``plan_many`` call if the policy
    batches (per-block time from its ``block_seconds``, else shared evenly),
    else ``plan`` per block, each with its budget starting when it does."""
    todo = [item for item in pending if item["ctx"] is not None and item["n_cands"]]
    if hasattr(policy, "plan_many") and todo:
        t0 = time.perf_counter()
        try:
            plans = policy.plan_many([item["ctx"] for item in todo])
        except Exception as err:  # noqa: BLE001
            plans = [err] * len(todo)
        share = (time.perf_counter() - t0) / len(todo)
        own = getattr(policy, "block_seconds", None)  # a policy's own per-block split
        shares = own if own is not None and len(own) == len(todo) else [share] * len(todo)
        for item, plan, seconds in zip(todo, plans, shares):
            item["policy_seconds"] = seconds
            item["seconds"] += seconds
            if isinstance(plan, Exception):
                item["reason"] = _reason(plan)
            else:
                item["plan"] = plan
        return
    for item in todo:
        t0 = time.perf_counter()
        try:
            item["plan"] = policy.plan(item["ctx"].with_budget(budget_s))
        except Exception as err:  # noqa: BLE001
            item["reason"] = _reason(err)
        item["policy_seconds"] = time.perf_counter() - t0
        item["seconds"] += item["policy_seconds"]


def _emit_block(item: dict, fresh: NameGen) -> None:
    """Check and emit the block's plan (sets ``code`` or ``reason``); never raises."""
    plan = item["plan"]
    if plan is None or not plan.packs:
        return
    t0 = time.perf_counter()
    try:
        item["packs"] = tuple(p.lanes for p in plan.packs)
        check_plan(item["ctx"].generator, plan)
        item["estimate"] = plan_cost(item["ctx"], plan.packs)
        item["code"] = BlockEmitter(item["block"], item["ctx"].deps, plan, fresh).emit()
    except Exception as err:  # noqa: BLE001
        item["reason"] = _reason(err)
    item["seconds"] += time.perf_counter() - t0


def _scalar_reason(item: dict, fallback: str) -> str:
    """Why the block is not vectorized ("" if it is)."""
    plan = item["plan"]
    if fallback:
        return fallback
    if item["ctx"] is not None and not item["n_cands"]:
        return "no candidate packs"
    if plan is None or not plan.packs:
        return (plan.note if plan is not None and plan.note else
                "no profitable plan: the policy found none cheaper than the scalar block")
    return ""


def _reason(err: Exception) -> str:
    """A fallback reason: the message of an SlpvecError, else marked internal."""
    if isinstance(err, SlpvecError):
        return str(err)
    return f"internal error: {type(err).__name__}: {err}"


def _costs_after(text: str, target, cost_kind) -> dict:
    """Per-block yardstick of the output (canonical text), keyed like ``block_costs``."""
    return {key: sum(values) for key, values in text_block_costs(text, target, cost_kind).items()}
