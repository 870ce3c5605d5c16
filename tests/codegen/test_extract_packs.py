"""Packs of ``extractelement`` lanes (issue 16): lanes taken by constant index
from at most two vectors become one shufflevector of those vectors, as
LLVM's SLP turns the extracts feeding a store pack into a shuffle (the
loop vectorizer's interleaved bodies in NPB SP and LU store lane 1 of two
vectors side by side). Candidates, golden IR, differential execution, the
estimate is the yardstick of the emitted block, and the policies choose it."""

import random
import re

import pytest

from slpvec.analysis.candidates import CandidateGenerator
from slpvec.codegen import BlockEmitter, NameGen, assemble, check_plan
from slpvec.cost import block_costs
from slpvec.driver import run_slp
from slpvec.estimate import plan_cost
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.passes import cleanup
from slpvec.tools.validate import validate_modules

from ..ilp_oracle.helpers import HASWELL, context
from ..ilp_oracle.test_ilp import check_block
from .test_golden import HEADER


def interleaved_ir(lanes: list[tuple[str, int]], extra: str = "") -> str:
    """``r[k] = extractelement lanes[k]``: the vectors ``%u = a * b`` and
    ``%v = a + b`` (``<2 x double>``, or ``%w = a - b``) are computed in the
    block, ``lanes[k]`` names (vector, index) stored at ``r[k]``."""
    body = ["%a = load <2 x double>, ptr %pa, align 8",
            "%b = load <2 x double>, ptr %pb, align 8",
            "%u = fmul <2 x double> %a, %b", "%v = fadd <2 x double> %a, %b",
            "%w = fsub <2 x double> %a, %b"]
    for k, (vector, index) in enumerate(lanes):
        body += [f"%e{k} = extractelement <2 x double> %{vector}, i64 {index}",
                 f"%pr{k} = getelementptr inbounds double, ptr %r, i64 {k}",
                 f"store double %e{k}, ptr %pr{k}, align 8"]
    body += [extra] if extra else []
    return ("define void @f(ptr noalias %pa, ptr noalias %pb, ptr noalias %r, ptr noalias %s) "
            "{\nentry:\n  " + "\n  ".join(body) + "\n  ret void\n}\n")


def by_opcode(ctx, opcode: str) -> Pack:
    """The lanes of ``opcode`` (stores: those to ``r``) as one pack."""
    return Pack(tuple(ins.idx for ins in ctx.block.instrs
                      if ins.opcode == opcode and "ptr %s" not in ins.text))


def emit(ir: str):
    """(lines, cleaned module, ctx, plan) for the extracts and the stores as
    packs; checks the estimate is the yardstick and the code computes the same."""
    ctx = context(HEADER + ir)
    packs = (by_opcode(ctx, "extractelement"), by_opcode(ctx, "store"))
    check_plan(ctx.generator, PackPlan(ctx.block.id, packs))
    module = parse_module(HEADER + ir)
    code = BlockEmitter(ctx.block, ctx.deps, PackPlan(ctx.block.id, packs), NameGen(set()),
                        ctx.function).emit()
    out = assemble(module, [code])
    assert out.rejected == ()
    yardstick = sum(block_costs(parse_module(out.text), HASWELL)[("f", "entry")])
    assert plan_cost(ctx, packs) == yardstick
    cleaned = cleanup(out.text)
    result = validate_modules(module.text, cleaned, seeds=2)
    assert result.ok and not result.inconclusive, result
    return list(code.lines), cleaned, ctx, packs


def test_lane_one_of_two_vectors_stored_side_by_side_is_one_shuffle():
    lines, cleaned, ctx, packs = emit(interleaved_ir([("u", 1), ("v", 1)]))
    assert any(re.fullmatch(r"%slp\.\d+ = shufflevector <2 x double> %u, <2 x double> %v, "
                            r"<2 x i32> <i32 1, i32 3>", ln) for ln in lines)
    assert "extractelement" not in cleaned and "store <2 x double>" in cleaned
    # 2 stores + 2 extracts of lane 1 -> one shuffle and one store
    assert plan_cost(ctx, packs) == ctx.scalar_total - 2


def test_lanes_of_one_vector_permuted_are_a_one_source_shuffle():
    lines, _, _, _ = emit(interleaved_ir([("u", 1), ("u", 0)]))
    assert any(re.fullmatch(r"%slp\.\d+ = shufflevector <2 x double> %u, <2 x double> poison, "
                            r"<2 x i32> <i32 1, i32 0>", ln) for ln in lines)


