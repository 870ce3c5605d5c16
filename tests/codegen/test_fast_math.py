"""Fast-math: a vector op carries only the flags *every* lane has, and no
floating-point operation is reassociated (bit-exact differential check)."""

import re

import pytest

from slpvec.driver import run_slp
from slpvec.tools.validate import validate_modules

TEMPLATE = """
define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %c) {{
entry:
  %a1 = getelementptr inbounds float, ptr %a, i64 1
  %b1 = getelementptr inbounds float, ptr %b, i64 1
  %c1 = getelementptr inbounds float, ptr %c, i64 1
  %x0 = load float, ptr %a, align 4
  %x1 = load float, ptr %a1, align 4
  %y0 = load float, ptr %b, align 4
  %y1 = load float, ptr %b1, align 4
  %s0 = fadd {f0}float %x0, %y0
  %s1 = fadd {f1}float %x1, %y1
  %t0 = fadd {f0}float %s0, %x0
  %t1 = fadd {f1}float %s1, %x1
  store float %t0, ptr %c, align 4
  store float %t1, ptr %c1, align 4
  ret void
}}
"""


@pytest.mark.parametrize("f0, f1, want", [
    ("fast ", "", ""),
    ("reassoc nsz ", "reassoc nsz arcp ", "reassoc nsz "),
    ("fast ", "fast ", "fast "),  # all seven flags print as "fast"
    ("", "", ""),
])
def test_vector_op_gets_the_common_flags_only(f0, f1, want):
    ir = TEMPLATE.format(f0=f0, f1=f1)
    text, report = run_slp(ir, "greedy")
    assert report.blocks[0].vectorized
    vector_adds = re.findall(r"= fadd ([a-z ]*)<2 x float>", text)
    assert vector_adds and all(flags == want for flags in vector_adds)
    # each lane still computes (x + y) + x in that order: bit-exact results
    assert validate_modules(ir, text, seeds=3).ok
