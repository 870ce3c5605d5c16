"""Exact fields of the IR model for small hand-written functions."""

import pytest

from slpvec.ir import (BARRIER, CONST, GLOBAL, LABEL, LOAD, LOCAL, META, PHI, PURE,
                       STORE, TERMINATOR, VALUE, parse_module)

IR = """
declare void @ext(double)

declare double @llvm.fmuladd.f64(double, double, double)

define double @f(ptr noalias %a, ptr %b, double %s, i64 %n) #0 {
entry:
  %0 = load double, ptr %a, align 8
  %p1 = getelementptr inbounds i8, ptr %b, i64 8
  %p2 = getelementptr inbounds double, ptr %p1, i64 %n
  %1 = load double, ptr %p2, align 4
  %neg = fneg double %0
  %m = call double @llvm.fmuladd.f64(double %neg, double %s, double %1)
  call void @ext(double %m)
  store double %m, ptr %a, align 16
  %2 = fadd double %1, 1.0
  br label %loop
loop:
  %ph = phi double [ %m, %entry ], [ %acc, %loop ]
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %acc = fadd double %ph, %0
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  %r = fmul double %acc, %2
  ret double %r
}

define void @g(ptr %x) {
  ret void
}

attributes #0 = { nounwind "target-cpu"="haswell" "target-features"="+avx,+avx2,+fma" }
"""


@pytest.fixture(scope="module")
def module():
    return parse_module(IR, "model.ll")


def ops(ins):
    """(kind, type, text, index) of each operand."""
    return [(o.kind, o.type, o.text, o.index) for o in ins.operands]


def test_module_and_function(module):
    assert [fn.name for fn in module.functions] == ["f", "g"]  # declarations skipped
    assert module.unknown == ()
    fn = module.function("f")
    assert fn.header == "define double @f(ptr noalias %a, ptr %b, double %s, i64 %n) #1 {"
    assert fn.noalias_args == ("%a",)
    assert module.function("g").noalias_args == ()
    assert fn.attribute("target-cpu") == "haswell"
    assert fn.attribute("target-features") == "+avx,+avx2,+fma"
    assert module.function("g").attribute("target-cpu") == ""
    assert [(a.kind, a.type, a.text) for a in fn.args] == [
        (VALUE, "ptr", "%a"), (VALUE, "ptr", "%b"), (VALUE, "double", "%s"), (VALUE, "i64", "%n")]
    assert [b.label for b in fn.blocks] == ["entry", "loop", "exit"]
    assert [b.id for b in fn.blocks] == ["f:entry", "f:loop", "f:exit"]
    assert module.function("g").blocks[0].label == "bb0"  # unnamed entry block


def test_entry_block_instructions(module):
    entry = module.function("f").blocks[0]
    assert [(i.idx, i.opcode, i.kind, i.name, i.type) for i in entry.instrs] == [
        (0, "load", LOAD, "0", "double"),
        (1, "getelementptr", PURE, "p1", "ptr"),
        (2, "getelementptr", PURE, "p2", "ptr"),
        (3, "load", LOAD, "1", "double"),
        (4, "fneg", PURE, "neg", "double"),
        (5, "call", PURE, "m", "double"),
        (6, "call", BARRIER, "", "void"),
        (7, "store", STORE, "", "void"),
        (8, "fadd", PURE, "2", "double"),
        (9, "br", TERMINATOR, "", "void"),
    ]
    assert [i.callee for i in entry.instrs] == [
        "", "", "", "", "", "llvm.fmuladd.f64", "ext", "", "", ""]
    assert [i.ref for i in entry.instrs[:6]] == ["%0", "%p1", "%p2", "%1", "%neg", "%m"]
    load0, gep1, gep2, load1, neg, fma, ext, store, add, br = entry.instrs
    assert ops(load0) == [(VALUE, "ptr", "%a", None)]
    assert ops(gep1) == [(VALUE, "ptr", "%b", None), (CONST, "i64", "8", None)]
    assert ops(gep2) == [(LOCAL, "ptr", "%p1", 1), (VALUE, "i64", "%n", None)]
    assert ops(load1) == [(LOCAL, "ptr", "%p2", 2)]
    assert ops(neg) == [(LOCAL, "double", "%0", 0)]
    assert ops(fma) == [(LOCAL, "double", "%neg", 4), (VALUE, "double", "%s", None),
                        (LOCAL, "double", "%1", 3), (GLOBAL, "ptr", "@llvm.fmuladd.f64", None)]
    assert ops(ext) == [(LOCAL, "double", "%m", 5), (GLOBAL, "ptr", "@ext", None)]
    assert ops(store) == [(LOCAL, "double", "%m", 5), (VALUE, "ptr", "%a", None)]
    assert ops(add) == [(LOCAL, "double", "%1", 3), (CONST, "double", "1.000000e+00", None)]
    assert ops(br) == [(LABEL, "label", "%loop", None)]
    # texts are LLVM's printing, alignment included; lines index the canonical text
    assert load1.text == "%1 = load double, ptr %p2, align 4"
    assert store.text == "store double %m, ptr %a, align 16"
    assert add.text == "%2 = fadd double %1, 1.000000e+00"
    assert fma.text == "%m = call double @llvm.fmuladd.f64(double %neg, double %s, double %1)"
    lines = module.text.splitlines()
    assert all(lines[i.line - 1] == "  " + i.text for i in entry.instrs)
    assert [i.line for i in entry.instrs] == list(range(entry.instrs[0].line,
                                                        entry.instrs[0].line + 10))
    assert [i.is_memory for i in entry.instrs] == [
        True, False, False, True, False, False, False, True, False, False]
    # %0 is used in %loop, %m by the phi, %2 in %exit
    assert entry.live_out == (0, 5, 8)


