"""Golden vector IR for explicit plans, each proven by differential execution."""

import re

import pytest

from slpvec.analysis.candidates import CandidateGenerator
from slpvec.codegen import BlockEmitter, NameGen, UnsupportedPack, assemble, check_plan
from slpvec.passes import cleanup
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.target import Target
from slpvec.tools.validate import validate_modules

AVX2 = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
HEADER = 'target triple = "x86_64-pc-linux-gnu"\n'


def vectorize(ir: str, packs, block: int = 0):
    """(block lines, cleaned module text) for an explicit plan; validated."""
    module = parse_module(HEADER + ir)
    fn = module.functions[0]
    blk = fn.blocks[block]
    gen = CandidateGenerator(blk, AVX2, fn)
    plan = PackPlan(blk.id, tuple(Pack(tuple(p)) for p in packs))
    check_plan(gen, plan)
    code = BlockEmitter(blk, gen.deps, plan, NameGen(set())).emit()
    out = assemble(module, [code])
    assert out.rejected == ()
    cleaned = cleanup(out.text)
    result = validate_modules(module.text, cleaned, seeds=2)
    assert result.ok and not result.inconclusive, result
    return list(code.lines), cleaned


def lanes_add(n, elem="float", op="fadd", slots=None):
    slots = slots or list(range(n))
    body = []
    for k, slot in enumerate(slots):
        body += [f"%pb{k} = getelementptr inbounds {elem}, ptr %b, i64 {k}",
                 f"%b{k} = load {elem}, ptr %pb{k}, align 4",
                 f"%pc{k} = getelementptr inbounds {elem}, ptr %c, i64 {k}",
                 f"%c{k} = load {elem}, ptr %pc{k}, align 4",
                 f"%s{k} = {op} {elem} %b{k}, %c{k}",
                 f"%pa{k} = getelementptr inbounds {elem}, ptr %a, i64 {slot}",
                 f"store {elem} %s{k}, ptr %pa{k}, align 4"]
    return ("define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %c) {\nentry:\n  "
            + "\n  ".join(body) + "\n  ret void\n}\n")


def field(k, f):
    return 7 * k + f


def packs_of(n, order=None):
    order = order or list(range(n))
    return [[field(k, f) for k in range(n)] for f in (1, 3, 4)] + [[field(k, 6) for k in order]]


@pytest.mark.parametrize("n", [2, 4])
def test_add_unrolled(n):
    lines, _ = vectorize(lanes_add(n), packs_of(n))
    text = "\n".join(lines)
    assert text.count(f"load <{n} x float>, ptr %pb0, align 4") == 1
    assert re.search(rf"fadd <{n} x float> %slp\.\d+, %slp\.\d+", text)
    assert re.search(rf"store <{n} x float> %slp\.\d+, ptr %pa0, align 4", text)
    assert "extractelement" not in text and "insertelement" not in text


def test_reversed_lanes_need_a_shuffle():
    # a[3-k] = b[k] + c[k]: the store pack (address order) reads the adds reversed
    lines, _ = vectorize(lanes_add(4, slots=[3, 2, 1, 0]), packs_of(4, order=[3, 2, 1, 0]))
    text = "\n".join(lines)
    assert re.search(r"shufflevector <4 x float> %slp\.\d+, <4 x float> poison, "
                     r"<4 x i32> <i32 3, i32 2, i32 1, i32 0>", text)
    assert re.search(r"store <4 x float> %slp\.\d+, ptr %pa3, align 4", text)


SPLAT_IR = """
define void @f(ptr noalias %a, ptr noalias %b, double %s) {
entry:
  %b0 = load double, ptr %b, align 8
  %m0 = fmul double %b0, %s
  store double %m0, ptr %a, align 8
  %pb1 = getelementptr inbounds double, ptr %b, i64 1
  %b1 = load double, ptr %pb1, align 8
  %m1 = fmul double %b1, %s
  %pa1 = getelementptr inbounds double, ptr %a, i64 1
  store double %m1, ptr %pa1, align 8
  ret void
}
"""


def test_splat_operand_is_broadcast():
    lines, _ = vectorize(SPLAT_IR, [[0, 4], [1, 5], [2, 7]])
    text = "\n".join(lines)
    assert re.search(r"insertelement <2 x double> poison, double %s, i64 0", text)
    assert re.search(r"shufflevector <2 x double> %slp\.\d+, <2 x double> poison, "
                     r"<2 x i32> zeroinitializer", text)


MIXED_IR = """
define void @f(ptr noalias %a, ptr noalias %b, i32 %x, i32 %y) {
entry:
  %b0 = load i32, ptr %b, align 4
  %s0 = add nsw i32 %b0, %x
  store i32 %s0, ptr %a, align 4
  %pb1 = getelementptr inbounds i32, ptr %b, i64 1
  %b1 = load i32, ptr %pb1, align 4
  %s1 = add nsw i32 %b1, %y
  %pa1 = getelementptr inbounds i32, ptr %a, i64 1
  store i32 %s1, ptr %pa1, align 4
  ret void
}
"""


def test_mixed_pack_and_scalar_operands_gather_and_int_flags():
    lines, _ = vectorize(MIXED_IR, [[0, 4], [1, 5], [2, 7]])
    text = "\n".join(lines)
    assert re.search(r"insertelement <2 x i32> <i32 poison, i32 poison>, i32 %x, i64 0", text)
    assert re.search(r"insertelement <2 x i32> %slp\.\d+, i32 %y, i64 1", text)
    assert re.search(r"add nsw <2 x i32> %slp\.\d+, %slp\.\d+", text)


