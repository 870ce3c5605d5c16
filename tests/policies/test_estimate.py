"""The incremental plan estimate equals pricing the codegen of each plan anew.

:func:`slpvec.estimate.plan_cost` keeps the last plan's terms and recomputes
only what a change touches; the reference below builds a
:class:`BlockEmitter` for the whole plan (what the estimate did before) and
prices what it would emit.
"""

import math
import random

import pytest

from slpvec.codegen.block import BlockEmitter, NameGen
from slpvec.codegen.schedule import pack_cycle
from slpvec.context import make_context
from slpvec.driver import prepare
from slpvec.estimate import AcyclicPlans, plan_cost
from slpvec.pricing import operand_cost, pack_costs
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.tools.randblocks import BlockSpec, random_block_ir

from ..codegen.test_cycle_tracker import random_deps
from ..conftest import kernel_ir
from ..ilp_oracle.helpers import alternate_contexts, context, loop_contexts

# loops (phis, live-out values), reductions, shuffles, splats and gathers
KERNELS = ("reduction.c", "dot_loop.c", "horner.c", "complex_mul.c", "butterfly.c",
           "mat4.c", "cond_loop.c", "addsub.c")
# aliasing arrays (memory cycles between packs), casts, intrinsics, compares
SPECS = (BlockSpec(noalias=False, n_groups=4, shuffled=True),
         BlockSpec(n_groups=4, casts=True, scalar_stmts=4), BlockSpec(intrinsics=True),
         BlockSpec(compares=True), BlockSpec(selects=True),
         BlockSpec(noalias=False, max_lanes=8, n_groups=3),
         BlockSpec(n_groups=3, shuffled=True, alternate=True))


def crossing_block(groups: int) -> str:
    """Pairs of packs that depend on each other both ways: x0 -> y0 and
    y1 -> x1, while the stores make (x0, x1) and (y0, y1) candidates."""
    body = []
    for g in range(groups):
        body += [f"%x0.{g} = fmul float %a, {g}.0", f"%y0.{g} = fadd float %x0.{g}, 3.0",
                 f"%y1.{g} = fadd float %b, {g}.0", f"%x1.{g} = fmul float %y1.{g}, 2.0"]
        for v, base in (("x", "p"), ("y", "q")):
            body += [f"%{base}0.{g} = getelementptr float, ptr %{base}, i64 {2 * g}",
                     f"store float %{v}0.{g}, ptr %{base}0.{g}, align 4",
                     f"%{base}1.{g} = getelementptr float, ptr %{base}, i64 {2 * g + 1}",
                     f"store float %{v}1.{g}, ptr %{base}1.{g}, align 4"]
    return ("define void @f(ptr noalias %p, ptr noalias %q, float %a, float %b) {\nentry:\n  "
            + "\n  ".join(body) + "\n  ret void\n}\n")


def emitted_cost(ctx, packs) -> float:
    """The cost of what codegen emits for ``packs``, from a whole BlockEmitter."""
    if pack_cycle(ctx.deps, packs) is not None:
        return math.inf
    emitter = BlockEmitter(ctx.block, ctx.deps, PackPlan(ctx.block.id, packs), NameGen(set()),
                           ctx.function)
    packed = {i for p in packs for i in p.lanes}
    total = sum(c for i, c in enumerate(ctx.scalar_costs) if i not in packed)
    total += sum(pack_costs(ctx, packs))
    built = {v.key: v for vectors in emitter.operands for v in vectors}
    # a loop-invariant vector the emitter put in the preheader is charged too
    total += sum(operand_cost(ctx, v, tuple(packs[s].width for s in v.sources))
                 for key, v in built.items() if key is not None)
    for i in emitter.needs_scalar:
        k, lane = emitter.pack_of[i]
        total += ctx.table.extract_cost(ctx.block.instrs[i].type, packs[k].width, lane)
    return float(total)


def kernel_contexts():
    for name in KERNELS:
        module, target, costs, table = prepare(parse_module(kernel_ir(name)))
        for fn in module.functions:
            for block in fn.blocks:
                ctx = make_context(block, fn, target, costs[(fn.name, block.label)], table)
                if ctx.candidates.packs:
                    yield ctx


def random_contexts(count: int):
    for seed in range(count):
        ctx = context(random_block_ir(31_000 + seed, SPECS[seed % len(SPECS)]))
        if ctx.candidates.packs:
            yield ctx


