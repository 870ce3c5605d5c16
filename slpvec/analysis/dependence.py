"""Dependence DAG of a block: def-use edges plus memory-order edges.

Edge ``(u, v)`` means ``u`` must execute before ``v``. Block order is a
topological order (``u < v`` always). Memory edges join two accesses that may
touch the same bytes when at least one writes, and order every barrier (call
with side effects, volatile/atomic access, unknown construct) against every
other memory access and barrier. An instruction that may trap (a division
whose divisor may be 0, or -1 when signed) is ordered after the barriers
before it: a call may not return, and the scalar program never divided then.
Phis and their back-edge operands add no edges: phis stay at the top of the
block and terminators at the bottom.

The graph is held as bitsets (Python ints, bit u = instruction u): for each
instruction its direct memory predecessors and its ancestors. Built through
:class:`slpvec.analysis.conflicts.ConflictIndex`, that takes a few bitset
operations per access, so a block of the 10,000-instruction limit whose
accesses all alias takes a second and tens of megabytes; the edge list is
only spelled out when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..ir.types import BARRIER, CONST, LOCAL, PHI, STORE, Block, Function
from .address import AddressAnalysis
from .conflicts import ConflictIndex

DEF_USE, MEMORY = "def-use", "memory"


@dataclass(frozen=True)
class DependenceGraph:
    """Dependences and reachability of one block.

    ``operand_preds[v]``: instructions of the block whose values v uses (phis: none).
    ``memory_preds[v]``: bitset of the earlier memory accesses/barriers v
    conflicts with. ``ancestors[v]``: bitset of every instruction with a path
    to v. ``addresses``: the :class:`Address` of every load/store.
    """

    block: Block
    operand_preds: tuple[tuple[int, ...], ...]
    memory_preds: tuple[int, ...]
    ancestors: tuple[int, ...]
    addresses: dict = field(compare=False)

    @cached_property
    def edges(self) -> tuple[tuple[int, int, str], ...]:
        """Sorted ``(u, v, kind)``, kind ``def-use`` or ``memory`` (a memory
        conflict between a value and its user counts as def-use)."""
        out = []
        for v, (operands, memory) in enumerate(zip(self.operand_preds, self.memory_preds)):
            out.extend((u, v, DEF_USE) for u in operands)
            out.extend((u, v, MEMORY) for u in _bits(memory) if u not in operands)
        return tuple(sorted(out))

    @property
    def n_memory_edges(self) -> int:
        """Number of ``memory`` edges, without spelling them out."""
        return sum(bin(memory & ~_mask(operands)).count("1")
                   for operands, memory in zip(self.operand_preds, self.memory_preds))

    def reaches(self, u: int, v: int) -> bool:
        """True if there is a path u -> v."""
        return bool((self.ancestors[v] >> u) & 1)

    def dependent(self, u: int, v: int) -> bool:
        """True if u and v are ordered by a path either way."""
        return self.reaches(u, v) or self.reaches(v, u)

    def independent_lanes(self, lanes) -> bool:
        """True if no two of ``lanes`` are connected by a path."""
        mask = _mask(lanes)
        return all(not (self.ancestors[lane] & mask) for lane in lanes)

    def successors(self) -> list[list[int]]:
        """Adjacency list: successors[u] = sorted direct successors of u."""
        out: list[list[int]] = [[] for _ in self.block.instrs]
        for u, v, _ in self.edges:
            out[u].append(v)
        return out


def _mask(indices) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask


def _bits(bitset: int):
    """Indices of the set bits, lowest first."""
    while bitset:
        low = bitset & -bitset
        yield low.bit_length() - 1
        bitset ^= low


_DIVISIONS = frozenset({"udiv", "sdiv", "urem", "srem"})


def may_trap(ins) -> bool:
    """True for an integer division or remainder whose divisor may be 0
    (or -1 for signed ones, which overflows on the smallest dividend)."""
    if ins.opcode not in _DIVISIONS:
        return False
    divisor = ins.operands[1]
    try:
        value = int(divisor.text) if divisor.kind == CONST else 0
    except ValueError:
        return True
    return value == 0 or (value == -1 and ins.opcode in ("sdiv", "srem"))


def build_dependence_graph(block: Block, function: Function | None = None) -> DependenceGraph:
    """Dependence DAG of ``block`` (``function`` supplies noalias arguments
    and the datalayout)."""
    addresses = AddressAnalysis(block, function).addresses()
    stores = frozenset(i for i, ins in enumerate(block.instrs) if ins.kind == STORE)
    ancestors: list[int] = []
    index = ConflictIndex(addresses, stores, ancestors)
    operand_preds, memory_preds = [], []
    last_barrier = -1
    for ins in block.instrs:
        # a later instruction as operand (only in a block unreachable from the
        # entry, where dominance is not checked) orders nothing
        operands = () if ins.kind == PHI else tuple(sorted(
            {op.index for op in ins.operands if op.kind == LOCAL and op.index < ins.idx}))
        reach = 0
        for u in operands:
            reach |= ancestors[u] | (1 << u)
        memory = 0
        is_memory = ins.idx in addresses or ins.kind == BARRIER
        if is_memory:
            memory, closure = index.conflicts(ins.idx)
            reach |= closure
        elif last_barrier >= 0 and may_trap(ins):
            memory = 1 << last_barrier
            reach |= ancestors[last_barrier] | memory
        operand_preds.append(operands)
        memory_preds.append(memory)
        ancestors.append(reach)
        if is_memory:
            index.file(ins.idx)
        if ins.kind == BARRIER:
            last_barrier = ins.idx
    return DependenceGraph(block, tuple(operand_preds), tuple(memory_preds),
                           tuple(ancestors), addresses)
