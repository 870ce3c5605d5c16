"""A block and its candidate packs as a typed graph (numpy only, no torch).

Nodes: first the block's instructions (node i = ``Instr.idx`` i), then one
node per distinct outside operand (constant, argument, value of another
block, global), in first-use order. Edges (``src -> dst``), each typed:

* ``operand_k``: operand k of dst is src (k = 0, 1, 2; 3 for any later one);
* ``memory``: a memory-order dependence (from the dependence DAG);
* ``pack_w``: consecutive lanes of a candidate pack of width w (2, 4, 8),
  lane l -> lane l+1.

Node features (integer columns, see :data:`NODE_FEATURES`): node kind,
opcode id, scalar type id, memory root id, offset class, and flags.
The spec is versioned; :func:`feature_spec_hash` goes into every artifact
built from graphs so models refuse data made under another spec.

The memory relation of a block whose accesses all alias is quadratic (6
million edges at the 10,000-instruction limit: minutes and gigabytes to
propagate over). A block over :data:`MAX_MEMORY_EDGES` gets no graph
(:class:`GraphTooLarge`); the model never saw such a block anyway.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .analysis.candidates import is_packable
from .analysis.dependence import DependenceGraph
from .errors import InternalError
from .ir.opcodes import KNOWN_OPCODES
from .ir.types import CONST, GLOBAL, LABEL, LOAD, LOCAL, META, STORE, Block
from .packs import Pack

SPEC_VERSION = 1
NODE_KINDS = ("instr", "const", "value", "global")
OPCODES = ("<other>",) + tuple(sorted(KNOWN_OPCODES))
TYPES = ("<other>", "void", "i1", "i8", "i16", "i32", "i64", "half", "float", "double", "ptr")
NODE_FEATURES = ("kind", "opcode", "type", "mem_root", "offset_class", "live_out", "packable",
                 "memory_access")
EDGE_TYPES = ("operand_0", "operand_1", "operand_2", "operand_3", "memory",
              "pack_2", "pack_4", "pack_8")
MAX_MEM_ROOTS = 8    # memory roots numbered 1..8 by first use; 0 = none or later ones
OFFSET_CLASSES = 8   # (byte offset / access size) mod 8, + 1; 0 = not a memory access
# Most memory edges a graph may have: a block of ~2,000 instructions whose
# loads and stores all alias, a few seconds of propagation and under 300 MB.
# The corpus's largest has 223,284 (TSVC's main, 1,796 instructions).
MAX_MEMORY_EDGES = 250_000


def feature_spec() -> dict:
    """The full, versioned description of node features and edge types."""
    return {"version": SPEC_VERSION, "node_kinds": NODE_KINDS, "opcodes": OPCODES,
            "types": TYPES, "node_features": NODE_FEATURES, "edge_types": EDGE_TYPES,
            "max_mem_roots": MAX_MEM_ROOTS, "offset_classes": OFFSET_CLASSES}


def feature_spec_hash() -> str:
    """sha256 (16 hex digits) of the canonical JSON of :func:`feature_spec`."""
    blob = json.dumps(feature_spec(), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class BlockGraph:
    """Arrays of one block's graph.

    ``x``: (num_nodes, len(NODE_FEATURES)) int64; ``edge_index``: (2, E) int64
    (row 0 source, row 1 target); ``edge_type``: (E,) int64 into EDGE_TYPES;
    ``packs``: the candidate packs the pack edges were made from.
    """

    block_id: str
    x: np.ndarray
    edge_index: np.ndarray
    edge_type: np.ndarray
    num_instrs: int
    packs: tuple[Pack, ...]
    spec_hash: str

    @property
    def num_nodes(self) -> int:
        return int(self.x.shape[0])

    def edge_counts(self) -> dict[str, int]:
        """Number of edges per type name (types with none are left out)."""
        values, counts = np.unique(self.edge_type, return_counts=True)
        return {EDGE_TYPES[v]: int(c) for v, c in zip(values, counts)}


class GraphTooLarge(InternalError):
    """The block's memory relation is over :data:`MAX_MEMORY_EDGES`."""


