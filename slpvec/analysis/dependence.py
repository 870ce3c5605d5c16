"""Dependence DAG of a block: def-use edges plus memory-order edges.

Edge ``(u, v)`` means ``u`` must execute before ``v``. Block order is a
topological order (``u < v`` always). Memory edges join two accesses that may
touch the same bytes when at least one writes, and order every barrier (call
with side effects, volatile/atomic access, unknown construct) against every
other memory access and barrier. Phis and their back-edge operands add no
edges: phis stay at the top of the block and terminators at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.types import BARRIER, LOAD, LOCAL, PHI, STORE, Block, Function
from .address import Address, AddressAnalysis, may_alias

DEF_USE, MEMORY = "def-use", "memory"


@dataclass(frozen=True)
class DependenceGraph:
    """Edges and reachability of one block.

    ``edges``: sorted ``(u, v, kind)`` with kind ``def-use`` or ``memory``.
    ``ancestors[v]``: bitset (Python int) of every instruction with a path to v.
    ``addresses``: the :class:`Address` of every load/store.
    """

    block: Block
    edges: tuple[tuple[int, int, str], ...]
    ancestors: tuple[int, ...]
    addresses: dict

    def reaches(self, u: int, v: int) -> bool:
        """True if there is a path u -> v."""
        return bool((self.ancestors[v] >> u) & 1)

    def dependent(self, u: int, v: int) -> bool:
        """True if u and v are ordered by a path either way."""
        return self.reaches(u, v) or self.reaches(v, u)

    def independent_lanes(self, lanes) -> bool:
        """True if no two of ``lanes`` are connected by a path."""
        mask = 0
        for lane in lanes:
            mask |= 1 << lane
        return all(not (self.ancestors[lane] & mask) for lane in lanes)

    def successors(self) -> list[list[int]]:
        """Adjacency list: successors[u] = sorted direct successors of u."""
        out: list[list[int]] = [[] for _ in self.block.instrs]
        for u, v, _ in self.edges:
            out[u].append(v)
        return out


def _memory_edges(block: Block, addresses: dict[int, Address]) -> set[tuple[int, int]]:
    accesses = [ins for ins in block.instrs if ins.kind in (LOAD, STORE, BARRIER)]
    edges = set()
    for j, later in enumerate(accesses):
        for earlier in accesses[:j]:
            if earlier.kind == LOAD and later.kind == LOAD:
                continue
            if BARRIER in (earlier.kind, later.kind) or may_alias(
                    addresses[earlier.idx], addresses[later.idx]):
                edges.add((earlier.idx, later.idx))
    return edges


def build_dependence_graph(block: Block, function: Function | None = None) -> DependenceGraph:
    """Dependence DAG of ``block`` (``function`` supplies noalias arguments)."""
    addresses = AddressAnalysis(block, function).addresses()
    def_use = {(op.index, ins.idx) for ins in block.instrs if ins.kind != PHI
               for op in ins.operands if op.kind == LOCAL}
    memory = _memory_edges(block, addresses) - def_use
    edges = sorted([(u, v, DEF_USE) for u, v in def_use]
                   + [(u, v, MEMORY) for u, v in memory])
    preds: list[list[int]] = [[] for _ in block.instrs]
    for u, v, _ in edges:
        preds[v].append(u)
    ancestors: list[int] = []
    for v in range(len(block.instrs)):
        bits = 0
        for u in preds[v]:
            bits |= ancestors[u] | (1 << u)
        ancestors.append(bits)
    return DependenceGraph(block, tuple(edges), tuple(ancestors), addresses)
