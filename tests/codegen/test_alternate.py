"""Alternate-opcode packs (issue 16 step 4): lanes mixing two binary opcodes
(fadd/fsub, add/sub, ...) become both vector operations and one blend, as
LLVM's SLP emits them; golden IR, differential execution, and the price the
estimate gives is the yardstick cost of what codegen emits."""

import re

import pytest

from slpvec.analysis.candidates import CandidateGenerator
from slpvec.codegen import BlockEmitter, NameGen, UnsupportedPack, assemble, check_plan
from slpvec.cost import block_costs
from slpvec.driver import run_slp
from slpvec.estimate import plan_cost
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.tools.validate import validate_modules

from ..conftest import kernel_ir
from ..ilp_oracle.helpers import HASWELL, context
from .test_golden import HEADER, vectorize


def lanes_ir(ops: list[str], elem: str = "double", swapped: tuple[int, ...] = ()) -> str:
    """``r[k] = a[k] <ops[k]> b[k]`` (``b[k] op a[k]`` for lanes in ``swapped``)."""
    size = {"double": 8, "float": 4, "i32": 4, "i64": 8}[elem]
    body = []
    for k, op in enumerate(ops):
        x, y = (f"%b{k}", f"%a{k}") if k in swapped else (f"%a{k}", f"%b{k}")
        body += [f"%pa{k} = getelementptr inbounds {elem}, ptr %a, i64 {k}",
                 f"%a{k} = load {elem}, ptr %pa{k}, align {size}",
                 f"%pb{k} = getelementptr inbounds {elem}, ptr %b, i64 {k}",
                 f"%b{k} = load {elem}, ptr %pb{k}, align {size}",
                 f"%r{k} = {op} {elem} {x}, {y}",
                 f"%pr{k} = getelementptr inbounds {elem}, ptr %r, i64 {k}",
                 f"store {elem} %r{k}, ptr %pr{k}, align {size}"]
    return ("define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %r) {\nentry:\n  "
            + "\n  ".join(body) + "\n  ret void\n}\n")


def plan_by_name(ir: str, groups: list[str]) -> list[list[int]]:
    """Pack lanes by value stem: ``"a"`` -> [%a0, %a1, ...]; ``"store"``: the stores."""
    instrs = parse_module(HEADER + ir).functions[0].blocks[0].instrs
    names = {ins.name: ins.idx for ins in instrs}
    stores = [ins.idx for ins in instrs if ins.opcode == "store"]
    return [stores if stem == "store" else
            [names[f"{stem}{k}"] for k in range(len(stores))] for stem in groups]


FSUB_FADD = lanes_ir(["fsub nnan", "fadd nnan", "fsub nnan", "fadd"], swapped=(3,))


def test_fsub_fadd_lanes_are_two_vector_ops_and_a_blend():
    # lane 3 reads b3 + a3: codegen swaps it back (fadd commutes), the fsub lanes never swap
    lines, _ = vectorize(FSUB_FADD, plan_by_name(FSUB_FADD, ["a", "b", "r", "store"]))
    text = "\n".join(lines)
    sub = re.search(r"(%slp\.\d+) = fsub nnan <4 x double> (%slp\.\d+), (%slp\.\d+)", text)
    add = re.search(r"(%slp\.\d+) = fadd <4 x double> (%slp\.\d+), (%slp\.\d+)", text)
    assert sub and add and sub.groups()[1:] == add.groups()[1:]
    assert re.search(rf"= shufflevector <4 x double> {sub[1]}, <4 x double> {add[1]}, "
                     r"<4 x i32> <i32 0, i32 5, i32 2, i32 7>", text)
    assert "insertelement" not in text and "extractelement" not in text


def test_int_alternates_keep_each_opcodes_own_flags():
    ir = lanes_ir(["add nsw", "sub nuw", "add nsw", "sub"], elem="i32")
    lines, _ = vectorize(ir, plan_by_name(ir, ["a", "b", "r", "store"]))
    text = "\n".join(lines)
    assert re.search(r"= add nsw <4 x i32>", text) and re.search(r"= sub <4 x i32>", text)


@pytest.mark.parametrize("ops", [["add", "sdiv"], ["fadd", "fsub", "fmul", "fadd"],
                                 ["add", "urem"]])
def test_division_or_three_opcodes_never_alternate(ops):
    # computing sdiv over an add lane may divide by zero; three opcodes need two blends
    ir = lanes_ir(ops, elem="float" if ops[0].startswith("f") else "i32")
    module = parse_module(HEADER + ir)
    fn = module.functions[0]
    gen = CandidateGenerator(fn.blocks[0], HASWELL, fn)
    lanes = tuple(plan_by_name(ir, ["r"])[0])
    assert not gen.legal_pack(lanes)
    assert not any(set(p.lanes) == set(lanes) for p in gen.generate().packs)
    with pytest.raises(UnsupportedPack):
        check_plan(gen, PackPlan(fn.blocks[0].id, (Pack(lanes),)))


@pytest.mark.parametrize("elem, ops", [("double", ["fsub", "fadd"] * 2),
                                       ("float", ["fadd", "fmul", "fadd", "fmul"]),
                                       ("i32", ["add", "sub", "sub", "add"]),
                                       ("i64", ["shl", "add"])])
def test_the_estimate_is_the_yardstick_of_the_emitted_block(elem, ops):
    ir = lanes_ir(ops, elem=elem, swapped=(1,))
    ctx = context(HEADER + ir)
    packs = tuple(Pack(tuple(lanes)) for lanes in plan_by_name(ir, ["a", "b", "r", "store"]))
    code = BlockEmitter(ctx.block, ctx.deps, PackPlan(ctx.block.id, packs), NameGen(set())).emit()
    emitted = parse_module(assemble(parse_module(HEADER + ir), [code]).text)
    yardstick = sum(block_costs(emitted, HASWELL)[("f", "entry")])
    assert plan_cost(ctx, packs) == yardstick


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_policies_pack_the_addsub_kernel_as_llvm_does(policy):
    ir = kernel_ir("addsub.c")
    text, report = run_slp(ir, policy)
    result = validate_modules(ir, text, seeds=3)
    assert result.ok and not result.inconclusive, result
    f32 = next(b for b in report.blocks if b.block_id.startswith("addsub_f32"))
    assert f32.cost_after < f32.cost_before
    assert re.search(r"fadd <8 x float>.*\n.*fsub <8 x float>.*\n.*shufflevector <8 x float> "
                     r"%slp\.\d+, <8 x float> %slp\.\d+, <8 x i32> <i32 0, i32 9, ", text)
