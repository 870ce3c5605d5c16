"""Exact dependence-DAG edges and address analysis results."""

import pytest

from slpvec.analysis import DEF_USE, MEMORY, build_dependence_graph
from slpvec.analysis.address import ALLOCA, ARG, GLOBAL_ROOT, NOALIAS_ARG, AddressAnalysis
from slpvec.ir import parse_module
from slpvec.ir.types import LOCAL

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


# -- the bitset construction against the pairwise definition ------------------

def _random_block(rng, n_accesses: int) -> str:
    """A block of random loads, stores and calls through every kind of root:
    noalias and plain arguments, globals, an alloca, loaded (opaque) pointers;
    constant, variable and wrapping offsets; narrow, vector and aggregate types."""
    types = ["i8", "i16", "i32", "float", "double", "<4 x float>", "[20 x i32]"]
    body = ["%al = alloca [64 x i8], align 16", "%op = load ptr, ptr %c, align 8"]
    bases = ["%a", "%b", "%n", "%m", "@g", "@h", "%al", "%op"]
    for k in range(n_accesses):
        base = rng.choice(bases)
        offset = rng.choice([0, 1, 2, 4, 8, 12, 16, -4, 9223372036854775807])
        form = rng.randrange(3)
        if form == 0:
            ptr = f"getelementptr i8, ptr {base}, i64 {offset}"
        elif form == 1:
            ptr = f"getelementptr float, ptr {base}, i64 %i"
        else:
            body.append(f"%q{k} = getelementptr i8, ptr {base}, i64 {offset}")
            ptr = f"getelementptr i8, ptr %q{k}, i64 {rng.choice([0, 4, 9223372036854775807])}"
        body.append(f"%p{k} = {ptr}")
        t = rng.choice(types)
        roll = rng.random()
        if roll < 0.45:
            body.append(f"%v{k} = load {t}, ptr %p{k}, align 1")
        elif roll < 0.9:
            body.append(f"store {t} zeroinitializer, ptr %p{k}, align 1"
                        if not t[0] == "i" else f"store {t} 7, ptr %p{k}, align 1")
        else:
            body.append("call void @ext()")
    return ("@g = global [64 x i8] zeroinitializer\n@h = global [64 x i8] zeroinitializer\n"
            "declare void @ext()\n"
            "define void @f(ptr %a, ptr %b, ptr noalias %n, ptr noalias %m, ptr %c, i64 %i) {\n"
            "entry:\n  " + "\n  ".join(body).replace("store float 7", "store float 7.0")
            + "\n  ret void\n}\n")


def _pairwise(block, addresses):
    """(direct memory conflicts, ancestors) by comparing every pair."""
    from slpvec.analysis.address import may_alias
    from slpvec.analysis.conflicts import WIDE
    from slpvec.ir.types import BARRIER, LOAD, STORE
    n = len(block.instrs)
    memory = [0] * n
    accesses = [ins for ins in block.instrs if ins.kind in (LOAD, STORE, BARRIER)]
    for j, later in enumerate(accesses):
        for earlier in accesses[:j]:
            if earlier.kind == LOAD and later.kind == LOAD:
                continue
            if BARRIER in (earlier.kind, later.kind):
                memory[later.idx] |= 1 << earlier.idx
                continue
            a, b = addresses[earlier.idx], addresses[later.idx]
            wide_in_class = a.same_object_and_terms(b) and max(a.size, b.size) > WIDE
            if may_alias(a, b) or wide_in_class:
                memory[later.idx] |= 1 << earlier.idx
    ancestors = []
    for ins in block.instrs:
        preds = [op.index for op in ins.operands if op.kind == LOCAL and ins.kind != "phi"]
        preds += [u for u in range(n) if memory[ins.idx] >> u & 1]
        bits = 0
        for u in preds:
            bits |= ancestors[u] | 1 << u
        ancestors.append(bits)
    return memory, ancestors


def test_bitset_construction_equals_pairwise_definition():
    import random
    rng = random.Random(15)
    for trial in range(60):
        fn = parse_module(_random_block(rng, rng.randrange(5, 40))).functions[0]
        g = build_dependence_graph(fn.blocks[0], fn)
        memory, ancestors = _pairwise(fn.blocks[0], g.addresses)
        assert list(g.memory_preds) == memory, trial
        assert list(g.ancestors) == ancestors, trial
        assert g.n_memory_edges == sum(1 for e in g.edges if e[2] == MEMORY)


# -- large blocks ---------------------------------------------------------------

def aliasing_block(n_instrs: int) -> str:
    """Stores to b[k] then loads of a[k] through two arguments that may alias:
    every load conflicts with every store (a quadratic number of memory edges)."""
    m = (n_instrs - 1) // 4
    body = [f"%pb{k} = getelementptr float, ptr %b, i64 {k}\n  store float 1.0, ptr %pb{k}, align 4"
            for k in range(m)]
    body += [f"%pa{k} = getelementptr float, ptr %a, i64 {k}\n  %x{k} = load float, ptr %pa{k}, align 4"
             for k in range(m)]
    return "define void @f(ptr %a, ptr %b) {\nentry:\n  " + "\n  ".join(body) + "\n  ret void\n}\n"


def test_a_large_aliasing_block_is_held_in_bitsets_not_edge_lists():
    import tracemalloc
    fn = parse_module(aliasing_block(3000)).functions[0]
    tracemalloc.start()
    try:
        g = build_dependence_graph(fn.blocks[0], fn)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n = len(fn.blocks[0])
    assert g.n_memory_edges == (n // 4) ** 2  # 562,500 conflicts
    # bitsets: n * n / 8 bytes each for conflicts and ancestors (2.2 MB); the
    # edge list the old graph stored took over 100 MB
    assert peak < 4 * n * n / 8, peak
    assert "edges" not in vars(g)  # spelled out only when asked
    assert not g.independent_lanes((1, n - 2)) and g.independent_lanes((1, 3))


@pytest.mark.slow
def test_a_block_at_the_size_limit_is_vectorized():
    from slpvec.driver import MAX_BLOCK_INSTRS, run_slp
    module = aliasing_block(MAX_BLOCK_INSTRS - 1)
    _, report = run_slp(module, "greedy")
    (block,) = report.blocks
    assert block.n_instrs > MAX_BLOCK_INSTRS - 5 and not block.fallback_reason
    assert block.packs  # the stores (and the loads) still pack
    print(f"{block.n_instrs} instructions: {block.seconds:.1f} s for the block, "
          f"{block.policy_seconds:.1f} s of it in the policy")
