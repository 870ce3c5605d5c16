"""optnone functions are never vectorized: no LLVM pass may change one (LLVM's
SLP skips it), whether slpvec runs from the plugin or on a module's text."""

from slpvec.driver import run_slp

BODY = """entry:
  %x0 = load double, ptr @a, align 16
  %x1 = load double, ptr getelementptr inbounds (i8, ptr @a, i64 8), align 8
  %y0 = fmul double %x0, 2.0
  %y1 = fmul double %x1, 2.0
  store double %y0, ptr @b, align 16
  store double %y1, ptr getelementptr inbounds (i8, ptr @b, i64 8), align 8
  ret void
}
"""
# the same block twice: in an optnone function and in a plain one
MODULE = ("@a = global [4 x double] zeroinitializer\n@b = global [4 x double] zeroinitializer\n"
          f"define void @keep() #0 {{\n{BODY}define void @change() {{\n{BODY}"
          "attributes #0 = { noinline nounwind optnone }\n")


def test_optnone_function_stays_scalar():
    text, report = run_slp(MODULE, "greedy")
    keep = text.split("define void @keep()")[1].split("}")[0]
    change = text.split("define void @change()")[1].split("}")[0]
    assert "x double>" not in keep and "x double>" in change
    reasons = {b.block_id: b.scalar_reason for b in report.blocks}
    assert "optnone" in reasons["keep:entry"]