EXTRACT_IR = """
define float @f(ptr noalias %a, ptr noalias %b) {
entry:
  %b0 = load float, ptr %b, align 4
  %m0 = fmul float %b0, %b0
  store float %m0, ptr %a, align 4
  %pb1 = getelementptr inbounds float, ptr %b, i64 1
  %b1 = load float, ptr %pb1, align 4
  %m1 = fmul float %b1, %b1
  %pa1 = getelementptr inbounds float, ptr %a, i64 1
  store float %m1, ptr %pa1, align 4
  %r = fadd float %m1, 1.0
  ret float %r
}
"""


def test_external_use_extracts_with_the_original_name():
    lines, _ = vectorize(EXTRACT_IR, [[0, 4], [1, 5], [2, 7]])
    text = "\n".join(lines)
    assert re.search(r"%m1 = extractelement <2 x float> %slp\.\d+, i64 1", text)
    assert "%m0 = extractelement" not in text
    assert "%r = fadd float %m1, 1.000000e+00" in text


FMA_IR = """
define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %c) {
entry:
""" + "".join(f"""  %pa{k} = getelementptr inbounds double, ptr %a, i64 {k}
  %a{k} = load double, ptr %pa{k}, align 8
  %pb{k} = getelementptr inbounds double, ptr %b, i64 {k}
  %b{k} = load double, ptr %pb{k}, align 8
  %pc{k} = getelementptr inbounds double, ptr %c, i64 {k}
  %c{k} = load double, ptr %pc{k}, align 8
  %f{k} = tail call fast double @llvm.fmuladd.f64(double %a{k}, double %b{k}, double %c{k})
  store double %f{k}, ptr %pa{k}, align 8
""" for k in range(4)) + "  ret void\n}\n"


def test_fmuladd_becomes_a_vector_intrinsic_with_its_flags():
    packs = [[8 * k + f for k in range(4)] for f in (1, 3, 5, 6, 7)]
    lines, _ = vectorize(FMA_IR, packs)
    text = "\n".join(lines)
    assert re.search(r"call reassoc nnan ninf nsz arcp contract afn <4 x double> "
                     r"@llvm\.fmuladd\.v4f64\(<4 x double> %slp\.\d+, <4 x double> %slp\.\d+, "
                     r"<4 x double> %slp\.\d+\)", text)


def test_illegal_plans_are_refused():
    module = parse_module(HEADER + lanes_add(2))
    fn = module.functions[0]
    gen = CandidateGenerator(fn.blocks[0], AVX2, fn)
    for bad in ([1, 3], [1, 1], [8, 1], [4, 6], [1, 99]):  # mixed, dup, reversed loads, add+store, range
        with pytest.raises(UnsupportedPack):
            check_plan(gen, PackPlan(fn.blocks[0].id, (Pack(tuple(bad)),)))
    with pytest.raises(UnsupportedPack):  # overlapping packs
        check_plan(gen, PackPlan(fn.blocks[0].id, (Pack((1, 8)), Pack((1, 8)))))


def test_acyclicity_check_agrees_with_the_scheduler():
    # Two packs that are each legal but together form a cycle:
    # lanes (x0, y1) and (y0, x1) where y0 uses x0 and y1 uses x1.
    from slpvec.analysis import build_dependence_graph
    from slpvec.codegen import ScheduleError, schedule
    from slpvec.codegen.schedule import packs_acyclic
    module = parse_module(HEADER + """
define void @f(ptr noalias %a, float %p, float %q) {
entry:
  %x0 = fmul float %p, %p
  %y0 = fmul float %x0, %q
  %x1 = fmul float %q, %q
  %y1 = fmul float %x1, %p
  store float %y0, ptr %a, align 4
  ret void
}
""")
    fn = module.functions[0]
    deps = build_dependence_graph(fn.blocks[0], fn)
    cyclic = (Pack((0, 3)), Pack((1, 2)))
    fine = (Pack((0, 2)), Pack((1, 3)))
    assert not packs_acyclic(deps, cyclic) and packs_acyclic(deps, fine)
    with pytest.raises(ScheduleError):
        schedule(deps, cyclic)
    assert len(schedule(deps, fine)) == 2 + 2


def test_operand_repeating_a_narrower_pack_is_one_widening_shuffle():
    # b[0..3] = x[k % 2] * y[k]: the 4-lane fmul reads the 2-lane load pack twice
    ir = """
define void @f(ptr noalias %b, ptr noalias %x, ptr noalias %y) {
entry:
  %x0 = load float, ptr %x, align 4
  %px1 = getelementptr inbounds float, ptr %x, i64 1
  %x1 = load float, ptr %px1, align 4
""" + "".join(f"""  %py{k} = getelementptr inbounds float, ptr %y, i64 {k}
  %y{k} = load float, ptr %py{k}, align 4
  %m{k} = fmul float %x{k % 2}, %y{k}
  %pb{k} = getelementptr inbounds float, ptr %b, i64 {k}
  store float %m{k}, ptr %pb{k}, align 4
""" for k in range(4)) + "  ret void\n}\n"
    y, m, st = [4 + 5 * k for k in range(4)], [5 + 5 * k for k in range(4)], [7 + 5 * k for k in range(4)]
    lines, _ = vectorize(ir, [[0, 2], y, m, st])
    text = "\n".join(lines)
    assert re.search(r"shufflevector <2 x float> %slp\.\d+, <2 x float> poison, "
                     r"<4 x i32> <i32 0, i32 1, i32 0, i32 1>", text)
    assert "extractelement" not in text and "insertelement" not in text
