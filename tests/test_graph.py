"""Exact node and edge counts of block graphs."""

import numpy as np

from slpvec.analysis import build_dependence_graph, candidate_packs
from slpvec.graph import EDGE_TYPES, NODE_FEATURES, OPCODES, build_graph, feature_spec_hash
from slpvec.ir import parse_module
from slpvec.target import Target

from .analysis.test_candidates import ALIAS_IR, lanes_ir
from .codegen.test_golden import FMA_IR

AVX2 = Target("x86_64-pc-linux-gnu", "haswell", "", 256)


def graph(ir, block=0):
    fn = parse_module(ir).functions[0]
    blk = fn.blocks[block]
    deps = build_dependence_graph(blk, fn)
    return build_graph(blk, deps, candidate_packs(blk, AVX2, fn).packs)


def test_alias_block_may_alias():
    g = graph(ALIAS_IR.format(na=""))
    # 7 instructions + %q, %p and the constant i64 1
    assert (g.num_instrs, g.num_nodes) == (7, 10)
    assert g.edge_counts() == {"operand_0": 6, "operand_1": 4, "memory": 2}
    assert {tuple(e) for e, t in zip(g.edge_index.T, g.edge_type)
            if EDGE_TYPES[t] == "memory"} == {(0, 5), (1, 3)}


def test_alias_block_noalias_has_pack_edges_instead():
    g = graph(ALIAS_IR.format(na="noalias "))
    assert g.edge_counts() == {"operand_0": 6, "operand_1": 4, "pack_2": 2}


def test_four_lane_add():
    g = graph(lanes_ir([0, 1, 2, 3]))
    # 28 lane instructions + ret; %a %b %c and the GEP indices 0..3
    assert (g.num_instrs, g.num_nodes) == (29, 36)
    # 3 pairs x 4 chains = 12 two-lane packs, 4 four-lane packs with 3 edges each
    assert g.edge_counts() == {"operand_0": 28, "operand_1": 20, "pack_2": 12, "pack_4": 12}


def test_fma_block_skips_the_callee_operand():
    g = graph(FMA_IR)
    # per lane: 3 GEPs, 3 loads, fmuladd, store; constants 0..3 and %a %b %c
    assert (g.num_instrs, g.num_nodes) == (33, 40)
    counts = g.edge_counts()
    assert counts["operand_2"] == 4  # fmuladd's addend; the callee is no operand edge
    assert counts["operand_0"] == 32 and counts["operand_1"] == 20
    assert counts["pack_4"] == 5 * 3 and counts["pack_2"] == 5 * 3


def test_features_and_spec_hash():
    g = graph(lanes_ir([0, 1]))
    assert g.x.shape == (g.num_nodes, len(NODE_FEATURES)) and g.x.dtype == np.int64
    store = g.x[6]
    assert OPCODES[store[1]] == "store" and store[7] == 1 and store[6] == 1
    assert store[3] >= 1 and store[4] == 1  # memory root numbered, offset class slot 0
    assert g.spec_hash == feature_spec_hash() and len(g.spec_hash) == 16


def test_memory_edges_are_the_dependence_graphs_in_its_order():
    """build_graph lists memory edges from the dependence bitsets directly;
    they must be deps.edges' memory edges, in the same (sorted) order (the
    order sources are summed in propagation)."""
    from slpvec.graph import _memory_edges
    from .conftest import kernel_ir

    checked = 0
    for kernel in ("aliasing.c", "stencil.c", "particles.c", "mat4.c"):
        for fn in parse_module(kernel_ir(kernel)).functions:
            for blk in fn.blocks:
                deps = build_dependence_graph(blk, fn)
                expected = [(u, v) for u, v, kind in deps.edges if kind == "memory"]
                assert _memory_edges(deps) == expected
                checked += len(expected)
    assert checked  # some block has memory edges
