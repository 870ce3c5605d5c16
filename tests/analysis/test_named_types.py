"""Identified struct types (``%struct.dcomplex = type { double, double }``):
GEPs through them get exact byte offsets from the type's body, so the complex
arithmetic of NPB FT (re/im fields of a named struct) has consecutive
accesses; an opaque or unknown name is left as it is (never sized)."""

import pytest

from slpvec.analysis.address import AddressAnalysis
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.ir.typesize import literal_type
from slpvec.tools.validate import validate_modules



def addresses(text: str) -> dict[str, object]:
    """Address of each load/store of the first function, by the name of the
    loaded value or of the stored value's pointer operand."""
    fn = parse_module(text).functions[0]
    found = AddressAnalysis(fn.blocks[0], fn).addresses()
    instrs = fn.blocks[0].instrs
    return {(instrs[i].ref if instrs[i].opcode == "load" else instrs[i].operands[1].text): a
            for i, a in found.items()}

LAYOUT = ('target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-'
          'f80:128-n8:16:32:64-S128"\ntarget triple = "x86_64-pc-linux-gnu"\n')

NAMED = LAYOUT + """%struct.dcomplex = type { double, double }
%"struct.pair x" = type { i32, [2 x %struct.dcomplex] }

define void @scale(ptr noalias %out, ptr noalias %in, double %s) {
entry:
  %re = load double, ptr %in, align 8
  %imp = getelementptr inbounds %struct.dcomplex, ptr %in, i64 0, i32 1
  %im = load double, ptr %imp, align 8
  %a = fmul double %re, %s
  %b = fmul double %im, %s
  store double %a, ptr %out, align 8
  %oim = getelementptr inbounds %struct.dcomplex, ptr %out, i64 0, i32 1
  store double %b, ptr %oim, align 8
  %p1 = getelementptr inbounds %"struct.pair x", ptr %in, i64 1, i32 1, i64 1, i32 0
  %p2 = getelementptr inbounds %"struct.pair x", ptr %in, i64 1, i32 1, i64 1, i32 1
  %x = load double, ptr %p1, align 8
  %y = load double, ptr %p2, align 8
  %x2 = fadd double %x, %s
  %y2 = fadd double %y, %s
  %o1 = getelementptr inbounds %"struct.pair x", ptr %out, i64 1, i32 1, i64 1, i32 0
  %o2 = getelementptr inbounds %"struct.pair x", ptr %out, i64 1, i32 1, i64 1, i32 1
  store double %x2, ptr %o1, align 8
  store double %y2, ptr %o2, align 8
  ret void
}
"""


def test_literal_type_substitutes_nested_named_types():
    named = {"%struct.c": "{ double, double }", '%"s p"': "<{ i8, %struct.c }>",
             "%struct.o": "opaque"}
    assert literal_type("[2 x %struct.c]", named) == "[2 x { double, double }]"
    assert literal_type('%"s p"', named) == "<{ i8, { double, double } }>"
    assert literal_type("%struct.o", named) == "%struct.o"  # opaque: never sized
    assert literal_type("%struct.unknown", named) == "%struct.unknown"
    assert literal_type("{ i32, ptr }", named) == "{ i32, ptr }"


def test_the_parser_records_the_module_type_definitions():
    fn = parse_module(NAMED).functions[0]
    assert dict(fn.named_types) == {"%struct.dcomplex": "{ double, double }",
                                    '%"struct.pair x"': "{ i32, [2 x %struct.dcomplex] }"}


def test_gep_offsets_through_named_structs():
    # pair: i32 at 0, the array at 8 (double alignment), 40 bytes in all;
    # in[1].arr[1].im is at 40 + 8 + 16 + 8 = 72
    found = addresses(NAMED)
    assert {found[n].root for n in ("%re", "%im", "%x", "%y")} == {"%in"}
    assert [found[n].offset for n in ("%re", "%im", "%x", "%y")] == [0, 8, 64, 72]
    assert found["%oim"].offset == 8 and found["%o2"].offset == 72


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_named_struct_fields_vectorize_and_validate(policy):
    out, report = run_slp(NAMED, policy)
    (block,) = report.blocks
    assert sum(len(pack) == 2 for pack in block.packs) >= 4, block.packs
    result = validate_modules(NAMED, out)
    assert not result.mismatches and not result.error, result
    assert all(o.conclusive == o.runs > 0 for o in result.outcomes), result


def test_a_packed_named_struct_has_unaligned_fields():
    text = LAYOUT + """%struct.pk = type <{ i8, double }>
define void @f(ptr noalias %p) {
entry:
  %q = getelementptr inbounds %struct.pk, ptr %p, i64 1, i32 1
  store double 1.0, ptr %q, align 1
  ret void
}
"""
    assert addresses(text)["%q"].offset == 10  # one 9-byte struct, then field 1 at 1  # 