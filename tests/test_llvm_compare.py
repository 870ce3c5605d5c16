"""slpvec compare-llvm: the classifier of LLVM's vectorized blocks on fixed IR
text (independent of LLVM's choices), and one run end to end."""

import csv

from slpvec.cli import main
from slpvec.inputs import load_module
from slpvec.tools.llvm_compare import (BlockComparison, classify_block, compare_module,
                                       reduction_table, summarize)

FMULADD = """
%arrayidx8 = getelementptr inbounds nuw i8, ptr %a, i64 16
%0 = load <2 x double>, ptr %a, align 8, !tbaa !9
%1 = load <2 x double>, ptr %arrayidx8, align 8, !tbaa !9
%2 = load <4 x double>, ptr %b, align 8, !tbaa !9
%3 = load <4 x double>, ptr %c, align 8, !tbaa !9
%4 = fneg <2 x double> %1
%5 = shufflevector <2 x double> %0, <2 x double> %4, <4 x i32> <i32 0, i32 1, i32 2, i32 3>
%6 = call <4 x double> @llvm.fmuladd.v4f64(<4 x double> %5, <4 x double> %2, <4 x double> %3)
store <4 x double> %6, ptr %r, align 8, !tbaa !9
ret void
"""

ALTERNATE = """
%0 = load <4 x float>, ptr %a, align 4
%1 = load <4 x float>, ptr %b, align 4
%2 = fadd <4 x float> %0, %1
%3 = fsub <4 x float> %0, %1
%4 = shufflevector <4 x float> %2, <4 x float> %3, <4 x i32> <i32 0, i32 5, i32 2, i32 7>
store <4 x float> %4, ptr %r, align 4
"""

REDUCTION = """
%0 = load <8 x i32>, ptr %a, align 4
%1 = call i32 @llvm.vector.reduce.add.v8i32(<8 x i32> %0)
ret i32 %1
"""

ODD_PERMUTED = """
%0 = load <3 x double>, ptr %a, align 8
%1 = shufflevector <3 x double> %0, <3 x double> poison, <3 x i32> <i32 2, i32 1, i32 0>
store <3 x double> %1, ptr %r, align 8
"""

GATHER = """
%0 = call <4 x double> @llvm.masked.gather.v4f64.v4p0(<4 x ptr> %p, i32 8, <4 x i1> splat (i1 true), <4 x double> poison)
store <4 x double> %0, ptr %r, align 8
"""

SPLAT = """
%0 = insertelement <4 x double> poison, double %x, i64 0
%1 = shufflevector <4 x double> %0, <4 x double> poison, <4 x i32> zeroinitializer
%2 = fmul <4 x double> %1, %v
"""

LANE_SHUFFLE = """
%0 = load <2 x float>, ptr %p, align 4, !tbaa !9
%1 = shufflevector <2 x float> %0, <2 x float> poison, <4 x i32> <i32 0, i32 1, i32 poison, i32 poison>
%2 = shufflevector <4 x float> <float poison, float 1.000000e+00, float poison, float poison>, <4 x float> %1, <4 x i32> <i32 5, i32 1, i32 poison, i32 poison>
%3 = fdiv <4 x float> %1, %2
"""

SCALAR = """
%x = load double, ptr %a, align 8
%y = fadd double %x, 1.0
store double %y, ptr %a, align 8
"""


def lines(text):
    return [ln for ln in text.strip().splitlines()]


def test_classifier_categories_exact():
    assert classify_block(lines(FMULADD)) == ["intrinsic:fmuladd"]
    assert classify_block(lines(FMULADD), our_widest=2) == ["intrinsic:fmuladd", "wider-than-ours"]
    assert classify_block(lines(FMULADD), our_widest=4) == ["intrinsic:fmuladd"]
    assert classify_block(lines(ALTERNATE)) == ["alternate-opcode"]
    assert classify_block(lines(REDUCTION)) == ["reduction"]
    assert classify_block(lines(ODD_PERMUTED)) == ["non-power-of-2", "permuted-load"]
    assert classify_block(lines(GATHER)) == ["permuted-load"]
    assert classify_block(lines(SPLAT)) == ["splat"]
    assert classify_block(lines(LANE_SHUFFLE)) == ["lane-shuffle"]
    assert classify_block(lines(SCALAR)) == []


