"""A division that may trap never moves above a call: the call may not
return, and then the scalar program never divided (found by the audit: all
three policies ran a scalar udiv before the call that was to exit first, and a
forced udiv pack ran lane 3's division before it)."""

import re

import pytest

from slpvec.analysis.dependence import build_dependence_graph, may_trap
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.tools.minimise import FixedPlanPolicy

HEADER = """target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"
declare void @maybe_stop(i32)
"""

# lanes 0-2 divide before the call, lane 3 after it
HOISTED = HEADER + """define void @f(ptr noalias %out, ptr noalias %a, ptr noalias %b) {
entry:
""" + "".join(f"""  %ap{k} = getelementptr inbounds i32, ptr %a, i64 {k}
  %bp{k} = getelementptr inbounds i32, ptr %b, i64 {k}
  %op{k} = getelementptr inbounds i32, ptr %out, i64 {k}
""" for k in range(4)) + "".join(f"""  %a{k} = load i32, ptr %ap{k}, align 4
  %b{k} = load i32, ptr %bp{k}, align 4
""" for k in range(4)) + """  %q0 = udiv i32 %a0, %b0
  %q1 = udiv i32 %a1, %b1
  %q2 = udiv i32 %a2, %b2
  call void @maybe_stop(i32 %b3)
  %q3 = udiv i32 %a3, %b3
""" + "".join(f"  store i32 %q{k}, ptr %op{k}, align 4\n" for k in range(4)) + "  ret void\n}\n"

# the call needs lane 0 of a mul pack whose lane 3 needs the division
DELAYED = HEADER + """define void @f(ptr noalias %out, ptr noalias %a, ptr noalias %b, i32 %n, i32 %m) {
entry:
  %ap1 = getelementptr inbounds i32, ptr %a, i64 1
  %ap2 = getelementptr inbounds i32, ptr %a, i64 2
  %ap3 = getelementptr inbounds i32, ptr %a, i64 3
  %bp1 = getelementptr inbounds i32, ptr %b, i64 1
  %bp2 = getelementptr inbounds i32, ptr %b, i64 2
  %op1 = getelementptr inbounds i32, ptr %out, i64 1
  %op2 = getelementptr inbounds i32, ptr %out, i64 2
  %op3 = getelementptr inbounds i32, ptr %out, i64 3
  %a0 = load i32, ptr %a
  %a1 = load i32, ptr %ap1
  %a2 = load i32, ptr %ap2
  %a3 = load i32, ptr %ap3
  %b0 = load i32, ptr %b
  %b1 = load i32, ptr %bp1
  %b2 = load i32, ptr %bp2
  %x0 = mul i32 %a0, %b0
  call void @maybe_stop(i32 %x0)
  %d = udiv i32 %n, %m
  %x1 = mul i32 %a1, %b1
  %x2 = mul i32 %a2, %b2
  %x3 = mul i32 %a3, %d
  store i32 %x0, ptr %out
  store i32 %x1, ptr %op1
  store i32 %x2, ptr %op2
  store i32 %x3, ptr %op3
  ret void
}
"""


def _line(text: str, pattern: str) -> int:
    lines = text.splitlines()
    return next(i for i, ln in enumerate(lines) if re.search(pattern, ln))


def _instr(block, opcode, divisor):
    return next(i for i in block.instrs if i.opcode == opcode and i.operands[1].text == divisor)


def test_only_divisions_that_may_trap_wait_for_calls():
    block = parse_module(HEADER + """define void @g(i32 %x, i32 %y) {
entry:
  call void @maybe_stop(i32 %x)
  %u = udiv i32 %x, %y
  %c = udiv i32 %x, 3
  %z = sdiv i32 %x, 0
  %n = srem i32 %x, -1
  %p = urem i32 %x, -1
  ret void
}
""").functions[0].blocks[0]
    deps = build_dependence_graph(block)
    trapping = {i.name for i in block.instrs if may_trap(i)}
    assert trapping == {"u", "z", "n"}
    for ins in block.instrs[1:6]:
        assert deps.reaches(0, ins.idx) == (ins.name in trapping), ins.name


@pytest.mark.parametrize("policy", ["greedy", "ilp", "gnn"])
def test_scalar_division_stays_after_the_call(policy):
    out, report = run_slp(DELAYED, policy)
    assert any(b.vectorized for b in report.blocks)
    assert _line(out, r"call void @maybe_stop") < _line(out, r"= udiv i32 %n, %m")


def test_forced_division_pack_is_placed_after_the_call():
    block = parse_module(HOISTED).functions[0].blocks[0]
    lanes = tuple(i.idx for i in block.instrs if i.opcode == "udiv")
    out, report = run_slp(HOISTED, FixedPlanPolicy((lanes,)))
    assert report.blocks[0].packs == (lanes,)
    assert _line(out, r"call void @maybe_stop") < _line(out, r"udiv <4 x i32>")
