"""Which terms of an address may have wrapped, term by term (LLVM BasicAA's
per-index ``nsw``): a term both accesses have with one coefficient cancels
whether it wrapped or not, so the whole coefficient of a term only one has
still counts. NPB SP's ``lhsinit`` unrolled by two on znver4: plane ``i+1``
(an index with a constant, so no ``nsw`` for it) made every access of plane
``i`` inexact too, rows ``0`` and ``n`` of one plane became "may alias" and
the block had no candidate (LLVM: 136 -> 64)."""

from slpvec.analysis.address import may_alias
from slpvec.analysis.candidates import candidate_packs
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.target import cpu_target
from slpvec.tools.validate import validate_modules

from .test_alias_agreement import _agrees
from .test_objects import addresses, function, module_text

PLANES = """
entry:
  %jj = sext i32 %j to i64
  br label %body
body:
  %plane = getelementptr inbounds [33 x [5 x double]], ptr @g, i64 %i
  %row_n = getelementptr inbounds [5 x double], ptr %plane, i64 %jj
  %i1 = add nuw nsw i64 %i, 1
  %next = getelementptr inbounds [33 x [5 x double]], ptr @g, i64 %i1
  %next8 = getelementptr inbounds i8, ptr %next, i64 8
  %plane8 = getelementptr inbounds i8, ptr %plane, i64 8
  store double 0.0, ptr %plane, align 8
  store double 0.0, ptr %row_n, align 8
  store double 0.0, ptr %next8, align 8
  store double 1.0, ptr %plane8, align 8
  ret void
"""


def test_a_wrapping_term_both_have_cancels():
    plane, row_n, next8, plane8 = addresses(function(PLANES))
    assert "%i" in next8.wrapping and "sext(%j)" not in row_n.wrapping
    # row n (n scaled by 40 without wrapping) against plane i+1's byte 8
    assert not may_alias(row_n, next8) and not may_alias(next8, row_n)
    # row n against plane i's byte 8, though plane i+1 is in plane i's class
    assert not may_alias(row_n, plane8)
    assert may_alias(plane, row_n)


def test_a_wrapping_term_only_one_has_counts_by_its_lowest_bit():
    """Row n+1 (n + 1 scaled by 40: no nsw for n) against plane i's byte 8:
    only 40's power-of-two part, 8, is known, and byte 8 is a multiple."""
    body = PLANES.replace("i64 %jj\n", "i64 %jj1\n").replace(
        "  br label", "  %jj1 = add nsw i64 %jj, 1\n  br label")
    plane, row_n1, next8, plane8 = addresses(function(body))
    assert "sext(%j)" in row_n1.wrapping and may_alias(row_n1, plane8)


def test_claims_about_cancelled_wrapping_terms_are_llvm_no_alias():
    assert _agrees(parse_module(module_text(PLANES))) >= 3


def test_stores_around_another_row_pack():
    """plane i bytes 0 and 8 pack across the stores to row n and plane i+1."""
    fn = function(PLANES)
    block = next(b for b in fn.blocks if b.label == "body")
    stores = [ins.idx for ins in block.instrs if ins.opcode == "store"]
    packs = [p.lanes for p in candidate_packs(block, cpu_target("haswell"), fn).packs]
    assert (stores[0], stores[3]) in packs


def test_planes_vectorized_compute_what_the_input_does():
    """The same shape through an argument (planes of 3 rows: the random
    indices stay inside the validator's buffers), two more plane-i stores."""
    body = PLANES.replace("[33 x [5 x double]], ptr @g", "[3 x [5 x double]], ptr %p")
    text = module_text(body.replace("  ret void", "\n".join(
        f"  %c{k} = getelementptr inbounds i8, ptr %plane, i64 {8 * k}\n"
        f"  store double {k}.5, ptr %c{k}, align 8" for k in (2, 3)) + "\n  ret void"))
    out, _ = run_slp(text, "ilp", cpu_target("haswell"))
    assert "store <4 x double>" in out
    result = validate_modules(text, out, seeds=2)
    assert result.ok and not result.mismatches and not result.inconclusive, result