KERNELS_LL = """target triple = "x86_64-pc-linux-gnu"

define void @fma4(ptr noalias %r, ptr noalias %a, ptr noalias %b, ptr noalias %c) {
entry:
  %a1p = getelementptr inbounds double, ptr %a, i64 1
  %a2p = getelementptr inbounds double, ptr %a, i64 2
  %a3p = getelementptr inbounds double, ptr %a, i64 3
  %b1p = getelementptr inbounds double, ptr %b, i64 1
  %b2p = getelementptr inbounds double, ptr %b, i64 2
  %b3p = getelementptr inbounds double, ptr %b, i64 3
  %c1p = getelementptr inbounds double, ptr %c, i64 1
  %c2p = getelementptr inbounds double, ptr %c, i64 2
  %c3p = getelementptr inbounds double, ptr %c, i64 3
  %r1p = getelementptr inbounds double, ptr %r, i64 1
  %r2p = getelementptr inbounds double, ptr %r, i64 2
  %r3p = getelementptr inbounds double, ptr %r, i64 3
  %a0 = load double, ptr %a, align 8
  %a1 = load double, ptr %a1p, align 8
  %a2 = load double, ptr %a2p, align 8
  %a3 = load double, ptr %a3p, align 8
  %b0 = load double, ptr %b, align 8
  %b1 = load double, ptr %b1p, align 8
  %b2 = load double, ptr %b2p, align 8
  %b3 = load double, ptr %b3p, align 8
  %c0 = load double, ptr %c, align 8
  %c1 = load double, ptr %c1p, align 8
  %c2 = load double, ptr %c2p, align 8
  %c3 = load double, ptr %c3p, align 8
  %m0 = call double @llvm.fmuladd.f64(double %a0, double %b0, double %c0)
  %m1 = call double @llvm.fmuladd.f64(double %a1, double %b1, double %c1)
  %m2 = call double @llvm.fmuladd.f64(double %a2, double %b2, double %c2)
  %m3 = call double @llvm.fmuladd.f64(double %a3, double %b3, double %c3)
  store double %m0, ptr %r, align 8
  store double %m1, ptr %r1p, align 8
  store double %m2, ptr %r2p, align 8
  store double %m3, ptr %r3p, align 8
  ret void
}

define i32 @sum8(ptr noalias %a) {
entry:
  %p1 = getelementptr inbounds i32, ptr %a, i64 1
  %p2 = getelementptr inbounds i32, ptr %a, i64 2
  %p3 = getelementptr inbounds i32, ptr %a, i64 3
  %p4 = getelementptr inbounds i32, ptr %a, i64 4
  %p5 = getelementptr inbounds i32, ptr %a, i64 5
  %p6 = getelementptr inbounds i32, ptr %a, i64 6
  %p7 = getelementptr inbounds i32, ptr %a, i64 7
  %x0 = load i32, ptr %a, align 4
  %x1 = load i32, ptr %p1, align 4
  %x2 = load i32, ptr %p2, align 4
  %x3 = load i32, ptr %p3, align 4
  %x4 = load i32, ptr %p4, align 4
  %x5 = load i32, ptr %p5, align 4
  %x6 = load i32, ptr %p6, align 4
  %x7 = load i32, ptr %p7, align 4
  %s1 = add i32 %x0, %x1
  %s2 = add i32 %s1, %x2
  %s3 = add i32 %s2, %x3
  %s4 = add i32 %s3, %x4
  %s5 = add i32 %s4, %x5
  %s6 = add i32 %s5, %x6
  %s7 = add i32 %s6, %x7
  ret i32 %s7
}

declare double @llvm.fmuladd.f64(double, double, double)
"""


def test_end_to_end_reduction_llvm_wins(tmp_path, capsys):
    path = tmp_path / "k.ll"
    path.write_text(KERNELS_LL)
    rows = {r.block: r for r in compare_module(load_module(path, "haswell"), ["greedy", "ilp"],
                                               cpu="haswell", source=str(path))}
    assert set(rows) == {"fma4:entry", "sum8:entry"}
    fma, red = rows["fma4:entry"], rows["sum8:entry"]
    assert not fma.llvm_wins and fma.llvm_used == ()  # we pack these fmuladd calls too
    assert red.llvm_wins and red.llvm_used == ("reduction",)
    assert red.cost_llvm < red.cost_scalar == red.costs["greedy"] == red.costs["ilp"]
    assert red.our_reason == "no profitable plan"
    assert "| reduction | 1 |" in summarize(list(rows.values()))

    out_csv = tmp_path / "blocks.csv"
    code = main(["compare-llvm", str(path), "--policies", "greedy", "-mcpu", "haswell",
                 "--csv", str(out_csv)])
    assert code == 0
    assert "LLVM cheaper than the best policy in 1" in capsys.readouterr().out
    table = {r["block"]: r for r in csv.DictReader(out_csv.open())}
    assert table["sum8:entry"]["llvm_used"] == "reduction"
    assert set(table["sum8:entry"]) >= {"cost_scalar", "cost_llvm", "cost_greedy", "gap",
                                        "our_reason"}


def test_reduction_table_per_folder_and_overall():
    rows = [BlockComparison("suite/BT/a.c", "f:entry", 10, 4, 100.0, 60.0, {"ilp": 80.0}),
            BlockComparison("suite/BT/b.c", "g:entry", 10, 4, 50.0, 50.0, {"ilp": 40.0}),
            BlockComparison("suite/LU/c.c", "h:entry", 10, 0, 30.0, 20.0, {"ilp": 30.0})]
    lines = reduction_table(rows).splitlines()
    assert lines[0] == "| folder | blocks | LLVM reduction | ilp x LLVM |"
    # BT: LLVM saves 40, ilp 20 + 10 = 30 -> 0.75; LU: 10 vs 0; all: 50 vs 30 -> 0.60
    assert lines[2:] == ["| BT | 2 | 40 | 0.75 |", "| LU | 1 | 10 | 0.00 |",
                         "| all | 3 | 50 | 0.60 |"]