def random_step(rng, plan: list[Pack], candidates) -> list[Pack]:
    """``plan`` with a few packs dropped or added (disjoint), in any order."""
    plan = list(plan)
    if plan and rng.random() < 0.3:
        plan.pop(rng.randrange(len(plan)))
        return plan
    used = {i for p in plan for i in p.lanes}
    for _ in range(rng.randint(1, 3)):
        pack = rng.choice(candidates)
        if used.isdisjoint(pack.lanes):
            plan.insert(rng.randrange(len(plan) + 1), pack)
            used |= set(pack.lanes)
    return plan


def test_incremental_estimate_equals_the_emitted_code_cost():
    rng = random.Random(5)
    priced = cyclic = 0
    crossing = [context(crossing_block(groups)) for groups in (1, 3)]
    alternates = [ctx for _, ctx in alternate_contexts(8, max_candidates=80)]
    loops = [ctx for _, ctx in loop_contexts(12, max_candidates=80)]
    for ctx in [*kernel_contexts(), *random_contexts(63), *crossing, *alternates, *loops]:
        plan: list[Pack] = []
        for _ in range(40):
            trial = random_step(rng, plan, ctx.candidates.packs)
            expected = emitted_cost(ctx, tuple(trial))
            assert plan_cost(ctx, tuple(trial)) == expected, (ctx.block.id, trial)
            priced += 1
            cyclic += math.isinf(expected)
            if not math.isinf(expected):
                plan = trial
    assert priced > 2500 and cyclic > 10, (priced, cyclic)  # both outcomes exercised


def test_overlapping_packs_are_no_plan():
    ctx = next(random_contexts(1))
    pack = ctx.candidates.packs[0]
    assert math.isinf(plan_cost(ctx, (pack, pack)))
    assert plan_cost(ctx, (pack,)) == emitted_cost(ctx, (pack,))


def test_acyclic_plans_match_pack_cycle_on_random_dags():
    rng = random.Random(3)
    checked = cycles = 0
    for _ in range(200):
        n, deps = random_deps(rng, 8, 30)
        packs = [Pack(lanes) for lanes in (tuple(rng.sample(range(n), rng.choice([2, 2, 3, 4])))
                                           for _ in range(60))
                 if all(not (deps.ancestors[a] >> b) & 1 for a in lanes for b in lanes)]
        acyclic, plan = AcyclicPlans(deps), []
        for _ in range(50):
            trial = random_step(rng, plan, packs)
            if rng.random() < 0.3 and len(trial) > 1:  # a removal and additions at once
                trial.pop(rng.randrange(len(trial)))
            expected = pack_cycle(deps, tuple(trial)) is None
            assert acyclic(tuple(trial)) == expected
            checked += 1
            cycles += not expected
            if expected:
                plan = trial
    assert checked == 10_000 and cycles > 200


def test_a_failed_estimate_leaves_no_half_updated_terms(monkeypatch):
    import slpvec.estimate as estimate
    ctx = context(crossing_block(2))
    plan = tuple(p for p in ctx.candidates.packs  # two 4-wide store packs over gathers
                 if p.width == 4 and ctx.block.instrs[p.lanes[0]].kind == "store")
    real = estimate.operand_cost

    def fail_once(*args):
        monkeypatch.setattr(estimate, "operand_cost", real)
        raise RuntimeError("opt-22 failed")

    monkeypatch.setattr(estimate, "operand_cost", fail_once)
    with pytest.raises(RuntimeError):
        plan_cost(ctx, plan)  # fails after the packs were recorded, before their operands
    assert plan_cost(ctx, plan) == emitted_cost(ctx, plan)


def test_operand_vectors_of_a_pack_are_chosen_once_per_neighbourhood(monkeypatch):
    """Moving back to a plan priced before chooses no operand vector anew:
    a pack's vectors depend only on which packs hold its operands."""
    import slpvec.estimate as estimate

    calls = []
    choose = estimate.operand_vectors
    monkeypatch.setattr(estimate, "operand_vectors", lambda *a: calls.append(a) or choose(*a))
    ctx = next(kernel_contexts())
    rng = random.Random(2)
    plans = [tuple(random_step(rng, [], ctx.candidates.packs)) for _ in range(6)]
    costs = [plan_cost(ctx, plan) for plan in plans]
    before = len(calls)
    assert [plan_cost(ctx, plan) for plan in plans] == costs
    assert len(calls) == before > 0
