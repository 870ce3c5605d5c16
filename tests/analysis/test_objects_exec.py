"""Vectorized code that needs the function-wide alias facts runs like the
scalar code (differential execution), and pointers of other blocks that do
point into the same object keep their order."""

import pytest

from slpvec.driver import run_slp
from slpvec.tools.validate import validate_modules

HEADER = """target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"
@g = global [8 x [4 x double]] zeroinitializer, align 32
@h = global [8 x [4 x double]] zeroinitializer, align 32
"""


def lanes(template: str, count: int = 4) -> str:
    """``template`` once per lane, ``{k}`` the lane and ``{o}`` its byte offset."""
    return "\n".join(template.format(k=k, o=8 * k) for k in range(count))


def row_lanes(row: str, other: str) -> str:
    """Lane k: ``row[k] = row[k] + other[k] + 1`` (doubles)."""
    return lanes('''  %pg{k} = getelementptr inbounds i8, ptr ROW, i64 {o}
  %ph{k} = getelementptr inbounds i8, ptr OTHER, i64 {o}
  %a{k} = load double, ptr %pg{k}, align 8
  %b{k} = load double, ptr %ph{k}, align 8
  %s{k} = fadd double %a{k}, %b{k}
  %t{k} = fadd double %s{k}, 1.0
  store double %t{k}, ptr %pg{k}, align 8''').replace("ROW", row).replace("OTHER", other)


# g[i+1][k] = g[i+1][k] + h[i+2][k] + 1 (the globals start as zeros), lane after lane; the rows are GEPs of
# the entry block, so before the block's loads of h could not pass its stores to g
ROWS = HEADER + f"""
define void @rows(i64 %n) {{
entry:
  %i = and i64 %n, 3
  %rowg = getelementptr inbounds [4 x double], ptr @g, i64 %i
  %g1 = getelementptr inbounds i8, ptr %rowg, i64 32
  %rowh = getelementptr inbounds [4 x double], ptr @h, i64 %i
  %h2 = getelementptr inbounds i8, ptr %rowh, i64 64
  br label %body
body:
{row_lanes('%g1', '%h2')}
  ret void
}}
"""


def _run(text: str, policy: str, label: str = "body"):
    out, report = run_slp(text, policy)
    (block,) = [b for b in report.blocks if b.block_id.endswith(":" + label)]
    result = validate_modules(text, out, seeds=6)
    assert not result.mismatches and not result.error, (policy, result)
    assert all(o.conclusive == o.runs > 0 for o in result.outcomes), (policy, result)
    return block


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_rows_of_two_globals_from_the_entry_vectorize_and_validate(policy):
    block = _run(ROWS, policy)
    assert block.vectorized and any(len(pack) == 4 for pack in block.packs), block


# The same, but the "other" row is a phi that is @g itself, one element back,
# on one path: its loads read what the previous lane's store just wrote.
ALIASED_PHI = HEADER + f"""
define void @phi_rows(i64 %n, i1 %c) {{
entry:
  %i = and i64 %n, 3
  %rowg = getelementptr inbounds [4 x double], ptr @g, i64 %i
  %g1 = getelementptr inbounds i8, ptr %rowg, i64 32
  %rowh = getelementptr inbounds [4 x double], ptr @h, i64 %i
  br i1 %c, label %same, label %body
same:
  %g1b = getelementptr inbounds i8, ptr %rowg, i64 24
  br label %body
body:
  %other = phi ptr [ %rowh, %entry ], [ %g1b, %same ]
{row_lanes('%g1', '%other')}
  ret void
}}
"""

# a select between the two globals, and an argument that may be one of them
ALIASED_SELECT = HEADER + f"""
define void @select_rows(i64 %n, i1 %c) {{
entry:
  %i = and i64 %n, 3
  %rowg = getelementptr inbounds [4 x double], ptr @g, i64 %i
  %rowg1 = getelementptr inbounds i8, ptr %rowg, i64 8
  %rowh = getelementptr inbounds [4 x double], ptr @h, i64 %i
  br label %body
body:
  %other = select i1 %c, ptr %rowh, ptr %rowg
{row_lanes('%rowg1', '%other')}
  ret void
}}
"""


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
@pytest.mark.parametrize("text", [ALIASED_PHI, ALIASED_SELECT], ids=["phi", "select"])
def test_pointers_of_other_blocks_into_the_same_object_keep_their_order(text, policy):
    block = _run(text, policy)
    # the loads through the phi/select may not all move above the stores to @g
    assert not any(len(pack) == 4 for pack in block.packs), block.packs


# row 0 and row s (0 or 1) of 5 doubles through an argument, lane after lane:
# stores to both rows pack only because 40*s + 8*k and 8*j differ modulo 40
# unless k == j; for s == 0 the two stores of a lane hit the same double
RESIDUE_ROWS = HEADER + f"""
define void @two_rows(ptr %lhs, i32 %size) {{
entry:
  %s = and i32 %size, 1
  %w = zext i32 %s to i64
  %far = getelementptr inbounds [5 x double], ptr %lhs, i64 %w
{lanes('''  %n{k} = getelementptr inbounds i8, ptr %lhs, i64 {o}
  %f{k} = getelementptr inbounds i8, ptr %far, i64 {o}
  store double {k}.0, ptr %n{k}, align 8
  store double {k}.5, ptr %f{k}, align 8''')}
  ret void
}}
"""

# byte 48 + 8*k of the rows written from row s + 8*k: for s == 1 lane k
# reads what lane k - 1 wrote (40 bytes further, a multiple of the row), so
# the loads must not all move up
SHIFTED_ROWS = HEADER + f"""
define void @shifted_rows(ptr %lhs, i32 %size) {{
entry:
  %s = and i32 %size, 1
  %w = zext i32 %s to i64
  %far = getelementptr inbounds [5 x double], ptr %lhs, i64 %w
  %near = getelementptr inbounds i8, ptr %lhs, i64 48
{lanes('''  %n{k} = getelementptr inbounds i8, ptr %near, i64 {o}
  %f{k} = getelementptr inbounds i8, ptr %far, i64 {o}
  %b{k} = load double, ptr %f{k}, align 8
  %t{k} = fadd double %b{k}, 1.0
  store double %t{k}, ptr %n{k}, align 8''')}
  ret void
}}
"""


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_rows_apart_by_a_variable_multiple_vectorize_and_validate(policy):
    block = _run(RESIDUE_ROWS, policy, "entry")
    assert block.vectorized and any(len(pack) == 4 for pack in block.packs), block


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_rows_equal_modulo_the_multiple_keep_their_order(policy):
    block = _run(SHIFTED_ROWS, policy, "entry")
    assert not any(len(pack) == 4 for pack in block.packs), block.packs
