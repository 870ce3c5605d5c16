"""An index extended from an add/sub that may wrap (``sext(j - 3)`` without
``nsw``) is at least 3 from ``sext(j)``: rows ``sext(j - 3)`` and
``sext(j)`` of one array are then at least 3 rows apart, LLVM's BasicAA
rule for two indices whose scales cancel (NPB LU's ``erhs``/``rhs``: the row
read at ``j - 3`` and the one written at ``j`` minus two rows were "may
alias", which kept every store and load of those rows out of the packs)."""

import pytest

from slpvec.analysis.address import may_alias
from slpvec.analysis.candidates import candidate_packs
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.ir.datalayout import X86_64_LINUX
from slpvec.target import cpu_target
from slpvec.tools.validate import validate_modules

from .test_alias_agreement import _agrees
from .test_objects import addresses, function, module_text

CARRIES = """
entry:
  %minus3 = add i32 %j, -3
  %row3 = sext i32 %minus3 to i64
  %row = sext i32 %j to i64
  br label %body
body:
  %at3 = getelementptr inbounds [5 x double], ptr %p, i64 %row3
  %at3.8 = getelementptr inbounds nuw i8, ptr %at3, i64 8
  %rowp = getelementptr [5 x double], ptr %p, i64 %row
  %two_back = getelementptr i8, ptr %rowp, i64 -80
  %three_back = getelementptr i8, ptr %rowp, i64 -120
  %x0 = load double, ptr %at3, align 8
  %x1 = load double, ptr %at3.8, align 8
  store double %x0, ptr %two_back, align 8
  store double %x1, ptr %three_back, align 8
  ret void
"""


def test_rows_of_a_wrapping_index_are_at_least_its_constant_apart():
    at3, at3_8, two_back, three_back = addresses(function(CARRIES))
    assert at3.shifts and not two_back.shifts
    # row j-3 against row j-2 (j's row minus 80 bytes): never the same bytes
    assert not may_alias(at3, two_back) and not may_alias(at3_8, two_back)
    assert not may_alias(two_back, at3_8)
    # row j-3 against row j minus 120 bytes: the same row (when j-3 does not
    # wrap); and 8 bytes into it, LLVM no longer knows (3 rows, less 8 bytes)
    assert may_alias(at3, three_back) and may_alias(at3_8, three_back)


def test_claims_about_wrapping_indices_are_llvm_no_alias():
    assert _agrees(parse_module(module_text(CARRIES))) >= 3


def test_a_row_read_before_the_next_row_is_stored_packs():
    """Loads of row j-3 interleaved with stores to row j-2 (LU's erhs shape):
    the two loads pack only if the store between them cannot hit the second."""
    body = CARRIES.replace("""  %x1 = load double, ptr %at3.8, align 8
  store double %x0, ptr %two_back, align 8""", """  store double %x0, ptr %two_back, align 8
  %x1 = load double, ptr %at3.8, align 8""")
    fn = function(body)
    block = next(b for b in fn.blocks if b.label == "body")
    packs = candidate_packs(block, cpu_target("haswell"), fn).packs
    loads = [ins.idx for ins in block.instrs if ins.opcode == "load"]
    assert tuple(loads) in [p.lanes for p in packs]


# LU erhs's shape: row j-3 of u read, updated and written back, row j-2 of u
# (j's row less 80 bytes, through a GEP without inbounds) written from it.
ERHS_ROWS = "\n".join([
    f'target datalayout = "{X86_64_LINUX}"',
    'target triple = "x86_64-pc-linux-gnu"',
    "define void @f(ptr %u, ptr noalias %v, i32 %j, double %c) {",
    "entry:",
    "  %minus3 = add i32 %j, -3",
    "  %row3 = sext i32 %minus3 to i64",
    "  %row = sext i32 %j to i64",
    "  %at3 = getelementptr inbounds [5 x double], ptr %u, i64 %row3",
    "  %rowp = getelementptr [5 x double], ptr %u, i64 %row",
    "  %at2 = getelementptr i8, ptr %rowp, i64 -80",
    *(line for k in range(4) for line in (
        f"  %a3.{k} = getelementptr inbounds i8, ptr %at3, i64 {8 * k}",
        f"  %a2.{k} = getelementptr i8, ptr %at2, i64 {8 * k}",
        f"  %v.{k} = getelementptr inbounds double, ptr %v, i64 {k}",
        f"  %x.{k} = load double, ptr %a3.{k}, align 8",
        f"  %w.{k} = load double, ptr %v.{k}, align 8",
        f"  %y.{k} = call double @llvm.fmuladd.f64(double %c, double %w.{k}, double %x.{k})",
        f"  store double %y.{k}, ptr %a3.{k}, align 8",
        f"  %z.{k} = fmul double %y.{k}, %w.{k}",
        f"  store double %z.{k}, ptr %a2.{k}, align 8")),
    "  ret void",
    "}",
    "declare double @llvm.fmuladd.f64(double, double, double)",
    ""])


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_rows_apart_vectorize_and_compute_what_the_input_does(policy):
    out, _ = run_slp(ERHS_ROWS, policy, cpu_target("haswell"))
    assert "store <4 x double>" in out and "@llvm.fmuladd.v4f64" in out
    result = validate_modules(ERHS_ROWS, out, seeds=3)
    assert result.ok and not result.mismatches and not result.inconclusive, result
