"""Address analysis: sizes and offsets from the module's datalayout, address
arithmetic modulo the index width, roots of global objects."""

import pytest

from slpvec.analysis import build_dependence_graph
from slpvec.analysis.address import ALLOCA, GLOBAL_ROOT, OPAQUE, AddressAnalysis, may_alias
from slpvec.ir import parse_module
from slpvec.ir.datalayout import X86_64_LINUX

I686 = "e-m:e-p:32:32-p270:32:32-p271:32:32-p272:64:64-i128:128-f64:32:64-f80:32-n8:16:32-S128"


def accesses(body: str, layout: str | None = X86_64_LINUX, args: str = "ptr %p, i64 %i",
             globals_: str = ""):
    """Addresses of the loads/stores of a one-block function, in order."""
    header = f'target datalayout = "{layout}"\n' if layout is not None else ""
    fn = parse_module(f"{header}{globals_}\ndefine void @f({args}) {{\nentry:\n  "
                      + "\n  ".join(body.strip().splitlines()) + "\n  ret void\n}\n").functions[0]
    found = AddressAnalysis(fn.blocks[0], fn).addresses()
    return [found[k] for k in sorted(found)]


def test_vec3_steps_by_its_alloc_size_and_touches_its_store_size():
    a = accesses("""
%q = getelementptr <3 x float>, ptr %p, i64 1
store float 1.0, ptr %q, align 4
%r = getelementptr inbounds i8, ptr %p, i64 12
store float 2.0, ptr %r, align 4
store <3 x float> zeroinitializer, ptr %p, align 16
""")
    # <3 x float> is 12 bytes, aligned (so strided) to 16: element 1 is at byte 16,
    # not at byte 12 right after element 0's three floats
    assert [x.offset for x in a] == [16, 12, 0]
    assert a[2].size == 12  # bytes 0-11: the float at byte 12 is outside
    assert not may_alias(a[0], a[2]) and not may_alias(a[1], a[2])


def test_i24_and_x86_fp80_strides_and_sizes():
    a = accesses("""
%q = getelementptr i24, ptr %p, i64 1
store i24 1, ptr %q, align 1
%r = getelementptr x86_fp80, ptr %p, i64 1
store x86_fp80 0xK3FFF8000000000000000, ptr %r, align 16
""")
    assert [(x.offset, x.size) for x in a] == [(4, 3), (16, 10)]


def test_struct_field_offsets_follow_the_datalayout():
    body = """
%q = getelementptr { i32, i64, i32 }, ptr %p, i64 0, i32 2
store i32 1, ptr %q, align 4
%r = getelementptr ptr, ptr %p, i64 3
store i32 2, ptr %r, align 4
"""
    # x86-64: i64 aligned to 8 -> field 2 at 16; i686 (i64 aligned to 4) -> 12
    assert [x.offset for x in accesses(body)] == [16, 24]
    i686 = accesses(body, I686)
    assert [x.offset for x in i686] == [12, 12]  # and pointers are 4 bytes
    assert i686[0].index_bits == 32 and may_alias(i686[0], i686[1])


def test_without_a_datalayout_offsets_llvm_and_the_target_disagree_on_are_unknown():
    # LLVM's default aligns i64 to 4, the JIT and llc use x86-64's 8: unknown
    a = accesses("""
%q = getelementptr { i32, i64 }, ptr %p, i64 0, i32 1
store i64 1, ptr %q, align 4
%r = getelementptr { i32, float }, ptr %p, i64 0, i32 1
store float 1.0, ptr %r, align 4
""", layout=None)
    assert a[0].root_kind == OPAQUE and a[0].root.startswith("?")
    assert (a[1].root, a[1].offset) == ("%p", 4)


