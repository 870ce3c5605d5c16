"""Loop-invariant operand vectors go to the preheader of a single-block loop
(golden IR, proven by differential execution); the plan is still charged them."""

from slpvec.analysis.candidates import CandidateGenerator
from slpvec.codegen import BlockEmitter, NameGen, assemble, check_plan
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.passes import cleanup
from slpvec.tools.validate import validate_modules

from .test_golden import AVX2, HEADER

# a[2i] = b[2i] * s + s, a[2i+1] = b[2i+1] * s + t for i < 4: the fmul reads
# splat(s), the fadd the gather <s, t>, both defined before the loop
LOOP = """define void @f(ptr noalias %a, ptr noalias %b, double %s, double %t) {
entry:
  %go = fcmp ogt double %s, %t
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %j0 = shl i64 %i, 1
  %pb0 = getelementptr inbounds double, ptr %b, i64 %j0
  %x0 = load double, ptr %pb0, align 8
  %pb1 = getelementptr inbounds double, ptr %pb0, i64 1
  %x1 = load double, ptr %pb1, align 8
  %m0 = fmul double %x0, %s
  %m1 = fmul double %x1, %s
  %n0 = fadd double %m0, %s
  %n1 = fadd double %m1, %t
  %pa0 = getelementptr inbounds double, ptr %a, i64 %j0
  store double %n0, ptr %pa0, align 8
  %pa1 = getelementptr inbounds double, ptr %pa0, i64 1
  store double %n1, ptr %pa1, align 8
  %i.next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %i.next, 4
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
"""
PACKS = ((3, 5), (6, 7), (8, 9), (11, 13))  # loads, fmuls, fadds, stores


def emit(ir: str, packs, block: int = 1, entry_packs=()):
    """(block code, cleaned module) of the plan; the entry block gets
    ``entry_packs`` (its own code, the preheader's new code)."""
    module = parse_module(HEADER + ir)
    fn = module.functions[0]
    codes, fresh = [], NameGen.for_function(fn)  # one per function, as the driver's
    for number, plan_packs in ((0, entry_packs), (block, packs)):
        if not plan_packs:
            continue
        blk = fn.blocks[number]
        gen = CandidateGenerator(blk, AVX2, fn)
        plan = PackPlan(blk.id, tuple(Pack(p) for p in plan_packs))
        check_plan(gen, plan)
        codes.append(BlockEmitter(blk, gen.deps, plan, fresh, fn).emit())
    out = assemble(module, codes)
    assert out.rejected == ()
    cleaned = cleanup(out.text)
    result = validate_modules(module.text, cleaned, seeds=2)
    assert result.ok and not result.inconclusive, result
    return codes[-1], cleaned


def block_text(module_text: str, label: str) -> list[str]:
    lines = module_text.split("\n")
    start = next(k for k, ln in enumerate(lines) if ln.startswith(label + ":"))
    end = next(k for k in range(start + 1, len(lines)) if not lines[k].startswith("  "))
    return [ln.strip() for ln in lines[start + 1:end]]


def test_a_loop_invariant_splat_and_gather_are_built_in_the_preheader():
    code, cleaned = emit(LOOP, PACKS)
    assert code.preheader_id == "f:entry"
    assert code.preheader_lines == (
        "%slp.4 = insertelement <2 x double> poison, double %s, i64 0",
        "%slp.5 = shufflevector <2 x double> %slp.4, <2 x double> poison, <2 x i32> zeroinitializer",
        "%slp.6 = insertelement <2 x double> <double poison, double poison>, double %s, i64 0",
        "%slp.7 = insertelement <2 x double> %slp.6, double %t, i64 1")
    entry, loop = block_text(cleaned, "entry"), block_text(cleaned, "loop")
    assert [ln.split(" = ")[0] for ln in entry[-5:-1]] == ["%slp.4", "%slp.5", "%slp.6", "%slp.7"]
    assert entry[-1] == "br label %loop"
    assert not any("insertelement" in ln for ln in loop)
    assert "%slp.1 = fmul <2 x double> %slp.0, %slp.5" in loop
    assert "%slp.2 = fadd <2 x double> %slp.1, %slp.7" in loop


def test_a_preheader_with_its_own_vector_code_gets_the_vectors_before_its_branch():
    ir = LOOP.replace("  %go = fcmp ogt double %s, %t\n", "".join(
        f"  %e{k} = getelementptr inbounds double, ptr %a, i64 {k + 8}\n"
        f"  store double 1.0, ptr %e{k}, align 8\n" for k in range(2)))
    _, cleaned = emit(ir, PACKS, entry_packs=((1, 3),))
    entry = block_text(cleaned, "entry")
    assert any(ln.startswith("store <2 x double> splat (double 1.0") for ln in entry)
    assert [ln.split(" = ")[1].split(" ")[0] for ln in entry[-5:-1]] == [
        "insertelement", "shufflevector", "insertelement", "insertelement"]
    assert entry[-1] == "br label %loop"


def test_a_loop_entered_from_two_blocks_builds_its_vectors_inside():
    ir = LOOP.replace("  br label %loop\nloop:\n  %i = phi i64 [ 0, %entry ],",
                      "  br i1 %go, label %loop, label %other\nother:\n  br label %loop\n"
                      "loop:\n  %i = phi i64 [ 0, %entry ], [ 0, %other ],")
    code, cleaned = emit(ir, PACKS, block=2)
    assert code.preheader_lines == () and code.preheader_id == ""
    assert sum("insertelement" in ln for ln in block_text(cleaned, "loop")) == 3


def test_the_plan_is_charged_the_hoisted_vectors_the_loop_block_no_longer_runs():
    # the estimate (and the ILP) count what a plan emits, in the block or its
    # preheader, as LLVM's SLP counts a gather it hoists: the static total is
    # unchanged by hoisting, the loop block's own yardstick drops by the vectors
    text, report = run_slp(HEADER + LOOP.replace("  %go = fcmp ogt double %s, %t\n", ""),
                           "ilp", AVX2)
    blocks = {b.block_id: b for b in report.blocks}
    loop, entry = blocks["f:loop"], blocks["f:entry"]
    assert loop.packs and "insertelement" in block_text(text, "entry")[0]
    moved = entry.cost_after - entry.cost_before
    assert moved > 0 and loop.estimated_after == loop.cost_after + moved
