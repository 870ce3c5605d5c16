"""Candidate packs of a block: the choices every packing policy picks from.

A candidate is legal when its lanes are *isomorphic* (same opcode, type,
callee, predicate and operand types) or *alternate* (two binary opcodes that
cannot trap, such as ``fadd``/``fsub``, otherwise isomorphic: codegen computes
both over every lane and blends them, as LLVM's SLP does), *independent* (no
dependence path between any two lanes) and, for loads/stores, at
*consecutive* addresses in lane order. Lanes that ``extractelement`` a
constant lane of at most two vectors pack into one shufflevector of those
vectors (:func:`constant_lane_extract`). Phis pack into a vector phi when
each incoming value comes from the block itself, from the preheader of a
single-block loop, or is a constant (:func:`.loops.packable_phi`).

Generation, goSLP-style but seeded so the set stays small enough to solve:

1. memory pairs: consecutive loads, consecutive stores (each access paired with
   the nearest next-address access in program order); and sibling pairs:
   two isomorphic operands of one instruction (LLVM SLP's operand seeds);
2. memory widening, pairwise: two consecutive packs of width w make one of 2w,
   up to what the target's vector register holds (8 lanes at most);
3. at every width, non-memory packs grown from the memory packs to a fixpoint
   along operands (use-def; both operand orders for commutative ops) and along
   users (def-use), keeping the lane order of the pack they were grown from;
   load tuples met as operands join when consecutive in lane order.

Packs of different lane orders over the same instructions are different
candidates (their operand vectors differ); policies choose at most one pack
per instruction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..ir.types import CONST, LOAD, LOCAL, PHI, PURE, STORE, VALUE, Block, Function, Instr
from ..ir.typesize import VECTORIZABLE, scalar_bits, vector_shape
from ..packs import Pack
from ..target import Target
from .dependence import DependenceGraph, build_dependence_graph
from .loops import loop_preheader, packable_phi, phi_labels

NOT_PACKABLE = frozenset({"getelementptr", "alloca", "insertelement",
                          "shufflevector", "extractvalue", "insertvalue", "phi"})
# lanes read from at most this many vectors by extractelement: one shufflevector
MAX_EXTRACT_SOURCES = 2
COMMUTATIVE = frozenset({"add", "mul", "and", "or", "xor", "fadd", "fmul"})
# binary opcodes a pack may mix two of: computing one over another's lanes
# never traps (integer division and remainder may, so they never alternate)
ALTERNATING = frozenset({"add", "sub", "mul", "shl", "lshr", "ashr", "and", "or", "xor",
                         "fadd", "fsub", "fmul", "fdiv", "frem"})
DEFAULT_MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class CandidateSet:
    """Candidate packs of one block, sorted by (width, lanes).

    ``truncated`` is True when generation stopped at ``max_candidates``.
    """

    block_id: str
    packs: tuple[Pack, ...]
    truncated: bool = False

    def containing(self, idx: int) -> tuple[Pack, ...]:
        """Candidates that contain instruction ``idx``."""
        return tuple(p for p in self.packs if idx in p.lanes)


def element_type(ins: Instr) -> str:
    """The scalar type a lane of this instruction occupies."""
    return ins.operands[0].type if ins.kind == STORE else ins.type


def signature(ins: Instr) -> tuple:
    """Isomorphism key: instructions with equal signatures may share a pack.

    Lanes must agree on everything one vector instruction applies to all of
    them: opcode, types, callee, compare predicate and immediate arguments.
    Poison/fast-math flags may differ (the pack keeps the common ones).
    """
    operand_types = tuple(op.type for op in ins.operands if not (ins.callee and op.text == f"@{ins.callee}"))
    if ins.kind == PHI:  # a vector phi's operands come from the blocks lane 0's come from
        operand_types += phi_labels(ins)
    return (ins.opcode, ins.type, ins.callee, ins.predicate, ins.immargs, operand_types)


def family(ins: Instr) -> tuple:
    """Alternation key: lanes of equal family may share an alternate-opcode
    pack (their signatures differ only in an :data:`ALTERNATING` opcode)."""
    sig = signature(ins)
    return ("alternating", *sig[1:]) if ins.opcode in ALTERNATING else sig


def whole_bytes(type_text: str) -> bool:
    """True if a value of the type fills its bytes (``i8`` yes, ``i1`` no):
    only then is a vector of it laid out in memory like the scalars side by
    side (``<8 x i1>`` is one byte, eight ``i1`` stores are eight)."""
    bits = scalar_bits(type_text)
    return bits is not None and bits % 8 == 0


def is_packable(ins: Instr) -> bool:
    """True for scalar loads and stores of whole-byte types, and pure
    element-wise operations."""
    if ins.kind not in (PURE, LOAD, STORE) or ins.opcode in NOT_PACKABLE:
        return False
    if ins.opcode == "extractelement":
        return constant_lane_extract(ins)
    if element_type(ins) not in VECTORIZABLE:
        return False
    if ins.is_memory and not whole_bytes(element_type(ins)):
        return False
    return all(op.type in VECTORIZABLE or op.type in ("ptr", "")
               for op in ins.operands if op.kind != "global")


def constant_lane_extract(ins: Instr) -> bool:
    """True for ``extractelement`` of a lane in range, by a constant index,
    from a vector value of a vectorizable element type (not a constant
    vector): a pack of such lanes is one shufflevector of their vectors
    (as LLVM's SLP turns extracts feeding a store pack into a shuffle)."""
    vector, index = ins.operands[0], ins.operands[1]
    shape = vector_shape(vector.type)
    if shape is None or shape[1] not in VECTORIZABLE or ins.type != shape[1]:
        return False
    if vector.kind not in (LOCAL, VALUE) or index.kind != CONST:
        return False
    return index.text.isdigit() and int(index.text) < shape[0]


class CandidateGenerator:
    """Enumerates the candidate packs of one block for one target."""

    def __init__(self, block: Block, target: Target, function: Function | None = None,
                 deps: DependenceGraph | None = None,
                 max_candidates: int = DEFAULT_MAX_CANDIDATES):
        self.block = block
        self.target = target
        self.deps = deps or build_dependence_graph(block, function)
        self.max_candidates = max_candidates
        self.instrs = block.instrs
        preheader = loop_preheader(function, block) if function is not None else None
        self.packable = [is_packable(ins) or (packable_phi(ins, block, preheader)
                                              and ins.type in VECTORIZABLE and ins.type != "ptr")
                         for ins in self.instrs]
        self.sig = [signature(ins) if ok else None for ins, ok in zip(self.instrs, self.packable)]
        self.family = [family(ins) if ok else None for ins, ok in zip(self.instrs, self.packable)]
        self.users = self._users()
        self.truncated = False

    def _users(self) -> list[list[tuple[int, int]]]:
        users: list[list[tuple[int, int]]] = [[] for _ in self.instrs]
        for ins in self.instrs:
            for pos, op in enumerate(ins.operands):
                if op.kind == LOCAL and ins.kind != "phi":
                    users[op.index].append((ins.idx, pos))
        return users

    def max_lanes(self, idx: int) -> int:
        bits = scalar_bits(element_type(self.instrs[idx])) or 64
        return self.target.max_lanes(max(bits, 8))

    def legal(self, lanes: tuple[int, ...]) -> bool:
        """Isomorphic or alternate (two opcodes), packable, distinct, fits
        the register, independent."""
        if len(set(lanes)) != len(lanes) or not all(self.packable[i] for i in lanes):
            return False
        if any(self.sig[i] != self.sig[lanes[0]] for i in lanes) and (
                any(self.family[i] != self.family[lanes[0]] for i in lanes)
                or len({self.instrs[i].opcode for i in lanes}) != 2):
            return False
        if len(lanes) > self.max_lanes(lanes[0]):
            return False
        if self.instrs[lanes[0]].opcode == "extractelement" and len(
                {self.instrs[i].operands[0].text for i in lanes}) > MAX_EXTRACT_SOURCES:
            return False
        return self.deps.independent_lanes(lanes)

    def legal_pack(self, lanes: tuple[int, ...]) -> bool:
        """:meth:`legal`, and for loads/stores consecutive addresses in lane order."""
        if len(lanes) < 2 or not all(0 <= i < len(self.instrs) for i in lanes):
            return False
        if not self.legal(lanes):
            return False
        if self.instrs[lanes[0]].kind not in (LOAD, STORE):
            return True
        addrs = [self.deps.addresses[i] for i in lanes]
        return all(a.same_object_and_terms(addrs[0]) and a.offset == addrs[0].offset + k * a.size
                   for k, a in enumerate(addrs))

    # -- memory packs -------------------------------------------------------
    def memory_pairs(self) -> set[tuple[int, int]]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for idx, addr in self.deps.addresses.items():
            if self.packable[idx]:
                ins = self.instrs[idx]
                groups[(ins.kind, self.sig[idx], addr.root, addr.terms)].append(idx)
        pairs = set()
        for members in groups.values():
            by_offset = defaultdict(list)
            for idx in members:
                by_offset[self.deps.addresses[idx].offset].append(idx)
            for idx in members:
                addr = self.deps.addresses[idx]
                # with duplicate accesses to one address, pair with the nearest
                # in program order only (else widening is combinatorial)
                options = sorted(by_offset.get(addr.offset + addr.size, ()),
                                 key=lambda n: abs(n - idx))
                nxt = next((n for n in options if self.legal((idx, n))), None)
                if nxt is not None:
                    pairs.add((idx, nxt))
        return pairs

    @staticmethod
    def widen_memory(packs: set[tuple[int, ...]], pairs: set[tuple[int, int]]) -> set[tuple[int, ...]]:
        """Concatenate two width-w memory packs that are consecutive."""
        follows = defaultdict(list)  # last lane -> first lanes of the next chunk
        for a, b in pairs:
            follows[a].append(b)
        by_first = defaultdict(list)
        for p in packs:
            by_first[p[0]].append(p)
        return {p + q for p in packs for nxt in follows[p[-1]] for q in by_first[nxt]}

    # -- growth along operands and users -------------------------------------
    def operand_packs(self, lanes: tuple[int, ...]):
        first = self.instrs[lanes[0]]
        n_ops = len(first.operands) - (1 if first.callee else 0)
        for pos in range(n_ops):
            yield self._operand_lanes(lanes, lambda ins, p=pos: ins.operands[p])
        if any(self._commutative(self.instrs[i]) for i in lanes[1:]):
            yield self._commuted_operand_lanes(lanes)

    def _operand_lanes(self, lanes, pick):
        ops = [pick(self.instrs[i]) for i in lanes]
        if all(op.kind == LOCAL for op in ops):
            return tuple(op.index for op in ops)
        return None

    def _commuted_operand_lanes(self, lanes):
        """Operand 0 of lane 0, matched per lane to the operand of the same
        signature (either factor of a commutative lane, operand 0 of another)."""
        first = self.instrs[lanes[0]].operands[0]
        if first.kind != LOCAL:
            return None
        want = self.sig[first.index]
        out = []
        for i in lanes:
            ops = self.instrs[i].operands[:2 if self._commutative(self.instrs[i]) else 1]
            match = [op.index for op in ops if op.kind == LOCAL and self.sig[op.index] == want]
            if not match:
                return None
            out.append(match[0] if match[0] not in out else match[-1])
        return tuple(out)

    def user_packs(self, lanes: tuple[int, ...]):
        """Packs of users, one per lane, using the lanes at the same operand
        position (either factor position for commutative users)."""
        for user0, pos in self.users[lanes[0]]:
            if not self.packable[user0]:
                continue
            positions = {pos}
            if pos < 2 and self._commutative(self.instrs[user0]):
                positions = {0, 1}
            chosen = [user0]
            for lane in lanes[1:]:
                options = [u for u, p in self.users[lane]
                           if p in positions and self.family[u] == self.family[user0]
                           and u not in chosen]
                # an isomorphic user first; an alternate opcode only without one
                options.sort(key=lambda u: self.sig[u] != self.sig[user0])
                if not options:
                    break
                chosen.append(options[0])
            else:
                yield tuple(chosen)

    @staticmethod
    def _commutative(ins: Instr) -> bool:
        return ins.opcode in COMMUTATIVE or ins.callee.startswith(("llvm.fmuladd", "llvm.fma."))

    def grow(self, seeds: set[tuple[int, ...]], found: set[tuple[int, ...]]) -> None:
        work = list(seeds)
        while work:
            lanes = work.pop()
            for cand in (*self.operand_packs(lanes), *self.user_packs(lanes)):
                if cand is None or cand in found:
                    continue
                if self.instrs[cand[0]].kind in (LOAD, STORE) and not self.legal_pack(cand):
                    continue  # memory packs must be consecutive in lane order
                if len(found) >= self.max_candidates:
                    self.truncated = True
                    return
                if self.legal(cand):
                    found.add(cand)
                    work.append(cand)

    def sibling_pairs(self) -> set[tuple[int, int]]:
        """Two operands of one instruction that could share a pack (LLVM SLP's
        operand-pair seeds, e.g. the two products of ``a*b + c*d``)."""
        pairs = set()
        for ins in self.instrs:
            local = [op.index for op in ins.operands[:3] if op.kind == LOCAL]
            for k, a in enumerate(local):
                for b in local[k + 1:]:
                    if a != b and self.instrs[a].kind not in (LOAD, STORE) \
                            and self.legal((a, b)):
                        pairs.add((a, b))
        return pairs

    def generate(self) -> CandidateSet:
        """All candidate packs of the block."""
        pairs = self.memory_pairs()
        found: set[tuple[int, ...]] = set()
        memory = set(pairs)
        while memory and not self.truncated:  # memory-seeded trees first: they pay most
            room = self.max_candidates - len(found)
            if len(memory) > room:  # the cap is hard: huge blocks stay bounded
                memory = set(sorted(memory)[:max(room, 0)])
                self.truncated = True
            found |= memory
            self.grow(memory, found)
            memory = {p for p in self.widen_memory(memory, pairs) if self.legal(p)}
        siblings = set(list(self.sibling_pairs() - found)[:max(0, self.max_candidates - len(found))])
        found |= siblings
        self.grow(siblings, found)
        packs = tuple(Pack(lanes) for lanes in sorted(found, key=lambda t: (len(t), t)))
        return CandidateSet(self.block.id, packs, self.truncated)


def candidate_packs(block: Block, target: Target, function: Function | None = None,
                    max_candidates: int = DEFAULT_MAX_CANDIDATES) -> CandidateSet:
    """Candidate packs of ``block`` for ``target`` (see module docstring)."""
    return CandidateGenerator(block, target, function,
                              max_candidates=max_candidates).generate()