def test_named_struct_types_are_sized_from_their_definition():
    a = accesses("""
%q = getelementptr %struct.S, ptr %p, i64 0, i32 1
store float 1.0, ptr %q, align 4
store float 2.0, ptr %p, align 4
""", globals_="%struct.S = type { float, float }")
    assert a[0].root == a[1].root == "%p" and (a[0].offset, a[1].offset) == (4, 0)
    assert not may_alias(a[0], a[1])


def test_non_inbounds_gep_chains_wrap_at_the_index_width():
    # p + (2^63 - 1) + (2^63 - 1) + 1 == p - 1 (mod 2^64): the same byte as p[-1]
    a = accesses("""
%q = getelementptr i8, ptr %p, i64 9223372036854775807
%r = getelementptr i8, ptr %q, i64 9223372036854775807
%s = getelementptr i8, ptr %r, i64 1
store i8 1, ptr %s, align 1
%t = getelementptr i8, ptr %p, i64 -1
%x = load i8, ptr %t, align 1
%u = getelementptr i8, ptr %p, i128 18446744073709551616
store i8 2, ptr %u, align 1
""")
    assert [x.offset for x in a] == [-1, -1, 0]  # an i128 index is truncated
    assert may_alias(a[0], a[1]) and not may_alias(a[1], a[2])


def test_wrapped_stores_are_ordered_with_the_load():
    fn = parse_module(f'target datalayout = "{X86_64_LINUX}"\n' """
define i8 @f(ptr %p) {
entry:
  %q = getelementptr i8, ptr %p, i64 -9223372036854775808
  %r = getelementptr i8, ptr %q, i64 -9223372036854775807
  store i8 1, ptr %r, align 1
  %y = load i8, ptr %p, align 1
  %t = getelementptr i8, ptr %p, i64 1
  %x = load i8, ptr %t, align 1
  ret i8 %x
}
""").functions[0]
    g = build_dependence_graph(fn.blocks[0], fn)
    assert g.reaches(2, 5) and not g.reaches(2, 3)  # p + 1, p + 0


def test_coefficients_wrap_too():
    a = accesses("""
%m = mul i64 %i, 4611686018427387904
%q = getelementptr i32, ptr %p, i64 %m
store i32 1, ptr %q, align 4
%n = shl i64 %i, 63
%r = getelementptr i8, ptr %p, i64 %n
%s = getelementptr i8, ptr %r, i64 4
store i32 2, ptr %s, align 4
%h = mul i64 %i, -9223372036854775808
%t = getelementptr i8, ptr %p, i64 %h
store i32 3, ptr %t, align 4
""")
    # 4 * 2^62 = 2^64 == 0: the term vanishes; 2^63 and -2^63 are one coefficient
    assert (a[0].terms, a[0].offset) == ((), 0)
    assert a[1].terms == a[2].terms == (("%i", -(1 << 63)),)
    assert (a[1].offset, a[2].offset) == (4, 0) and not may_alias(a[1], a[2])


def test_index_width_of_a_32_bit_layout():
    a = accesses("""
%q = getelementptr i8, ptr %p, i32 -1
store i8 1, ptr %q, align 1
%r = getelementptr i8, ptr %p, i64 4294967295
store i8 2, ptr %r, align 1
""", I686)
    assert [(x.offset, x.index_bits) for x in a] == [(-1, 32), (-1, 32)]
    assert may_alias(a[0], a[1])


def test_zext_of_a_nuw_add_reads_its_constant_unsigned():
    a = accesses("""
%j = add nuw i32 %k, -1
%z = zext i32 %j to i64
%q = getelementptr i8, ptr %p, i64 %z
store i8 1, ptr %q, align 1
""", args="ptr %p, i32 %k")
    assert (a[0].terms, a[0].offset) == ((("zext(%k)", 1),), 4294967295)


def test_poison_shift_amounts_stay_opaque_terms():
    a = accesses("""
%n = shl i64 %i, 64
%q = getelementptr i8, ptr %p, i64 %n
store i8 1, ptr %q, align 1
""")
    assert a[0].terms == (("%n", 1),)


