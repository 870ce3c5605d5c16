"""Blocks the address analysis once got wrong, vectorized and run: the output
must compute what the input does (these produced different results before)."""

import pytest

from slpvec.driver import run_slp
from slpvec.ir.datalayout import X86_64_LINUX
from slpvec.tools.validate import validate_modules

HEADER = f'target datalayout = "{X86_64_LINUX}"\ntarget triple = "x86_64-pc-linux-gnu"\n'

# <3 x float> steps by 16 bytes: the two stores are not consecutive (byte 8 and
# 16); taken as 12 bytes they were merged into one <2 x float> store at byte 8.
VEC3_STRIDE = """
define void @f(ptr noalias %p, ptr noalias %q) {
entry:
  %q1 = getelementptr inbounds float, ptr %q, i64 1
  %x = load float, ptr %q, align 4
  %y = load float, ptr %q1, align 4
  %a = getelementptr inbounds i8, ptr %p, i64 8
  store float %x, ptr %a, align 4
  %b = getelementptr inbounds <3 x float>, ptr %p, i64 1
  store float %y, ptr %b, align 4
  ret void
}
"""

# p + 4 * 2^62 wraps to p: the load reads what the first store wrote. Taken as
# 2^64 bytes away it was moved above the merged stores.
WRAPPING_GEP = """
define void @f(ptr %p, ptr noalias %q) {
entry:
  %q1 = getelementptr inbounds float, ptr %q, i64 1
  %x = load float, ptr %q, align 4
  %y = load float, ptr %q1, align 4
  store float %x, ptr %p, align 4
  %t = getelementptr float, ptr %p, i64 4611686018427387904
  %z = load float, ptr %t, align 4
  %p1 = getelementptr inbounds float, ptr %p, i64 1
  store float %y, ptr %p1, align 4
  %q2 = getelementptr inbounds float, ptr %q, i64 2
  store float %z, ptr %q2, align 4
  ret void
}
"""

# An alias is its aliasee: the load through @a reads what the store to @g
# wrote. Taken as another object it was moved above the merged stores.
GLOBAL_ALIAS = """
@g = global [2 x float] [float 1.0, float 2.0]
@a = alias [2 x float], ptr @g
define void @f(ptr noalias %q) {
entry:
  %q1 = getelementptr inbounds float, ptr %q, i64 1
  %x = load float, ptr %q, align 4
  %y = load float, ptr %q1, align 4
  store float %x, ptr @g, align 4
  %z = load float, ptr @a, align 4
  %g1 = getelementptr inbounds float, ptr @g, i64 1
  store float %y, ptr %g1, align 4
  %q2 = getelementptr inbounds float, ptr %q, i64 2
  store float %z, ptr %q2, align 4
  ret void
}
"""


@pytest.mark.parametrize("body", [VEC3_STRIDE, WRAPPING_GEP, GLOBAL_ALIAS],
                         ids=["vec3-stride", "wrapping-gep", "global-alias"])
def test_vectorized_output_computes_what_the_input_does(body):
    module = HEADER + body
    out, _ = run_slp(module, "greedy")
    result = validate_modules(module, out, seeds=2)
    assert result.ok and not result.mismatches and not result.inconclusive, result
