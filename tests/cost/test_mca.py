"""The llvm-mca yardstick: markers, region parsing, caching, and the accept-by-mca rule."""

import json

import pytest

from slpvec.cost import DiskCache
from slpvec.cost import mca
from slpvec.ir import parse_module
from slpvec.target import cpu_target

HASWELL = cpu_target("haswell", "x86_64-pc-linux-gnu")

HEADER = ('target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-'
          'f80:128-n8:16:32:64-S128"\ntarget triple = "x86_64-pc-linux-gnu"\n\n')

def add4(body: str, results: str = "y") -> str:
    """@add4(a, b): four doubles loaded from a, ``body`` (defines %<results>0..3), stored to b."""
    loads = "".join(f"  %a{k} = getelementptr inbounds double, ptr %a, i64 {k}\n"
                    f"  %x{k} = load double, ptr %a{k}, align 8\n" for k in range(4))
    stores = "".join(f"  %b{k} = getelementptr inbounds double, ptr %b, i64 {k}\n"
                     f"  store double %{results}{k}, ptr %b{k}, align 8\n" for k in range(4))
    return (HEADER + "define void @add4(ptr noalias %a, ptr noalias %b) {\nentry:\n"
            + loads + body + stores + "  br label %exit\n\nexit:\n  ret void\n}\n")


SCALAR = add4("".join(f"  %y{k} = fmul double %x{k}, %x{k}\n" for k in range(4)))

VECTOR = HEADER + """define void @add4(ptr noalias %a, ptr noalias %b) {
entry:
  %x = load <4 x double>, ptr %a, align 8
  %y = fmul <4 x double> %x, %x
  store <4 x double> %y, ptr %b, align 8
  br label %exit

exit:
  ret void
}
"""

# A "vector" block that does more than the scalar one (lanes through inserts and
# extracts, then scalar divides): llvm-mca must find it slower.
GATHERED = add4("".join(
    [f"  %v{k} = insertelement <4 x double> {'poison' if k == 0 else f'%v{k - 1}'}, "
     f"double %x{k}, i32 {k}\n" for k in range(4)]
    + ["  %y = fmul <4 x double> %v3, %v3\n"]
    + [f"  %y{k} = extractelement <4 x double> %y, i32 {k}\n"
       f"  %z{k} = fdiv double %y{k}, %x{(k + 1) % 4}\n" for k in range(4)]), results="z")

LOOP = HEADER + """define void @loop(ptr %a, i64 %n) {
entry:
  br label %body

body:
  %i = phi i64 [ 0, %entry ], [ %next, %body ]
  %p = getelementptr inbounds double, ptr %a, i64 %i
  %x = load double, ptr %p, align 8
  %y = fadd double %x, 1.0
  store double %y, ptr %p, align 8
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %body

exit:
  ret void
}
"""


def test_markers_follow_phis_and_precede_the_terminator():
    module = parse_module(LOOP)
    text, regions = mca.mark_blocks(module)
    assert regions == {"r0": ("loop", "body")}     # entry and exit have no body
    lines = [ln.strip() for ln in text.splitlines()]
    begin = next(i for i, ln in enumerate(lines) if "LLVM-MCA-BEGIN r0" in ln)
    end = next(i for i, ln in enumerate(lines) if "LLVM-MCA-END r0" in ln)
    assert lines[begin - 1].startswith("%i = phi") and lines[begin + 1].startswith("%p = ")
    assert lines[end - 1].startswith("%done = ") and lines[end + 1].startswith("br i1")
    parse_module(text)                                  # still valid IR
    assert mca.mark_blocks(module, keys=[("loop", "exit")])[1] == {}


def test_clean_regions_keeps_first_pair_and_drops_broken_ones():
    asm = "\n".join(["# LLVM-MCA-BEGIN r0", "addq %rax, %rbx", "# LLVM-MCA-END r0",
                     "# LLVM-MCA-BEGIN r0", "addq %rax, %rbx", "# LLVM-MCA-END r0",
                     "\t# LLVM-MCA-END r1", "\t# LLVM-MCA-BEGIN r1", "# LLVM-MCA-BEGIN r2"])
    kept = [ln.strip() for ln in mca.clean_regions(asm).splitlines() if "LLVM-MCA" in ln]
    assert kept == ["# LLVM-MCA-BEGIN r0", "# LLVM-MCA-END r0"]


def test_parse_mca_json():
    text = json.dumps({"CodeRegions": [{"Name": "r3", "SummaryView": {
        "Iterations": 100, "TotalCycles": 250, "BlockRThroughput": 2.0, "Instructions": 600}}]})
    assert mca.parse_mca_json(text) == {"r3": mca.McaCost(2.5, 2.0, 6)}
    with pytest.raises(mca.ToolFailedError, match="llvm-mca-22 output not understood"):
        mca.parse_mca_json("{}")


def test_vector_block_takes_fewer_cycles_and_results_are_cached(tmp_path, monkeypatch):
    cache = DiskCache(tmp_path / "c.sqlite")
    scalar = mca.mca_block_costs(SCALAR, HASWELL, cache=cache)[("add4", "entry")]
    vector = mca.mca_block_costs(VECTOR, HASWELL, cache=cache)[("add4", "entry")]
    assert scalar.instructions >= 8 and vector.instructions <= 4
    assert 0 < vector.cycles < scalar.cycles
    monkeypatch.setattr(mca, "_measure", lambda *a: pytest.fail("not cached"))
    assert mca.mca_block_costs(SCALAR, HASWELL, cache=cache)[("add4", "entry")] == scalar


def test_accept_by_mca_rejects_only_slower_blocks():
    assert mca.mca_slower_blocks(SCALAR, VECTOR, ["add4:entry"], HASWELL) == {}
    slower = mca.mca_slower_blocks(SCALAR, GATHERED, ["add4:entry", "add4:exit"], HASWELL)
    assert list(slower) == ["add4:entry"]
    assert slower["add4:entry"].startswith("llvm-mca: vector code takes ")
