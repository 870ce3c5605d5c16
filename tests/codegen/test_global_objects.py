"""Accesses to globals are merged or reordered only when they are known to be
the same object or distinct ones: unnamed globals are told apart, an alias is
its aliasee."""

import re

import pytest

from slpvec.driver import run_slp
from slpvec.tools.validate import validate_modules

POLICIES = ["greedy", "ilp"]
# o[0] = %{a}, o[1] = %{b}, and the end of the function
STORE_PAIR = """  store i32 %{a}, ptr %o, align 4
  %o1 = getelementptr inbounds i8, ptr %o, i64 4
  store i32 %{b}, ptr %o1, align 4
  ret void
}}
"""

UNNAMED = """
@0 = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]
@1 = global [4 x i32] [i32 5, i32 6, i32 7, i32 8]

define void @f(ptr noalias %o) {{
entry:
  %p0 = getelementptr inbounds i8, ptr @{g0}, i64 4
  %a = load i32, ptr %p0, align 4
  %p1 = getelementptr inbounds i8, ptr @{g1}, i64 8
  %b = load i32, ptr %p1, align 4
{store_a_b}"""


def unnamed(g0, g1):
    return UNNAMED.format(g0=g0, g1=g1, store_a_b=STORE_PAIR.format(a="a", b="b"))


@pytest.mark.parametrize("policy", POLICIES)
def test_unnamed_globals_are_different_objects(policy):
    # @0[1] and @1[2] are not consecutive: one <2 x i32> load of @0 would read @0[2]
    ir = unnamed(0, 1)
    text, report = run_slp(ir, policy)
    assert "load <2 x i32>" not in text
    result = validate_modules(ir, text, seeds=2)
    assert result.ok and not result.inconclusive, result


@pytest.mark.parametrize("policy", POLICIES)
def test_one_unnamed_global_is_still_one_object(policy):
    text, report = run_slp(unnamed(0, 0), policy)
    assert report.blocks[0].vectorized
    assert re.search(r"load <2 x i32>, ptr %p0", text)


ALIASED = """
@g = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]
@al = alias [4 x i32], ptr @g
@al2 = alias [4 x i32], ptr @al
@mid = alias i32, getelementptr (i8, ptr @g, i64 4)

define void @f(ptr noalias %a, ptr noalias %o) {{
entry:
  %x0 = load i32, ptr %a, align 4
  %pa1 = getelementptr inbounds i8, ptr %a, i64 4
  %x1 = load i32, ptr %pa1, align 4
  store i32 %x0, ptr @g, align 4
  %q1 = getelementptr inbounds i8, ptr {alias}, i64 {second}
  %y0 = load i32, ptr %q1, align 4
  %g1 = getelementptr inbounds i8, ptr @g, i64 4
  store i32 %x1, ptr %g1, align 4
  %q0 = getelementptr inbounds i8, ptr {alias}, i64 {first}
  %y1 = load i32, ptr %q0, align 4
{store_a_b}"""


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("alias, first, second", [
    ("@al", 0, 4), ("@al2", 0, 4), ("@mid", -4, 0)])
def test_an_alias_is_the_object_it_aliases(alias, first, second, policy):
    # %y0 reads g[1] before it is stored, %y1 reads g[0] after: the loads of
    # the alias and the stores to @g cannot both be packed
    ir = ALIASED.format(alias=alias, first=first, second=second,
                        store_a_b=STORE_PAIR.format(a="y1", b="y0"))
    text, _ = run_slp(ir, policy)
    result = validate_modules(ir, text, seeds=2)
    assert result.ok and not result.inconclusive, result
