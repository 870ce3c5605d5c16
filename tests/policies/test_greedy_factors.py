"""greedy grows a tree through either factor of commutative lanes: NPB FT's
evolve multiplies a complex by a real as ``re*t`` and ``t*im``; the pack of
``re`` and ``im`` is operand 0 of one lane and operand 1 of the other, and
both factors are loads of doubles, so the first-match operand pack paired
``re`` with ``t`` and greedy left the block scalar (FT under greedy ran
0.80x clang -O3, all of it in evolve, which ilp and gnn vectorized)."""

from slpvec.driver import run_slp
from slpvec.ir.datalayout import X86_64_LINUX
from slpvec.target import cpu_target
from slpvec.tools.validate import validate_modules

EVOLVE = f'target datalayout = "{X86_64_LINUX}"\n' + """
%struct.dcomplex = type { double, double }

define void @evolve(ptr noalias %u, ptr noalias %tw, ptr noalias %out, i64 %i) {
entry:
  %x = getelementptr inbounds %struct.dcomplex, ptr %u, i64 %i
  %t.at = getelementptr inbounds double, ptr %tw, i64 %i
  %re = load double, ptr %x, align 8
  %t = load double, ptr %t.at, align 8
  %mre = fmul double %re, %t
  %im.at = getelementptr inbounds i8, ptr %x, i64 8
  %im = load double, ptr %im.at, align 8
  %mim = fmul double %t, %im
  store double %mre, ptr %x, align 8
  store double %mim, ptr %im.at, align 8
  ret void
}
"""


def test_greedy_packs_the_factors_of_a_complex_times_a_real():
    out, report = run_slp(EVOLVE, "greedy", target=cpu_target("haswell"))
    (block,) = report.blocks
    assert block.vectorized and block.cost_after < block.cost_before
    assert "load <2 x double>" in out and "store <2 x double>" in out
    assert validate_modules(EVOLVE, out).ok
