"""Exact dependence-DAG edges and address analysis results."""

from slpvec.analysis import DEF_USE, MEMORY, build_dependence_graph
from slpvec.analysis.address import ALLOCA, ARG, GLOBAL_ROOT, NOALIAS_ARG, AddressAnalysis
from slpvec.ir import parse_module

from .test_candidates import ALIAS_IR


def graph(ir, block=0):
    fn = parse_module(ir).functions[0]
    return build_dependence_graph(fn.blocks[block], fn)


def test_edges_with_memory_dependences():
    g = graph(ALIAS_IR.format(na=""))
    # 0 %x=load q   1 store p   2 %q1=gep   3 %y=load q1   4 %p1=gep   5 store p1   6 ret
    assert g.edges == (
        (0, 1, DEF_USE),   # stored value
        (0, 5, MEMORY),    # load q[0] before store p[1] (p, q may alias)
        (1, 3, MEMORY),    # store p[0] before load q[1]
        (2, 3, DEF_USE),
        (3, 5, DEF_USE),
        (4, 5, DEF_USE),
    )
    assert g.reaches(0, 5) and g.reaches(1, 5) and not g.reaches(1, 0)
    assert not g.independent_lanes((1, 5))


def test_noalias_removes_memory_edges():
    g = graph(ALIAS_IR.format(na="noalias "))
    assert [e for e in g.edges if e[2] == MEMORY] == []
    assert g.independent_lanes((1, 5)) and g.independent_lanes((0, 3))


def test_barrier_orders_all_memory():
    g = graph("""
declare void @g()
define void @f(ptr noalias %a, ptr noalias %b) {
entry:
  %x = load float, ptr %b, align 4
  call void @g()
  store float %x, ptr %a, align 4
  %y = fadd float %x, %x
  ret void
}
""")
    assert g.edges == ((0, 1, MEMORY), (0, 2, DEF_USE), (0, 3, DEF_USE), (1, 2, MEMORY))


def test_store_store_and_load_load():
    g = graph("""
define void @f(ptr %a) {
entry:
  %x = load i32, ptr %a, align 4
  %y = load i32, ptr %a, align 4
  store i32 1, ptr %a, align 4
  store i32 2, ptr %a, align 4
  %a4 = getelementptr inbounds i8, ptr %a, i64 4
  store i32 3, ptr %a4, align 4
  %a2 = getelementptr inbounds i8, ptr %a, i64 2
  %z = load i16, ptr %a2, align 2
  ret void
}
""")
    memory = {(u, v) for u, v, k in g.edges if k == MEMORY}
    # loads never order each other; same-address stores do (WAW); the i16 load at
    # byte 2 overlaps store 1/2 (bytes 0-3) but not store 3 (bytes 4-7)
    assert memory == {(0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (2, 7), (3, 7)}


def test_addresses_through_gep_chains_structs_and_roots():
    fn = parse_module("""
@g = global [8 x i32] zeroinitializer
define void @f(ptr noalias %n, ptr %p, i64 %i) {
entry:
  %s = alloca { i8, double, [4 x i16] }, align 8
  %f2 = getelementptr inbounds { i8, double, [4 x i16] }, ptr %s, i64 0, i32 2, i64 3
  %v = load i16, ptr %f2, align 2
  %row = getelementptr inbounds [4 x float], ptr %p, i64 %i, i64 1
  %x = load float, ptr %row, align 4
  %i3 = shl i64 %i, 3
  %q = getelementptr inbounds i8, ptr %n, i64 %i3
  %q1 = getelementptr inbounds i8, ptr %q, i64 -8
  %y = load double, ptr %q1, align 8
  %gp = getelementptr inbounds [8 x i32], ptr @g, i64 0, i64 5
  %z = load i32, ptr %gp, align 4
  ret void
}
""").functions[0]
    addr = AddressAnalysis(fn.blocks[0], fn).addresses()
    # field 2 of {i8, double, [4 x i16]} is at byte 16; element 3 adds 6
    assert (addr[2].root, addr[2].root_kind, addr[2].terms, addr[2].offset, addr[2].size) == \
        ("%s", ALLOCA, (), 22, 2)
    # [4 x float] rows: 16 bytes per %i, element 1 at byte 4
    assert (addr[4].root_kind, addr[4].terms, addr[4].offset) == (ARG, (("%i", 16),), 4)
    assert (addr[8].root_kind, addr[8].terms, addr[8].offset) == (NOALIAS_ARG, (("%i", 8),), -8)
    assert (addr[10].root, addr[10].root_kind, addr[10].offset) == ("@g", GLOBAL_ROOT, 20)
