"""Exact fields of the IR model for a hand-written function."""

from slpvec.ir import CONST, GLOBAL, LOCAL, VALUE, parse_module

IR = """
declare void @ext(double)

define double @f(ptr noalias %a, ptr %b, double %s) #0 {
entry:
  %0 = load double, ptr %a, align 8
  %p1 = getelementptr inbounds i8, ptr %b, i64 8
  %1 = load double, ptr %p1, align 8
  %neg = fneg double %0
  %m = call double @llvm.fmuladd.f64(double %neg, double %s, double %1)
  call void @ext(double %m)
  store double %m, ptr %a, align 16
  br label %next
next:
  %ph = phi double [ %m, %entry ]
  %r = fadd double %ph, %0
  ret double %r
}

attributes #0 = { "target-cpu"="haswell" "target-features"="+avx2" }
"""


def test_fields():
    module = parse_module(IR)
    (fn,) = module.functions
    assert fn.name == "f" and fn.noalias_args == ("%a",)
    assert fn.attribute("target-cpu") == "haswell"
    assert [a.text for a in fn.args] == ["%a", "%b", "%s"]
    entry, nxt = fn.blocks
    assert (entry.label, nxt.label) == ("entry", "next")
    assert [(i.opcode, i.kind, i.name) for i in entry.instrs] == [
        ("load", "load", "0"), ("getelementptr", "pure", "p1"), ("load", "load", "1"),
        ("fneg", "pure", "neg"), ("call", "pure", "m"), ("call", "barrier", ""),
        ("store", "store", ""), ("br", "term", "")]
    m = entry.instrs[4]
    assert m.callee == "llvm.fmuladd.f64" and m.type == "double"
    assert [(o.kind, o.text, o.index) for o in m.operands] == [
        (LOCAL, "%neg", 3), (VALUE, "%s", None), (LOCAL, "%1", 2),
        (GLOBAL, "@llvm.fmuladd.f64", None)]
    gep = entry.instrs[1]
    assert [(o.kind, o.text) for o in gep.operands] == [(VALUE, "%b"), (CONST, "8")]
    assert entry.instrs[5].callee == "ext"
    # %0 is used by %r in the next block, %m by the phi: both live out
    assert entry.live_out == (0, 4)
    ph, r, _ = nxt.instrs
    assert ph.kind == "phi" and [(o.kind, o.text) for o in ph.operands] == [(VALUE, "%m")]
    assert [(o.kind, o.text, o.index) for o in r.operands] == [(LOCAL, "%ph", 0), (VALUE, "%0", None)]
    assert entry.instrs[6].text == "store double %m, ptr %a, align 16"
