"""Facts the semantics depend on are fields of the IR model, parsed once:
predicate, flags, immediate arguments, alignment, metadata kinds, the global
object behind an operand, the datalayout."""

import pytest

from slpvec.ir import GLOBAL, parse_module
from slpvec.ir.instr_text import FAST_MATH
from slpvec.ir.types import value_ref

LAYOUT = "e-m:e-p:32:32-i64:64-n32-S128"

IR = f"""
target datalayout = "{LAYOUT}"

declare i32 @llvm.abs.i32(i32, i1)
declare i32 @llvm.ctlz.i32(i32, i1 immarg)
declare float @llvm.fmuladd.f32(float, float, float)

define void @f(ptr %p, i32 %a, i32 %b, float %x, float %y) {{
entry:
  %c0 = icmp samesign ult i32 %a, %b
  %c1 = icmp sgt i32 %a, %b
  %c2 = fcmp fast olt float %x, %y
  %c3 = fcmp nnan nsz oge float %x, %y
  %s = select nnan i1 %c0, float %x, float %y
  %o = or disjoint i32 %a, %b
  %w = add nuw nsw i32 %a, %b
  %t = trunc nuw i32 %a to i8
  %z = zext nneg i32 %a to i64
  %d = udiv exact i32 %a, %b
  %g = getelementptr inbounds nuw i8, ptr %p, i32 4
  %abs = call i32 @llvm.abs.i32(i32 %a, i1 true)
  %clz = tail call i32 @llvm.ctlz.i32(i32 %b, i1 false)
  %fma = call fast float @llvm.fmuladd.f32(float %x, float %y, float %x)
  %l = load i32, ptr %g, align 2, !range !0, !noundef !1
  store i32 %l, ptr %p, align 8, !nontemporal !2
  %al = alloca i64, align 16
  ret void
}}

!0 = !{{i32 0, i32 10}}
!1 = !{{}}
!2 = !{{i32 1}}
"""


@pytest.fixture(scope="module")
def instrs():
    module = parse_module(IR)
    return {ins.name or ins.opcode: ins for ins in module.functions[0].blocks[0].instrs}


@pytest.mark.parametrize("name, predicate, flags", [
    ("c0", "ult", ("samesign",)),
    ("c1", "sgt", ()),
    ("c2", "olt", FAST_MATH),
    ("c3", "oge", ("nnan", "nsz")),
    ("s", "", ("nnan",)),
    ("o", "", ("disjoint",)),
    ("w", "", ("nuw", "nsw")),
    ("t", "", ("nuw",)),
    ("z", "", ("nneg",)),
    ("d", "", ("exact",)),
    ("g", "", ("inbounds", "nuw")),
    ("clz", "", ()),
    ("fma", "", FAST_MATH),
    ("l", "", ()),
])
def test_predicate_and_flags(instrs, name, predicate, flags):
    assert (instrs[name].predicate, instrs[name].flags) == (predicate, flags)


def test_immediate_arguments_come_from_the_callee_declaration(instrs):
    # the declaration of abs in the input lacks `immarg`: LLVM's intrinsic table adds it
    assert instrs["abs"].immargs == ((1, "true"),)
    assert instrs["clz"].immargs == ((1, "false"),)
    assert instrs["fma"].immargs == ()
    assert instrs["w"].immargs == ()


def test_gep_source_type(instrs):
    module = parse_module("define ptr @f(ptr %p, i64 %i) {\n"
                          "  %g = getelementptr inbounds nuw { [2 x float], i32 }, ptr %p, i64 %i, i32 0\n"
                          "  ret ptr %g\n}\n")
    assert module.functions[0].blocks[0].instrs[0].source_type == "{ [2 x float], i32 }"
    assert instrs["g"].source_type == "i8" and instrs["w"].source_type == ""


def test_alignment_and_metadata_kinds(instrs):
    assert (instrs["l"].align, instrs["l"].metadata) == (2, ("range", "noundef"))
    assert (instrs["store"].align, instrs["store"].metadata) == (8, ("nontemporal",))
    assert instrs["al"].align == 16
    assert (instrs["w"].align, instrs["w"].metadata) == (0, ())


def test_data_layout_is_on_module_and_function():
    module = parse_module(IR)
    assert module.data_layout == LAYOUT and module.functions[0].data_layout == LAYOUT


GLOBALS = """
@0 = global [4 x i32] zeroinitializer
@1 = global [4 x i32] zeroinitializer
@g = global [4 x i32] zeroinitializer
@"a b" = global i32 0
@al = alias [4 x i32], ptr @g
@al2 = alias [4 x i32], ptr @al
@2 = alias i32, ptr @1
@mid = alias i32, getelementptr (i8, ptr @g, i64 4)

define void @f(i32 %v) {
entry:
  store i32 %v, ptr @0, align 4
  store i32 %v, ptr @1, align 4
  store i32 %v, ptr @g, align 4
  store i32 %v, ptr @"a b", align 4
  store i32 %v, ptr @al, align 4
  store i32 %v, ptr @al2, align 4
  store i32 %v, ptr @2, align 4
  store i32 %v, ptr @mid, align 4
  call void @3()
  ret void
}

define internal void @3() {
  ret void
}
"""


def test_globals_are_referenced_by_slot_and_resolved_through_aliases():
    module = parse_module(GLOBALS)
    pointers = [(ins.operands[1].kind, ins.operands[1].text, ins.operands[1].object)
                for ins in module.function("f").blocks[0].instrs if ins.opcode == "store"]
    assert pointers == [(GLOBAL, "@0", "@0"), (GLOBAL, "@1", "@1"), (GLOBAL, "@g", "@g"),
                        (GLOBAL, '@"a b"', '@"a b"'), (GLOBAL, "@al", "@g"),
                        (GLOBAL, "@al2", "@g"), (GLOBAL, "@2", "@1"),
                        (GLOBAL, "@mid", "")]  # a constant expression is no global object
    call = module.function("f").blocks[0].instrs[-2]
    assert (call.callee, call.operands[-1].object) == ("3", "@3")
    assert [fn.name for fn in module.functions] == ["f", "3"]


@pytest.mark.parametrize("name, ref", [
    ("x", "%x"), ("a.b-c_d", "%a.b-c_d"), ("12", "%12"), ("a b", '%"a b"'),
    ("a$b", '%"a$b"'), ("1abc", '%"1abc"'), ('q"\\', '%"q\\22\\5C"'), ("é", '%"\\C3\\A9"'),
])
def test_value_references_are_printed_as_llvm_prints_them(name, ref):
    assert value_ref(name) == ref


def test_quoted_value_names_round_trip():
    ir = ('define i32 @f(i32 %"a$b", i32 %"1abc", i32 %"\\C3\\A9") {\n'
          '  %"x y" = add i32 %"a$b", %"1abc"\n'
          '  %z = add i32 %"x y", %"\\C3\\A9"\n'
          '  ret i32 %z\n}\n')
    fn = parse_module(ir).functions[0]
    add, add2, _ = fn.blocks[0].instrs
    assert [a.text for a in fn.args] == ['%"a$b"', '%"1abc"', '%"\\C3\\A9"']
    assert add.name == "x y" and add.ref == '%"x y"'
    assert [op.text for op in add2.operands] == ['%"x y"', '%"\\C3\\A9"']
    assert fn.local_names() >= {"a$b", "1abc", "é", "x y", "z"}
