"""Exact candidate sets for hand-written blocks."""

import pytest

from slpvec.analysis import candidate_packs
from slpvec.ir import parse_module
from slpvec.target import Target

AVX2 = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
SSE = Target("x86_64-pc-linux-gnu", "x86-64", "", 128)

# Lane k of "a[slot(k)] = b[k] + c[k]" is 7 instructions starting at 7*k:
# gep b, load b, gep c, load c, fadd, gep a, store.
GEP_B, LOAD_B, GEP_C, LOAD_C, ADD, GEP_A, STORE = range(7)


def lanes_ir(slots_a, slots_bc=None, elem="float", noalias=True):
    """One block computing a[slots_a[k]] = b[slots_bc[k]] + c[slots_bc[k]]."""
    slots_bc = slots_bc or list(range(len(slots_a)))
    op = "fadd" if elem in ("float", "double") else "add"
    na = "noalias " if noalias else ""
    body = []
    for k, (sa, sb) in enumerate(zip(slots_a, slots_bc)):
        body += [f"%pb{k} = getelementptr inbounds {elem}, ptr %b, i64 {sb}",
                 f"%b{k} = load {elem}, ptr %pb{k}, align 4",
                 f"%pc{k} = getelementptr inbounds {elem}, ptr %c, i64 {sb}",
                 f"%c{k} = load {elem}, ptr %pc{k}, align 4",
                 f"%s{k} = {op} {elem} %b{k}, %c{k}",
                 f"%pa{k} = getelementptr inbounds {elem}, ptr %a, i64 {sa}",
                 f"store {elem} %s{k}, ptr %pa{k}, align 4"]
    lines = "\n  ".join(body)
    return (f"define void @f(ptr {na}%a, ptr {na}%b, ptr {na}%c) {{\nentry:\n  {lines}\n"
            "  ret void\n}\n")


def candidates(ir, target=AVX2):
    module = parse_module(ir)
    fn = module.functions[0]
    return {p.lanes for p in candidate_packs(fn.blocks[0], target, fn).packs}


def lane(k, field):
    return 7 * k + field


def chains(fields, ks):
    """The pack of each field over lanes ks."""
    return {tuple(lane(k, f) for k in ks) for f in fields}


def test_adjacent_four_lanes():
    expected = set()
    for ks in ([0, 1], [1, 2], [2, 3], [0, 1, 2, 3]):
        expected |= chains([LOAD_B, LOAD_C, ADD, STORE], ks)
    assert candidates(lanes_ir([0, 1, 2, 3])) == expected
    assert len(expected) == 16


def test_width_is_bounded_by_the_vector_register():
    # 4 doubles do not fit 128 bits: only pairs.
    got = candidates(lanes_ir([0, 1, 2, 3], elem="double"), SSE)
    assert {len(p) for p in got} == {2}
    assert len(got) == 12
    # 8 floats fit 256 bits: width 8 appears, 16 lanes would not.
    got8 = candidates(lanes_ir(list(range(8))))
    assert max(len(p) for p in got8) == 8


def test_reversed_store_order_gives_both_lane_orders():
    got = candidates(lanes_ir([3, 2, 1, 0]))
    # stores in address order = reverse program order
    assert (lane(3, STORE), lane(2, STORE), lane(1, STORE), lane(0, STORE)) in got
    assert (lane(0, STORE), lane(1, STORE)) not in got
    # adds appear in both orders: grown from the stores and from the loads
    assert (lane(3, ADD), lane(2, ADD), lane(1, ADD), lane(0, ADD)) in got
    assert (lane(0, ADD), lane(1, ADD), lane(2, ADD), lane(3, ADD)) in got
    expected = set()
    for ks in ([0, 1], [1, 2], [2, 3], [0, 1, 2, 3]):
        expected |= chains([LOAD_B, LOAD_C, ADD], ks)
        expected |= chains([STORE, ADD], list(reversed(ks)))
    assert got == expected


def test_gaps_break_adjacency():
    # a[0], a[2], a[3] (and the same for b, c): only lanes 1 and 2 are adjacent
    got = candidates(lanes_ir([0, 2, 3], [0, 2, 3]))
    assert got == chains([LOAD_B, LOAD_C, ADD, STORE], [1, 2])


ALIAS_IR = """
define void @alias(ptr {na}%p, ptr {na}%q) {{
entry:
  %x = load float, ptr %q, align 4
  store float %x, ptr %p, align 4
  %q1 = getelementptr inbounds float, ptr %q, i64 1
  %y = load float, ptr %q1, align 4
  %p1 = getelementptr inbounds float, ptr %p, i64 1
  store float %y, ptr %p1, align 4
  ret void
}}
"""


def test_unknown_pointers_may_alias():
    # store p[0] may clobber q[1]: both the loads and the stores become dependent
    assert candidates(ALIAS_IR.format(na="")) == set()
    assert candidates(ALIAS_IR.format(na="noalias ")) == {(0, 3), (1, 5)}


def test_dependence_chain_makes_lanes_dependent():
    ir = """
define void @chain(ptr noalias %a, float %x0) {
entry:
  %x1 = fadd float %x0, 1.0
  %x2 = fadd float %x1, 1.0
  store float %x1, ptr %a, align 4
  %a1 = getelementptr inbounds float, ptr %a, i64 1
  store float %x2, ptr %a1, align 4
  ret void
}
"""
    assert candidates(ir) == {(2, 4)}