def test_loop_and_exit_blocks(module):
    _, loop, exit_ = module.function("f").blocks
    assert [(i.opcode, i.kind, i.name) for i in loop.instrs] == [
        ("phi", PHI, "ph"), ("phi", PHI, "i"), ("fadd", PURE, "acc"),
        ("add", PURE, "i.next"), ("icmp", PURE, "done"), ("br", TERMINATOR, "")]
    ph, i, acc, inc, done, br = loop.instrs
    # phi operands are the incoming values; a back-edge value of the same
    # block is LOCAL with a later index (allowed for phis only)
    assert ops(ph) == [(VALUE, "double", "%m", None), (LOCAL, "double", "%acc", 2)]
    assert ops(i) == [(CONST, "i64", "0", None), (LOCAL, "i64", "%i.next", 3)]
    assert ops(acc) == [(LOCAL, "double", "%ph", 0), (VALUE, "double", "%0", None)]
    assert ops(inc) == [(LOCAL, "i64", "%i", 1), (CONST, "i64", "1", None)]
    assert ops(done) == [(LOCAL, "i64", "%i.next", 3), (VALUE, "i64", "%n", None)]
    assert done.type == "i1"
    # LLVM's operand order for a conditional branch: condition, false, true
    assert ops(br) == [(LOCAL, "i1", "%done", 4), (LABEL, "label", "%loop", None),
                       (LABEL, "label", "%exit", None)]
    # %acc is used in %exit and by the phi; %i.next by the phi (back edge)
    assert loop.live_out == (2, 3)
    r, ret = exit_.instrs
    assert ops(r) == [(VALUE, "double", "%acc", None), (VALUE, "double", "%2", None)]
    assert ops(ret) == [(LOCAL, "double", "%r", 0)]
    assert exit_.live_out == ()


def test_vector_constants_and_metadata():
    module = parse_module("""
define <4 x float> @v(<4 x float> %x, ptr %p) {
  %a = fadd <4 x float> %x, <float 1.0, float 2.0, float 3.0, float 4.0>
  %b = shufflevector <4 x float> %a, <4 x float> poison, <4 x i32> <i32 3, i32 2, i32 1, i32 0>
  %c = select <4 x i1> zeroinitializer, <4 x float> %b, <4 x float> %a
  store <4 x float> %c, ptr %p, align 16, !nontemporal !0
  ret <4 x float> %c
}
!0 = !{i32 1}
""")
    a, b, c, store, _ = module.functions[0].blocks[0].instrs
    assert a.type == "<4 x float>"
    assert ops(a)[1] == (CONST, "<4 x float>", "<float 1.000000e+00, float 2.000000e+00, "
                         "float 3.000000e+00, float 4.000000e+00>", None)
    # as in LLVM, a shufflevector's mask is not an operand: it is in the text only
    assert ops(b) == [(LOCAL, "<4 x float>", "%a", 0), (CONST, "<4 x float>", "poison", None)]
    assert b.text.endswith("<4 x i32> <i32 3, i32 2, i32 1, i32 0>")
    assert ops(c)[0] == (CONST, "<4 x i1>", "zeroinitializer", None)
    assert store.kind == STORE and store.text.endswith("align 16, !nontemporal !0")


def test_inline_asm_callee_is_meta():
    module = parse_module("""
define i32 @asm() {
  %r = call i32 asm "movl $$1, $0", "=r"()
  ret i32 %r
}
""")
    call = module.functions[0].blocks[0].instrs[0]
    assert (call.kind, call.callee) == (BARRIER, "")
    assert [o.kind for o in call.operands] == [META]


UNNAMED = """
define i32 @u(ptr noalias %0, i32 %1) {
  %3 = icmp sgt i32 %1, 0
  br i1 %3, label %4, label %7

4:
  %5 = load i32, ptr %0, align 4
  %6 = add nsw i32 %5, %1
  br label %7

7:
  %8 = phi i32 [ %6, %4 ], [ 0, %2 ]
  ret i32 %8
}
"""


def test_unnamed_values_and_blocks():
    module = parse_module(UNNAMED)
    fn = module.functions[0]
    assert [a.text for a in fn.args] == ["%0", "%1"] and fn.noalias_args == ("%0",)
    assert [b.label for b in fn.blocks] == ["bb0", "4", "7"]
    first, body, join = fn.blocks
    assert [i.name for i in first.instrs] == ["3", ""]
    assert ops(body.instrs[0]) == [(VALUE, "ptr", "%0", None)]
    assert ops(body.instrs[1]) == [(LOCAL, "i32", "%5", 0), (VALUE, "i32", "%1", None)]
    assert ops(join.instrs[0]) == [(VALUE, "i32", "%6", None), (CONST, "i32", "0", None)]
    assert (first.live_out, body.live_out, join.live_out) == ((), (1,), ())


def test_unnamed_block_label_operands():
    fn = parse_module(UNNAMED).functions[0]
    assert [o.text for o in fn.blocks[0].instrs[1].operands[1:]] == ["%7", "%4"]
    assert [o.text for o in fn.blocks[1].instrs[2].operands] == ["%7"]


QUOTED = """
define float @q(float %"x y") {
entry:
  %"a b" = fadd float %"x y", 1.0
  %c = fmul float %"a b", %"a b"
  ret float %c
}
"""


def test_quoted_names_keep_their_quotes():
    (block,) = parse_module(QUOTED).functions[0].blocks
    add, mul, _ = block.instrs
    assert add.name == "a b"
    assert add.ref == '%"a b"'
    assert [o.text for o in add.operands] == ['%"x y"', "1.000000e+00"]
    assert [o.text for o in mul.operands] == ['%"a b"', '%"a b"']