def test_a_lane_still_used_as_a_scalar_is_extracted_from_the_pack():
    extra = "store double %e1, ptr %s, align 8"
    _, cleaned, _, _ = emit(interleaved_ir([("u", 1), ("v", 0)], extra))
    assert "store double %e1, ptr %s" in cleaned


def generator(ir: str) -> tuple[CandidateGenerator, list[int]]:
    fn = parse_module(HEADER + ir).functions[0]
    gen = CandidateGenerator(fn.blocks[0], HASWELL, fn)
    return gen, [ins.idx for ins in fn.blocks[0].instrs if ins.opcode == "extractelement"]


def test_extracts_of_at_most_two_vectors_are_candidates():
    gen, extracts = generator(interleaved_ir([("u", 1), ("v", 1), ("w", 1), ("u", 0)]))
    packs = {p.lanes for p in gen.generate().packs}
    assert (extracts[0], extracts[1]) in packs
    assert gen.legal_pack((extracts[0], extracts[1], extracts[3]))
    assert not gen.legal_pack(tuple(extracts))  # three vectors: no one shufflevector


@pytest.mark.parametrize("lane", ["%i", "<double 1.0, double 2.0>, i64 1", "%u, i64 2"])
def test_variable_constant_vector_or_out_of_range_extracts_never_pack(lane):
    ir = interleaved_ir([("u", 1), ("v", 1)])
    if lane == "%i":
        ir = ir.replace("ptr noalias %s)", "ptr noalias %s, i64 %i)")
        ir = ir.replace("%v, i64 1", "%v, i64 %i")
    else:
        ir = ir.replace("<2 x double> %v, i64 1", f"<2 x double> {lane}")
    gen, extracts = generator(ir)
    assert not gen.legal_pack(tuple(extracts))


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_policies_choose_the_shuffle(policy):
    ir = HEADER + interleaved_ir([("u", 1), ("v", 1), ("w", 1), ("u", 0)])
    text, report = run_slp(ir, policy, HASWELL)
    [block] = report.blocks
    assert block.cost_after < block.cost_before and block.estimated_after == block.cost_after
    assert re.search(r"shufflevector <2 x double> %u, <2 x double> %v, <2 x i32> <i32 1, i32 3>",
                     text)
    result = validate_modules(ir, text, seeds=2)
    assert result.ok and not result.inconclusive, result


def random_extract_ir(seed: int) -> str:
    """A small random block: lanes extracted from ``<width x double>`` vectors
    (random vector and index), stored side by side, directly or through an
    ``fadd`` with a loaded value, one lane sometimes also stored alone."""
    rng = random.Random(seed)
    width = rng.choice((2, 4))
    vt = f"<{width} x double>"
    body = [f"%a = load {vt}, ptr %pa, align 8", f"%b = load {vt}, ptr %pb, align 8",
            f"%u = fmul {vt} %a, %b", f"%v = fadd {vt} %a, %b", f"%w = fsub {vt} %a, %b"]
    through_fadd = rng.random() < 0.5
    for k in range(rng.randint(2, 4)):
        vector, index = rng.choice("uuvw"), rng.randrange(width)
        body.append(f"%e{k} = extractelement {vt} %{vector}, i64 {index}")
        value = f"%e{k}"
        if through_fadd:
            body += [f"%pc{k} = getelementptr inbounds double, ptr %c, i64 {k}",
                     f"%c{k} = load double, ptr %pc{k}, align 8",
                     f"%f{k} = fadd double %e{k}, %c{k}"]
            value = f"%f{k}"
        body += [f"%pr{k} = getelementptr inbounds double, ptr %r, i64 {k}",
                 f"store double {value}, ptr %pr{k}, align 8"]
        if rng.random() < 0.15:
            body.append(f"store double %e{k}, ptr %s, align 8")
    return (HEADER + "define void @f(ptr noalias %pa, ptr noalias %pb, ptr noalias %c, "
            "ptr noalias %r, ptr noalias %s) {\nentry:\n  " + "\n  ".join(body)
            + "\n  ret void\n}\n")


def test_ilp_matches_brute_force_and_the_estimate_with_extract_packs():
    chosen = 0
    for seed in range(40):
        ctx = context(random_extract_ir(seed))
        if not 1 <= len(ctx.candidates.packs) <= 12:
            continue
        _, solution = check_block(("extract", seed), ctx)
        assert plan_cost(ctx, solution.plan.packs) == pytest.approx(solution.objective), seed
        chosen += any(ctx.block.instrs[p.lanes[0]].opcode == "extractelement"
                      for p in solution.plan.packs)
    assert chosen >= 5  # the optimum uses them: not a test of nothing