def test_mixed_types_do_not_pack():
    ir = """
define void @mixed(ptr noalias %a, ptr noalias %b) {
entry:
  %f = load float, ptr %b, align 4
  %b1 = getelementptr inbounds i8, ptr %b, i64 4
  %i = load i32, ptr %b1, align 4
  store float %f, ptr %a, align 4
  %a1 = getelementptr inbounds i8, ptr %a, i64 4
  store i32 %i, ptr %a1, align 4
  %b2 = getelementptr inbounds i8, ptr %b, i64 8
  %j = load i32, ptr %b2, align 4
  %a2 = getelementptr inbounds i8, ptr %a, i64 8
  store i32 %j, ptr %a2, align 4
  ret void
}
"""
    assert candidates(ir) == {(2, 7), (5, 9)}


LOOP_IR = """
define void @loop(ptr noalias %a, ptr noalias %b, i32 %i) {{
entry:
  %i1 = add {flags}i32 %i, 1
  %e0 = sext i32 %i to i64
  %e1 = sext i32 %i1 to i64
  %pb0 = getelementptr inbounds double, ptr %b, i64 %e0
  %pb1 = getelementptr inbounds double, ptr %b, i64 %e1
  %v0 = load double, ptr %pb0, align 8
  %v1 = load double, ptr %pb1, align 8
  %m0 = fmul double %v0, %v0
  %m1 = fmul double %v1, %v1
  %pa0 = getelementptr inbounds double, ptr %a, i64 %e0
  %pa1 = getelementptr inbounds double, ptr %a, i64 %e1
  store double %m0, ptr %pa0, align 8
  store double %m1, ptr %pa1, align 8
  ret void
}}
"""


def test_sext_of_nsw_index_is_consecutive():
    assert candidates(LOOP_IR.format(flags="nsw ")) == {(5, 6), (7, 8), (11, 12)}


def test_sext_without_nsw_is_not_assumed_consecutive():
    # i32 %i + 1 may wrap: sext(%i + 1) != sext(%i) + 1, so no adjacency
    assert candidates(LOOP_IR.format(flags="")) == set()


def test_phi_call_and_terminator_are_never_packed():
    ir = """
declare void @g()
define void @f(ptr noalias %a, float %x, float %y) {
entry:
  br label %body
body:
  %p = phi float [ %x, %entry ]
  %q = phi float [ %y, %entry ]
  call void @g()
  store float %p, ptr %a, align 4
  %a1 = getelementptr inbounds float, ptr %a, i64 1
  store float %q, ptr %a1, align 4
  ret void
}
"""
    module = parse_module(ir)
    fn = module.functions[0]
    got = {p.lanes for p in candidate_packs(fn.blocks[1], AVX2, fn).packs}
    assert got == {(3, 5)}


SEMANTIC_IR = """
declare i32 @llvm.abs.i32(i32, i1 immarg)
define void @f(ptr %p, i32 %a, i32 %b, float %x, float %y) {
entry:
  %c0 = icmp samesign ult i32 %a, %b
  %c1 = icmp samesign ugt i32 %a, %b
  %c2 = icmp ult i32 %a, %b
  %f0 = fcmp fast olt float %x, %y
  %f1 = fcmp fast ogt float %x, %y
  %f2 = fcmp nnan olt float %x, %y
  %abs0 = call i32 @llvm.abs.i32(i32 %a, i1 true)
  %abs1 = call i32 @llvm.abs.i32(i32 %b, i1 false)
  %abs2 = call i32 @llvm.abs.i32(i32 %b, i1 true)
  %and = and i1 %c0, %c1
  %sel = select i1 %c0, i32 %a, i32 %b
  store i1 %c0, ptr %p, align 1
  %l1 = load i1, ptr %p, align 1
  %l8 = load i8, ptr %p, align 1
  store i8 %l8, ptr %p, align 1
  ret void
}
"""


@pytest.fixture(scope="module")
def semantic():
    block = parse_module(SEMANTIC_IR).functions[0].blocks[0]
    return {ins.name or f"{ins.opcode}{ins.idx}": ins for ins in block.instrs}


@pytest.mark.parametrize("a, b, same", [
    ("c0", "c1", False),  # samesign ult / samesign ugt: the flag is not the predicate
    ("c0", "c2", True),   # one predicate; flags are intersected, not compared
    ("f0", "f1", False),
    ("f0", "f2", True),
    ("abs0", "abs1", False),  # immediate arguments must agree
    ("abs0", "abs2", True),
])
def test_signature_compares_predicates_and_immediates(semantic, a, b, same):
    from slpvec.analysis import signature
    assert (signature(semantic[a]) == signature(semantic[b])) is same


@pytest.mark.parametrize("name, packable", [
    ("c0", True), ("and", True), ("sel", True),  # i1 values in registers pack
    ("store11", False), ("l1", False),  # i1 in memory: <8 x i1> is 1 byte, not 8
    ("l8", True), ("store14", True),
])
def test_memory_is_packable_only_in_whole_bytes(semantic, name, packable):
    from slpvec.analysis import is_packable
    assert is_packable(semantic[name]) is packable
