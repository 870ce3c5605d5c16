"""Vector phis (issue 16): phis of a single-block loop whose values enter
from the preheader and come back around the loop pack into one vector phi,
as LLVM's SLP packs loop-carried values. Golden IR and differential
execution; the estimate equals the emitted code's cost and the ILP its brute
force on random loops with carried values; a back-edge value another block
reads keeps its scalar."""

import math
import random

import pytest

from ilp_oracle import build_problem, solve
from slpvec.analysis.candidates import CandidateGenerator
from slpvec.analysis.loops import phi_labels, used_by_other_blocks
from slpvec.codegen import BlockEmitter, NameGen
from slpvec.driver import run_slp
from slpvec.estimate import plan_cost
from slpvec.ir import parse_module
from slpvec.cost import SynthQuery
from slpvec.packs import Pack, PackPlan
from slpvec.pricing import operand_cost, preheader_load
from slpvec.tools.randblocks import BlockSpec, random_module_ir
from slpvec.tools.validate import validate_modules

from ..ilp_oracle.helpers import brute_force, carried_contexts, context
from ..policies.test_estimate import emitted_cost, random_step
from .test_golden import AVX2, HEADER
from .test_hoist import block_text, emit

# q[i] = p[i] - p[i-1] over rows of two doubles: the previous row is carried
# in two phis; exit reads phi x1 and the back-edge value l0
CARRIED = """define double @f(ptr noalias %p, ptr noalias %q, double %a0, double %a1) {
entry:
  br label %loop
loop:
  %x0 = phi double [ %a0, %entry ], [ %l0, %loop ]
  %x1 = phi double [ %a1, %entry ], [ %l1, %loop ]
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %pp = getelementptr inbounds [2 x double], ptr %p, i64 %i
  %pp1 = getelementptr inbounds i8, ptr %pp, i64 8
  %l0 = load double, ptr %pp, align 8
  %l1 = load double, ptr %pp1, align 8
  %s0 = fsub double %l0, %x0
  %s1 = fsub double %l1, %x1
  %qq = getelementptr inbounds [2 x double], ptr %q, i64 %i
  %qq1 = getelementptr inbounds i8, ptr %qq, i64 8
  store double %s0, ptr %qq, align 8
  store double %s1, ptr %qq1, align 8
  %i.next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %i.next, 4
  br i1 %done, label %exit, label %loop
exit:
  %r = fadd double %x1, %l0
  ret double %r
}
"""
PACKS = ((0, 1), (5, 6), (7, 8), (11, 12))  # phis, loads, fsubs, stores


def test_carried_lanes_become_one_vector_phi_entered_from_the_preheader():
    code, cleaned = emit(CARRIED, PACKS)
    assert code.preheader_lines == (
        "%slp.4 = insertelement <2 x double> <double poison, double poison>, double %a0, i64 0",
        "%slp.5 = insertelement <2 x double> %slp.4, double %a1, i64 1")
    assert code.lines[:4] == (
        "%i = phi i64 [ 0, %entry ], [ %i.next, %loop ]",
        "%slp.0 = phi <2 x double> [ %slp.5, %entry ], [ %slp.1, %loop ]",
        "%x1 = extractelement <2 x double> %slp.0, i64 1",  # exit reads it
        "%pp = getelementptr inbounds [2 x double], ptr %p, i64 %i")
    loop = block_text(cleaned, "loop")
    assert "%slp.2 = fsub <2 x double> %slp.1, %slp.0" in loop
    assert "%l0 = extractelement <2 x double> %slp.1, i64 0" in loop  # exit reads it
    assert not any("%l1 = " in ln or "%x0 = " in ln for ln in loop)  # only the phi reads them
    assert not any("insertelement" in ln for ln in loop)


def test_a_back_edge_vector_that_must_be_built_goes_before_the_terminator():
    # the rows swap lanes around the loop: the back edge is a shuffle of the loads
    ir = CARRIED.replace("[ %l0, %loop ]", "[ %L1, %loop ]").replace(
        "[ %l1, %loop ]", "[ %l0, %loop ]").replace("%L1", "%l1")
    code, _ = emit(ir, PACKS)
    assert code.lines[1] == "%slp.0 = phi <2 x double> [ %slp.5, %entry ], [ %slp.6, %loop ]"
    assert code.lines[-2:] == (
        "%slp.6 = shufflevector <2 x double> %slp.1, <2 x double> poison, <2 x i32> <i32 1, i32 0>",
        "br i1 %done, label %exit, label %loop")


