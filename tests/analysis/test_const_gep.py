"""Constant-expression GEPs on globals (issue 16 step 2(a)): the IR model
carries their levels and base object, the address analysis gives them the
global's root and the byte offset an instruction GEP would have."""

import pytest

from slpvec.analysis.address import GLOBAL_ROOT, OPAQUE, may_alias
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.ir.globals import parse_const_gep
from slpvec.toolchain import compile_c_to_ir
from slpvec.tools.validate import validate_modules

from .test_address import accesses

EXAMPLE = "double g[8]; void f(void){ g[0]=.1; g[1]=.2; g[2]=.3; g[3]=.4; }\n"


def _check_vectorizes(src: str, lanes: int) -> None:
    for policy in ("greedy", "ilp"):
        out, report = run_slp(src, policy)
        (block,) = report.blocks
        assert block.n_candidates > 0, policy
        assert any(len(pack) == lanes for pack in block.packs), (policy, block.packs)
        result = validate_modules(src, out)
        assert not result.mismatches and not result.error, (policy, result)
        assert all(o.conclusive == o.runs > 0 for o in result.outcomes), (policy, result)


def test_c_example_vectorizes_and_validates(tmp_path):
    source = tmp_path / "g.c"
    source.write_text(EXAMPLE)
    src = compile_c_to_ir(source, "haswell")
    assert "getelementptr inbounds nuw (i8, ptr @g, i64 8)" in src
    _check_vectorizes(src, 4)


HAND = """target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"
@g = global [8 x double] zeroinitializer, align 16
define void @f() {
entry:
  store double 1.0, ptr getelementptr ([8 x double], ptr @g, i64 0, i64 2), align 16
  store double 2.0, ptr getelementptr inbounds nuw (i8, ptr getelementptr ([8 x double], ptr @g, i64 0, i64 2), i64 8), align 8
  ret void
}
"""


def test_hand_written_nested_and_typed_geps_vectorize():
    fn = parse_module(HAND).functions[0]
    ptrs = [ins.operands[1] for ins in fn.blocks[0].instrs[:2]]
    assert ptrs[0].object == "@g" and ptrs[0].gep == (("[8 x double]", (("i64", "0"), ("i64", "2"))),)
    assert ptrs[1].gep == (("[8 x double]", (("i64", "0"), ("i64", "2"))), ("i8", (("i64", "8"),)))
    _check_vectorizes(HAND, 2)


def test_non_i8_source_type_offset():
    a = accesses("""
store double 1.0, ptr getelementptr ([8 x double], ptr @g, i64 0, i64 2), align 8
store i32 1, ptr getelementptr inbounds ({ i32, [4 x double] }, ptr @s, i64 1, i32 1, i64 3), align 4
store i32 1, ptr getelementptr (i32, ptr getelementptr (double, ptr @g, i64 1), i32 3), align 4
""", globals_="@g = global [8 x double] zeroinitializer\n@s = global [2 x { i32, [4 x double] }] zeroinitializer")
    assert [(x.root, x.root_kind, x.offset) for x in a] == [
        ("@g", GLOBAL_ROOT, 16), ("@s", GLOBAL_ROOT, 40 + 8 + 24), ("@g", GLOBAL_ROOT, 8 + 12)]


def test_negative_and_wrapping_indices_are_modulo_the_index_width():
    a = accesses("""
store i8 1, ptr getelementptr (i8, ptr @g, i64 -1), align 1
store i8 1, ptr getelementptr (i8, ptr @g, i8 -1), align 1
store i8 1, ptr getelementptr (i8, ptr @g, i128 18446744073709551615), align 1
store double 1.0, ptr getelementptr (double, ptr @g, i64 2305843009213693952), align 8
store i8 1, ptr getelementptr (i8, ptr getelementptr (i8, ptr @g, i64 9223372036854775807), i64 9223372036854775807), align 1
""", globals_="@g = global [8 x double] zeroinitializer")
    # i8 -1 is sign-extended; the i128 index truncates to -1; 2**61 * 8 wraps to 0
    assert [(x.root, x.offset) for x in a] == [("@g", -1), ("@g", -1), ("@g", -1), ("@g", 0),
                                              ("@g", -2)]
    assert may_alias(a[0], a[1]) and may_alias(a[3], accesses(
        "store double 1.0, ptr @g, align 8",
        globals_="@g = global [8 x double] zeroinitializer")[0])


def test_different_globals_do_not_pack():
    src = """target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
@g = global [8 x double] zeroinitializer, align 16
@h = global [8 x double] zeroinitializer, align 16
define void @f() {
entry:
  store double 1.0, ptr @g, align 16
  store double 2.0, ptr getelementptr inbounds nuw (i8, ptr @h, i64 8), align 8
  ret void
}
"""
    a = accesses("""
store double 1.0, ptr @g, align 16
store double 2.0, ptr getelementptr inbounds nuw (i8, ptr @h, i64 8), align 8
""", globals_="@g = global [8 x double] zeroinitializer\n@h = global [8 x double] zeroinitializer")
    assert [x.root for x in a] == ["@g", "@h"] and not may_alias(a[0], a[1])
    for policy in ("greedy", "ilp"):
        _, report = run_slp(src, policy)
        assert not report.blocks[0].packs


def test_alias_of_an_expression_and_unknown_expressions_stay_opaque():
    globals_ = ("@g = global [8 x double] zeroinitializer\n"
                "@a = alias double, getelementptr (i8, ptr @g, i64 8)\n")
    a = accesses("""
store double 1.0, ptr @g, align 8
store double 2.0, ptr @a, align 8
store double 3.0, ptr getelementptr (i8, ptr @a, i64 8), align 8
store double 4.0, ptr getelementptr (i8, ptr getelementptr (i8, ptr @g, i64 ptrtoint (ptr @g to i64)), i64 8), align 8
""", globals_=globals_)
    assert a[0].root_kind == GLOBAL_ROOT
    assert [x.root_kind for x in a[1:]] == [OPAQUE] * 3
    assert all(may_alias(a[0], x) for x in a[1:])
    src = ('target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128'
           '-n8:16:32:64-S128"\n' + globals_ + """define void @f() {
entry:
  store double 1.0, ptr @g, align 8
  store double 2.0, ptr @a, align 8
  store double 3.0, ptr getelementptr (i8, ptr @a, i64 8), align 8
  ret void
}
""")
    for policy in ("greedy", "ilp"):
        _, report = run_slp(src, policy)
        assert not report.blocks[0].packs, policy


@pytest.mark.parametrize("text", [
    "getelementptr (i8, ptr @g, <2 x i64> <i64 0, i64 1>)",
    'getelementptr (i8, ptr @"a, b", i64 8)',
    "getelementptr (i8, ptr addrspacecast (ptr addrspace(1) @g to ptr), i64 8)",
    "ptrtoint (ptr @g to i64)",
])
def test_parse_const_gep_rejects_what_it_does_not_understand(text):
    assert parse_const_gep(text) is None
