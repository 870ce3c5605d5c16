"""Vector code for one block under a pack plan.

Emits the block's new instruction lines: scalars keep their original text;
each pack becomes operand-building instructions (see :mod:`.operands`), one
vector instruction and, for lanes still needed as scalars (live out, used by
scalar code or by a gathered operand), an ``extractelement`` that keeps the
lane's original name, so no user needs rewriting. In a single-block loop,
loop-invariant operand vectors go to the preheader instead (:mod:`.hoist`);
a pack of phis becomes a vector phi among the block's phis, its lanes'
extracts follow the phis, and a back-edge vector that must be built goes
just before the terminator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..analysis.candidates import CandidateGenerator
from ..analysis.dependence import DependenceGraph
from ..analysis.forwarding import forwarded_loads
from ..analysis.loops import PreheaderLoads, loop_preheader, phi_labels, used_by_other_blocks
from ..ir.types import LOAD, LOCAL, PHI, STORE, TERMINATOR, Block, Function, value_ref
from ..packs import Pack, PackPlan
from . import vector_ops as vo
from .hoist import loop_invariant
from .operands import OperandVector, gather_halves, operand_vectors
from .schedule import schedule, units_of


@dataclass(frozen=True)
class BlockCode:
    """New instruction lines for a block, and what they contain.

    ``preheader_lines``: loop-invariant operand vectors, to go before the
    terminator of block ``preheader_id`` (the loop's preheader)."""

    block_id: str
    lines: tuple[str, ...]
    packs: tuple[Pack, ...]
    n_extracts: int
    n_operand_ops: int
    preheader_id: str = ""
    preheader_lines: tuple[str, ...] = ()


class NameGen:
    """Fresh value names that cannot clash with the function's own."""

    def __init__(self, taken: set[str], prefix: str = "slp"):
        self.taken, self.prefix, self.count = taken, prefix, 0

    @classmethod
    def for_function(cls, function: Function) -> "NameGen":
        """Names new to ``function``: none of its arguments, values or labels."""
        return cls(function.local_names())

    def __call__(self) -> str:
        while True:
            name = f"{self.prefix}.{self.count}"
            self.count += 1
            if name not in self.taken:
                self.taken.add(name)
                return "%" + name


def operand_positions(ins) -> list[int]:
    """Operand positions that become vector operands of the pack (an
    intrinsic's immediate arguments stay scalar constants; ``extractelement``
    lanes read their vectors as they are, :func:`vector_ops.extract_sources`)."""
    if ins.kind == LOAD or ins.opcode == "extractelement":
        return []
    if ins.kind == STORE:
        return [0]
    n = len(ins.operands) - (1 if ins.callee else 0)
    immediate = {pos for pos, _ in ins.immargs}
    return [p for p in range(n) if p not in immediate]


def check_plan(gen: CandidateGenerator, plan: PackPlan) -> None:
    """Raise UnsupportedPack unless every pack is legal and packs are disjoint."""
    seen: set[int] = set()
    for pack in plan.packs:
        if not gen.legal_pack(pack.lanes):
            raise vo.UnsupportedPack(f"illegal pack {pack}")
        if seen & set(pack.lanes):
            raise vo.UnsupportedPack(f"pack {pack} overlaps another pack")
        seen |= set(pack.lanes)


class BlockEmitter:
    """Generates :class:`BlockCode` for one block and plan."""

    def __init__(self, block: Block, deps: DependenceGraph, plan: PackPlan,
                 fresh: NameGen, function: Function | None = None,
                 split_gather: Callable[[OperandVector], bool] | None = None):
        """``function``: the block's function; without it nothing is hoisted
        to a loop preheader. ``split_gather``: the pricing rule's choice
        (:func:`slpvec.pricing.split_gather` with the block's cost table) of
        the gathers built as two halves; without it every gather is built
        lane by lane."""
        self.block, self.deps, self.packs, self.fresh = block, deps, plan.packs, fresh
        self.split_gather = split_gather
        self.preheader = loop_preheader(function, block) if function is not None else None
        self.live_out = used_by_other_blocks(function, block)
        self.preheader_loads = PreheaderLoads(function, block) if self.preheader else None
        self.preheader_lines: list[str] = []
        self.instrs = block.instrs
        self.names = [ins.ref for ins in self.instrs]
        self.pack_of = {i: (k, lane) for k, p in enumerate(self.packs)
                        for lane, i in enumerate(p.lanes)}
        self.vectors = [self.fresh() for _ in self.packs]
        self.built: dict[tuple, str] = {}  # OperandVector.key -> its value, once built
        self.operands = [operand_vectors([self.instrs[i] for i in p.lanes],
                                         operand_positions(self.instrs[p.lanes[0]]),
                                         self.pack_of, self.names, self.packs)
                         for p in self.packs]
        self.needs_scalar = self._needs_scalar()
        # load packs that read back what a store pack wrote: use the stored vector
        self.forwarded = forwarded_loads(block, deps, self.packs)
        self.stored: dict[int, str] = {}  # store pack -> the vector it stored

    def _needs_scalar(self) -> set[int]:
        need = {i for i in self.live_out if i in self.pack_of}
        for ins in self.instrs:
            if ins.idx in self.pack_of:
                continue
            need |= {op.index for op in ins.operands
                     if op.kind == LOCAL and op.index in self.pack_of}
        for k, pack in enumerate(self.packs):
            for vector in self.operands[k]:
                need |= set(vector.extracted())
            lane0 = self.instrs[pack.lanes[0]]
            if lane0.kind in (LOAD, STORE):
                ptr = lane0.operands[0 if lane0.kind == LOAD else 1]
                if ptr.kind == LOCAL and ptr.index in self.pack_of:
                    need.add(ptr.index)
        return {i for i in need if self.instrs[i].name}

    def emit(self) -> BlockCode:
        phis: list[str] = []
        lines: list[str] = []
        vector_phis: list[int] = []
        terminator = None
        n_ops = 0
        for unit in schedule(self.deps, self.packs):
            if unit >= len(self.packs):
                ins = self.instrs[unit - len(self.packs)]
                if ins.kind == TERMINATOR:
                    terminator = len(lines)
                (phis if ins.kind == PHI else lines).append(ins.text)
            elif self.instrs[self.packs[unit].lanes[0]].kind == PHI:
                vector_phis.append(unit)  # after the body: back-edge vectors may reuse its
            else:
                before = len(lines)
                lines.extend(self._pack_lines(unit))
                n_ops += len(lines) - before
        if vector_phis:
            head, tail = self._vector_phi_lines(vector_phis)
            at = len(lines) if terminator is None else terminator
            lines[at:at] = tail
            lines[:0] = head
            n_ops += len(head) + len(tail)
        lines[:0] = phis
        n_extracts = sum(1 for i in self.needs_scalar)
        return BlockCode(self.block.id, tuple(lines), self.packs, n_extracts,
                         n_ops - len(self.packs) - n_extracts,
                         self.preheader.id if self.preheader_lines else "",
                         tuple(self.preheader_lines))

    def _pack_lines(self, k: int) -> list[str]:
        pack = self.packs[k]
        lanes = [self.instrs[i] for i in pack.lanes]
        first = lanes[0]
        lines: list[str] = []
        texts = [self._operand(v, lines) for v in self.operands[k]]
        if first.opcode == "extractelement":
            texts = vo.extract_sources(lanes)
        positions = operand_positions(first)
        if first.callee:  # keep immediate operands scalar, in place
            full = [f"scalar:{o.type} {o.text}" for o in first.operands[:-1]]
            for pos, text in zip(positions, texts):
                full[pos] = text
            texts = full
        if k in self.forwarded:
            self.vectors[k] = self.stored[self.forwarded[k]]
        elif first.kind == STORE:
            self.stored[k] = texts[0]
        pointer = ""
        if first.kind in (LOAD, STORE):
            ptr = first.operands[0 if first.kind == LOAD else 1]
            pointer = self.names[ptr.index] if ptr.kind == LOCAL else ptr.text
        temporaries = (self.fresh(), self.fresh()) if len(vo.lane_opcodes(lanes)) > 1 else ()
        if k not in self.forwarded:
            lines.extend(vo.pack_instructions(self.vectors[k], lanes, texts, pointer,
                                              temporaries))
        if first.kind != STORE:
            for lane, i in enumerate(pack.lanes):
                if i in self.needs_scalar:
                    lines.append(vo.extract(self.names[i], self.vectors[k], first.type,
                                            pack.width, lane))
        return lines

    def _vector_phi_lines(self, units: list[int]) -> tuple[list[str], list[str]]:
        """(the vector phis and their lanes' extracts, to follow the block's
        phis; back-edge vectors to build before the terminator). A vector
        entering from the preheader is loop-invariant, so :meth:`_operand`
        builds it there; one from another block must be a constant; a
        back-edge vector the body built already is reused."""
        own = value_ref(self.block.label)
        phis, extracts, tail = [], [], []
        for k in units:
            pack = self.packs[k]
            lanes = [self.instrs[i] for i in pack.lanes]
            texts = []
            for vector, label in zip(self.operands[k], phi_labels(lanes[0])):
                entering = self.preheader is not None and label == value_ref(self.preheader.label)
                if label != own and not entering and vector.kind != "const":
                    raise vo.UnsupportedPack(f"vector phi entered from {label} by a {vector.kind}")
                texts.append(self._operand(vector, tail))
            phis.append(vo.pack_instruction(self.vectors[k], lanes, texts))
            extracts += [vo.extract(self.names[i], self.vectors[k], lanes[0].type, pack.width, lane)
                         for lane, i in enumerate(pack.lanes) if i in self.needs_scalar]
        return phis + extracts, tail

    def _operand(self, vector: OperandVector, lines: list[str]) -> str:
        """The value of ``vector``; built into ``lines`` unless an earlier pack
        of the block built the same one (emission order = dominance order);
        a loop-invariant one goes to the preheader's lines (a gather of
        loads of the preheader as one vector load, when it can be)."""
        key = vector.key
        if key is not None and key in self.built:
            return self.built[key]
        if self.preheader is not None and loop_invariant(vector):
            lines = self.preheader_lines
            loads = self.preheader_loads.lanes([v.text for v in vector.lanes]) \
                if vector.kind == "gather" else None
            if loads is not None:  # one vector load (pricing.preheader_load)
                value = self.fresh()
                lines.append(vo.pack_instruction(value, list(loads), [], loads[0].operands[0].text))
                self.built[key] = value
                return value
        value = self._build(vector, lines)
        if key is not None:
            self.built[key] = value
        return value

    def _build(self, vector: OperandVector, lines: list[str]) -> str:
        elem = vector.elem
        width = len(vector.lanes)
        if vector.kind == "pack":
            return self.vectors[vector.sources[0]]
        if vector.kind == "shuffle":
            a = self.vectors[vector.sources[0]]
            b = self.vectors[vector.sources[1]] if len(vector.sources) > 1 else "poison"
            name = self.fresh()
            source_width = self.packs[vector.sources[0]].width
            lines.append(vo.shuffle(name, a, b, elem, source_width, list(vector.mask)))
            return name
        if vector.kind == "blend":
            name = self.fresh()
            lines.append(vo.shuffle(name, self.vectors[vector.sources[0]],
                                    vo.const_vector(elem, list(vector.constants())),
                                    elem, width, list(vector.mask)))
            return name
        if vector.kind == "const":
            return vo.const_vector(elem, [v.text for v in vector.lanes])
        if vector.kind == "splat":
            one = self.fresh()
            lines.append(vo.insert(one, "poison", elem, width, vector.lanes[0].text, 0))
            name = self.fresh()
            lines.append(vo.splat_shuffle(name, one, elem, width))
            return name
        halves = gather_halves(vector) if self.split_gather is not None else None
        if halves is not None and self.split_gather(vector):
            low = self._build(halves[0], lines)
            high = low if halves[1] == halves[0] else self._build(halves[1], lines)
            name = self.fresh()
            lines.append(vo.shuffle(name, low, high, elem, width // 2, list(range(width))))
            return name
        current = vo.const_vector(elem, [v.text if v.is_const else "poison"
                                         for v in vector.lanes])
        for lane, value in enumerate(vector.lanes):
            if not value.is_const:
                name = self.fresh()
                lines.append(vo.insert(name, current, elem, width, value.text, lane))
                current = name
        return current