def test_only_phis_of_a_single_block_loop_with_a_preheader_pack():
    def phi_packs(ir: str, block: int) -> list[Pack]:
        fn = parse_module(HEADER + ir).functions[0]
        gen = CandidateGenerator(fn.blocks[block], AVX2, fn)
        return [p for p in gen.generate().packs if fn.blocks[block].instrs[p.lanes[0]].kind == "phi"]

    assert phi_packs(CARRIED, 1) == [Pack((0, 1))]
    two_entries = CARRIED.replace("entry:\n  br label %loop", "entry:\n  %go = fcmp ogt double "
                                  "%a0, %a1\n  br i1 %go, label %loop, label %other\nother:\n  "
                                  "br label %loop").replace(", %entry ]", ", %entry ], [ 0.0, %other ]")
    assert phi_packs(two_entries.replace("[ 0, %entry ], [ 0.0, %other ]", "[ 0, %entry ], "
                                         "[ 0, %other ]"), 2) == []
    fn = parse_module(HEADER + CARRIED).functions[0]
    assert phi_labels(fn.blocks[1].instrs[0]) == ("%entry", "%loop")
    # l0 and l1 are live out of the block for the parser (phis read them); exit reads only l0
    assert set(fn.blocks[1].live_out) >= {5, 6}
    assert used_by_other_blocks(fn, fn.blocks[1]) == {1, 5}


def test_the_plan_is_charged_what_it_emits_in_the_loop_and_its_preheader():
    ir = HEADER + CARRIED.replace("%r = fadd double %x1, %l0", "%r = fadd double %l0, %l0")
    text, report = run_slp(ir, "ilp", AVX2)
    blocks = {b.block_id: b for b in report.blocks}
    loop, entry = blocks["f:loop"], blocks["f:entry"]
    assert any(len(p) == 2 and p[0] == 0 for p in loop.packs), loop.packs  # the phis
    moved = entry.cost_after - entry.cost_before
    assert moved > 0 and loop.estimated_after == loop.cost_after + moved
    assert validate_modules(ir, text, seeds=2).ok


def test_estimate_equals_emitted_cost_on_random_loops_with_carried_values():
    rng = random.Random(11)
    priced = with_phis = 0
    for _, ctx in carried_contexts(10, max_candidates=80, first_seed=300):
        plan: list[Pack] = []
        instrs = ctx.block.instrs
        for _ in range(40):
            trial = random_step(rng, plan, ctx.candidates.packs)
            expected = emitted_cost(ctx, tuple(trial))
            assert plan_cost(ctx, tuple(trial)) == expected, (ctx.block.id, trial)
            priced += 1
            with_phis += any(instrs[p.lanes[0]].kind == "phi" for p in trial)
            if not math.isinf(expected):
                plan = trial
    assert priced == 400 and with_phis > 100, with_phis


def test_ilp_matches_brute_force_and_the_estimate_with_vector_phis():
    chosen = 0
    for seed, ctx in carried_contexts(25, first_seed=0):
        problem = build_problem(ctx)
        solution = solve(problem, time_limit_s=20)
        best, subset = brute_force(problem, ctx.deps)
        assert solution.objective == pytest.approx(best, abs=1e-6), (seed, subset)
        assert plan_cost(ctx, solution.plan.packs) == pytest.approx(solution.objective), seed
        instrs = ctx.block.instrs
        chosen += any(instrs[p.lanes[0]].kind == "phi" for p in solution.plan.packs)
    assert chosen >= 12, chosen  # the optimum uses them: not a test of nothing


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_random_loops_with_carried_values_run_as_before(policy):
    spec = BlockSpec(loop=True, carried=True, shuffled=True, n_groups=3)
    ir = random_module_ir(41, 10, spec)
    text, report = run_slp(ir, policy, AVX2)
    phis = text.count(" = phi <")
    result = validate_modules(ir, text, seeds=2)
    assert result.ok and not result.inconclusive, result
    assert phis >= 3, phis  # vector phis were emitted, not only scalar code checked


# a join block storing constants each branch chose (as -O3 sinks the stores
# of two branches into their join): the phis pack, entered by constant vectors
JOIN = """define void @f(ptr noalias %q, i1 %c, double %a) {
entry:
  br i1 %c, label %then, label %else
then:
  br label %join
else:
  br label %join
join:
  %x0 = phi double [ 1.5, %then ], [ 2.5, %else ]
  %x1 = phi double [ 3.5, %then ], [ %a, %else ]
  %x2 = phi double [ 5.5, %then ], [ 6.5, %else ]
  %x3 = phi double [ 7.5, %then ], [ 8.5, %else ]
  %q1 = getelementptr inbounds double, ptr %q, i64 1
  %q2 = getelementptr inbounds double, ptr %q, i64 2
  %q3 = getelementptr inbounds double, ptr %q, i64 3
  store double %x0, ptr %q, align 8
  store double %x1, ptr %q1, align 8
  store double %x2, ptr %q2, align 8
  store double %x3, ptr %q3, align 8
  ret void
}
"""