def test_addrspacecast_gives_a_new_opaque_root():
    a = accesses("""
%c = addrspacecast ptr %p to ptr addrspace(1)
store i8 1, ptr addrspace(1) %c, align 1
store i8 2, ptr %p, align 1
""")
    # a root of its own, whose underlying object is still %p
    assert a[0].root == "%c" and a[0].objects == {("%p", "arg")} and may_alias(a[0], a[1])


GLOBALS = """
@0 = global [4 x float] zeroinitializer
@1 = global [4 x float] zeroinitializer
@g = global [4 x float] zeroinitializer
@a = alias [4 x float], ptr @g
@b = alias float, getelementptr (i8, ptr @g, i64 4)
"""


def test_unnamed_globals_are_distinct_objects():
    a = accesses("""
store float 1.0, ptr @0, align 4
%q = getelementptr float, ptr @1, i64 1
store float 2.0, ptr %q, align 4
""", globals_=GLOBALS)
    assert [(x.root, x.root_kind) for x in a] == [("@0", GLOBAL_ROOT), ("@1", GLOBAL_ROOT)]
    assert not may_alias(a[0], a[1])


def test_an_alias_is_its_aliasee_and_an_alias_of_an_expression_is_opaque():
    a = accesses("""
%q = getelementptr float, ptr @a, i64 1
store float 1.0, ptr %q, align 4
%r = getelementptr i8, ptr @g, i64 4
%x = load float, ptr %r, align 4
store float 2.0, ptr @b, align 4
%s = alloca float, align 4
store float 3.0, ptr %s, align 4
""", globals_=GLOBALS)
    assert (a[0].root, a[0].offset) == (a[1].root, a[1].offset) == ("@g", 4)
    assert may_alias(a[0], a[1])
    assert a[2].root_kind == OPAQUE and may_alias(a[1], a[2]) and may_alias(a[2], a[3])
    assert a[3].root_kind == ALLOCA


@pytest.mark.parametrize("layout", [X86_64_LINUX, I686, ""])
def test_store_sizes_per_layout(layout):
    a = accesses("""
store ptr null, ptr %p, align 4
store i1 true, ptr %p, align 1
store <3 x i8> zeroinitializer, ptr %p, align 4
""", layout)
    assert [x.size for x in a] == [4 if layout == I686 else 8, 1, 3]


def test_gep_into_vector_and_packed_struct_fields():
    a = accesses("""
%q = getelementptr { i8, <{ i8, i32 }>, <4 x float> }, ptr %p, i64 0, i32 2, i64 3
store float 1.0, ptr %q, align 4
%r = getelementptr { i8, <{ i8, i32 }>, <4 x float> }, ptr %p, i64 1, i32 1, i32 1
store i32 1, ptr %r, align 1
""")
    # the packed struct is at byte 1 (its alignment is 1), its i32 at 1 + 1;
    # the vector at 16, element 3 at 28; the whole struct is 32 bytes
    assert [(x.root, x.offset) for x in a] == [("%p", 28), ("%p", 34)]


def test_a_long_sum_is_one_term():
    # each link of an add chain merged every earlier term: quadratic on big blocks
    chain = ["%s0 = add i64 %i, 1"] + [f"%s{k} = add i64 %s{k - 1}, %v{k}" for k in range(1, 100)]
    args = "ptr %p, i64 %i, " + ", ".join(f"i64 %v{k}" for k in range(1, 100))
    a = accesses("\n".join(chain[:4] + ["%q = getelementptr i8, ptr %p, i64 %s3",
                                        "store i8 0, ptr %q, align 1"]), args=args)
    assert (a[0].terms, a[0].offset) == ((("%i", 1), ("%v1", 1), ("%v2", 1), ("%v3", 1)), 1)
    a = accesses("\n".join(chain + ["%q = getelementptr i8, ptr %p, i64 %s99",
                                    "store i8 0, ptr %q, align 1"]), args=args)
    assert len(a[0].terms) <= 8