def _index(vocab: tuple[str, ...], key: str) -> int:
    try:
        return vocab.index(key)
    except ValueError:
        return 0


def _memory_edges(deps: DependenceGraph) -> list[tuple[int, int]]:
    """The ``memory`` edges ``(u, v)`` of ``deps.edges``, in its (sorted)
    order, without building its def-use edges: u is a memory predecessor of
    v that is not also one of v's operands."""
    pairs = []
    for v, (operands, memory) in enumerate(zip(deps.operand_preds, deps.memory_preds)):
        for u in operands:
            memory &= ~(1 << u)
        while memory:
            low = memory & -memory
            pairs.append((low.bit_length() - 1, v))
            memory ^= low
    pairs.sort()
    return pairs


def build_graph(block: Block, deps: DependenceGraph, packs: tuple[Pack, ...]) -> BlockGraph:
    """The typed graph of ``block`` with pack edges for ``packs`` (its
    candidates). Raises :class:`GraphTooLarge` over :data:`MAX_MEMORY_EDGES`."""
    n_memory = deps.n_memory_edges
    if n_memory > MAX_MEMORY_EDGES:
        raise GraphTooLarge(f"block too large for the model: {n_memory:,} memory edges "
                            f"(at most {MAX_MEMORY_EDGES:,})")
    n = len(block.instrs)
    rows: list[list[int]] = []
    live = set(block.live_out)
    roots: dict[str, int] = {}
    for ins in block.instrs:
        addr = deps.addresses.get(ins.idx)
        root = offset_class = 0
        if addr is not None:
            if addr.root not in roots and len(roots) < MAX_MEM_ROOTS:
                roots[addr.root] = len(roots) + 1
            root = roots.get(addr.root, 0)
            offset_class = (addr.offset // max(addr.size, 1)) % OFFSET_CLASSES + 1
        value_type = ins.operands[0].type if ins.kind == STORE else ins.type
        rows.append([0, _index(OPCODES, ins.opcode), _index(TYPES, value_type), root,
                     offset_class, int(ins.idx in live), int(is_packable(ins)),
                     int(ins.kind in (LOAD, STORE))])
    outside: dict[str, int] = {}
    src, dst, etype = [], [], []
    for ins in block.instrs:
        for pos, op in enumerate(ins.operands):
            if op.kind in (LABEL, META) or (op.kind == GLOBAL and op.text == f"@{ins.callee}"):
                continue
            if op.kind == LOCAL:
                node = op.index
            else:
                key = f"{op.type} {op.text}"  # i64 1 and i32 1 are different nodes
                if key not in outside:
                    outside[key] = n + len(outside)
                    kind = {CONST: 1, GLOBAL: 3}.get(op.kind, 2)
                    rows.append([kind, 0, _index(TYPES, op.type), 0, 0, 0, 0, 0])
                node = outside[key]
            src.append(node)
            dst.append(ins.idx)
            etype.append(min(pos, 3))
    memory = _memory_edges(deps)
    src += [u for u, _ in memory]
    dst += [v for _, v in memory]
    etype += [EDGE_TYPES.index("memory")] * len(memory)
    for pack in packs:
        type_id = EDGE_TYPES.index(f"pack_{pack.width}")
        for a, b in zip(pack.lanes, pack.lanes[1:]):
            src.append(a)
            dst.append(b)
            etype.append(type_id)
    x = np.asarray(rows, dtype=np.int64).reshape(-1, len(NODE_FEATURES))
    edge_index = np.asarray([src, dst], dtype=np.int64).reshape(2, -1)
    return BlockGraph(block.id, x, edge_index, np.asarray(etype, dtype=np.int64), n,
                      tuple(packs), feature_spec_hash())