def test_phis_entered_by_constants_pack_in_any_block():
    fn = parse_module(HEADER + JOIN).functions[0]
    join = fn.blocks[3]
    packs = CandidateGenerator(join, AVX2, fn).generate().packs
    # x1 enters from else with an argument: no block to build that vector in
    assert Pack((0, 1)) not in packs and Pack((2, 3)) in packs
    ir = JOIN.replace("[ %a, %else ]", "[ 4.5, %else ]")
    code, cleaned = emit(ir, ((0, 1, 2, 3), (7, 8, 9, 10)), block=3)
    assert code.lines[0] == (
        "%slp.0 = phi <4 x double> [ <double 1.500000e+00, double 3.500000e+00, double "
        "5.500000e+00, double 7.500000e+00>, %then ], [ <double 2.500000e+00, double "
        "4.500000e+00, double 6.500000e+00, double 8.500000e+00>, %else ]")
    assert "store <4 x double> %slp.0, ptr %q, align 8" in block_text(cleaned, "join")
    assert code.preheader_lines == ()


def entered_from_loads(clobber: str = "") -> str:
    """CARRIED, its phis entered from two consecutive loads of the preheader
    (as GVN leaves the first row's loads there), ``clobber`` after them."""
    return CARRIED.replace("(ptr noalias %p, ptr noalias %q, double %a0, double %a1)",
                           "(ptr noalias %p, ptr noalias %q, ptr noalias %m)").replace(
        "entry:\n", "entry:\n  %m1 = getelementptr inbounds double, ptr %m, i64 1\n"
        "  %a0 = load double, ptr %m, align 8\n  %a1 = load double, ptr %m1, align 8\n"
        + clobber)


def test_a_vector_entering_from_consecutive_preheader_loads_is_one_vector_load():
    code, cleaned = emit(entered_from_loads(), PACKS)
    assert code.preheader_lines == ("%slp.4 = load <2 x double>, ptr %m, align 8",)
    entry = block_text(cleaned, "entry")
    assert not any(ln.startswith("%a1 =") for ln in entry)  # only the phi read it: dead
    # a store to another object after the loads changes nothing
    code, _ = emit(entered_from_loads("  store double 0.0, ptr %q, align 8\n"), PACKS)
    assert code.preheader_lines == ("%slp.4 = load <2 x double>, ptr %m, align 8",)


@pytest.mark.parametrize("clobber", ["  store double 0.0, ptr %m1, align 8\n",
                                     "  call void @g()\n"])
def test_a_write_after_the_preheader_loads_keeps_the_gather(clobber):
    ir = entered_from_loads(clobber) + ("define void @g() {\nentry:\n  ret void\n}\n"
                                        if "@g" in clobber else "")
    code, _ = emit(ir, PACKS)
    assert [ln.split(" = ")[1].split(" ")[0] for ln in code.preheader_lines] == [
        "insertelement", "insertelement"]


def test_the_preheader_load_is_what_the_estimate_and_the_ilp_price():
    packs = tuple(Pack(p) for p in PACKS)
    ctx = context(HEADER + entered_from_loads().replace("%x1, %l0", "%l0, %l0"), block=1)
    clobbered = context(HEADER + entered_from_loads("  store double 0.0, ptr %m1, align 8\n"),
                        block=1)
    entering = emitter_operand(ctx, packs)
    assert [ins.name for ins in preheader_load(ctx, entering)] == ["a0", "a1"]
    assert preheader_load(clobbered, emitter_operand(clobbered, packs)) is None
    load = ctx.table.costs([SynthQuery("%r = load <2 x double>, ptr %a0, align 8", ("ptr",))])[0]
    assert operand_cost(ctx, entering) == load
    solution = solve(build_problem(ctx))
    assert Pack((0, 1)) in solution.plan.packs
    assert plan_cost(ctx, solution.plan.packs) == pytest.approx(solution.objective)


def emitter_operand(ctx, packs):
    """The vector entering the phi pack (packs[0]) from the preheader."""
    emitter = BlockEmitter(ctx.block, ctx.deps, PackPlan(ctx.block.id, packs), NameGen(set()),
                           ctx.function)
    return emitter.operands[0][0]
