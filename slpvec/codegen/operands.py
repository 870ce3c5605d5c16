"""How each vector operand of a pack is built from what the plan provides.

For a consumer pack and an operand position, the lane values come from other
packs, scalar instructions, outside values or constants. The cheapest form is
chosen the same way for codegen and for cost estimation:

``pack``     exactly another pack's vector, same lane order: free;
``shuffle``  lanes of one or two packs of equal width (any width, lanes may
             repeat): one shufflevector;
``blend``    lanes of one pack of the same width, the other lanes constants:
             one shufflevector of the pack and a constant vector (as LLVM's
             SLP builds ``<x0, 5.0, 5.0, 5.0>`` from a vector holding x0);
``const``    all lanes constant: a constant vector literal, free;
``splat``    one non-constant value in every lane: insertelement + broadcast;
``gather``   anything else: one insertelement per non-constant lane (lanes
             living in packs are extracted first), or, where
             :mod:`slpvec.pricing` finds it cheaper, the two halves built
             alone (each a constant, splat or gather, itself maybe split) and
             concatenated by one shufflevector (:func:`gather_halves`): on
             AVX an insert into the upper 128 bits costs three, so a
             ``<4 x double>`` gather costs 7 lane by lane and 3 as two
             ``<2 x double>`` halves.

A block builds each distinct shuffle, splat or gather once (:attr:`OperandVector.
key`) and reuses it for every later pack that needs the same vector, as LLVM's
SLP vectorizer reuses a broadcast; the estimate and the ILP price it once too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.types import CONST, LOCAL, Instr, Operand
from ..packs import Pack

COMMUTATIVE = frozenset({"add", "mul", "and", "or", "xor", "fadd", "fmul"})
_COMMUTATIVE_CALLS = ("llvm.fmuladd.", "llvm.fma.", "llvm.smin.", "llvm.smax.",
                      "llvm.umin.", "llvm.umax.", "llvm.minnum.", "llvm.maxnum.")


@dataclass(frozen=True)
class LaneValue:
    """Where one lane's value comes from: a pack lane, or scalar/constant text."""

    pack: int | None  # index into the plan's packs, or None
    lane: int         # lane within that pack (when pack is not None)
    text: str         # scalar value text (%name, constant, argument)
    instr: int | None  # defining instruction of this block, if any
    is_const: bool


@dataclass(frozen=True)
class OperandVector:
    """The strategy for one operand vector (see module docstring)."""

    kind: str
    elem: str                       # element type of the vector
    lanes: tuple[LaneValue, ...]
    sources: tuple[int, ...] = ()   # packs read by "pack"/"shuffle"
    mask: tuple[int, ...] = ()      # shufflevector mask for "shuffle"

    @property
    def key(self) -> tuple | None:
        """Identity of the vector this builds (same key, same value), or None
        for the free kinds (``pack``, ``const``), which are never built."""
        if self.kind in ("pack", "const"):
            return None
        if self.kind == "shuffle":
            return ("shuffle", self.elem, self.sources, self.mask)
        if self.kind == "blend":
            return ("blend", self.elem, self.sources, self.mask, self.constants())
        return (self.kind, self.elem, tuple((v.pack, v.lane, v.text) for v in self.lanes))

    def constants(self) -> tuple[str, ...]:
        """Per lane, the constant's text, or ``poison`` where a lane is not one:
        the second shufflevector operand of a ``blend``."""
        return tuple(v.text if v.is_const else "poison" for v in self.lanes)

    def extracted(self) -> tuple[int, ...]:
        """Instructions in packs whose scalar value this operand needs."""
        if self.kind in ("gather", "splat"):
            return tuple(dict.fromkeys(v.instr for v in self.lanes
                                       if v.pack is not None and v.instr is not None))
        return ()


def is_commutative(ins: Instr) -> bool:
    return ins.opcode in COMMUTATIVE or ins.callee.startswith(_COMMUTATIVE_CALLS)


def lane_value(op: Operand, pack_of: dict[int, tuple[int, int]], names: list[str]) -> LaneValue:
    """Where operand ``op`` of some lane comes from under the plan."""
    if op.kind == LOCAL and op.index in pack_of:
        pack, lane = pack_of[op.index]
        return LaneValue(pack, lane, names[op.index], op.index, False)
    return LaneValue(None, 0, op.text, op.index if op.kind == LOCAL else None, op.kind == CONST)


def choose(values: list[LaneValue], packs: tuple[Pack, ...], elem: str) -> OperandVector:
    """Cheapest strategy for building the vector whose lanes are ``values``."""
    width = len(values)
    lanes = tuple(values)
    if all(v.pack is not None for v in values):
        sources = tuple(dict.fromkeys(v.pack for v in values))
        if len(sources) == 1 and [v.lane for v in values] == list(range(width)) \
                and packs[sources[0]].width == width:
            return OperandVector("pack", elem, lanes, sources)
        if len(sources) <= 2 and len({packs[s].width for s in sources}) == 1:
            source_width = packs[sources[0]].width  # a shuffle may widen or narrow
            mask = tuple(v.lane + source_width * sources.index(v.pack) for v in values)
            return OperandVector("shuffle", elem, lanes, sources, mask)
    if all(v.is_const for v in values):
        return OperandVector("const", elem, lanes)
    sources = {v.pack for v in values if not v.is_const}
    if len(sources) == 1 and None not in sources:
        source = sources.pop()
        if packs[source].width == width:
            mask = tuple(width + k if v.is_const else v.lane for k, v in enumerate(values))
            return OperandVector("blend", elem, lanes, (source,), mask)
    return scalar_form(values, elem)


def scalar_form(values: list[LaneValue], elem: str) -> OperandVector:
    """The vector of ``values`` built from scalars alone: a constant, a splat
    or a gather (lanes living in packs are read as their extracted scalars)."""
    lanes = tuple(values)
    if all(v.is_const for v in values):
        return OperandVector("const", elem, lanes)
    first = values[0]
    if all((v.pack, v.lane, v.text) == (first.pack, first.lane, first.text) for v in values):
        return OperandVector("splat", elem, lanes)
    return OperandVector("gather", elem, lanes)


def gather_halves(vector: OperandVector) -> tuple[OperandVector, OperandVector] | None:
    """The low and high halves of a gather of even width >= 4, each in its
    :func:`scalar_form`, that one shufflevector concatenates into ``vector``
    (None for a narrower or odd gather)."""
    width = len(vector.lanes)
    if vector.kind != "gather" or width < 4 or width % 2:
        return None
    half = width // 2
    return (scalar_form(list(vector.lanes[:half]), vector.elem),
            scalar_form(list(vector.lanes[half:]), vector.elem))


_RANK = {"pack": 0, "const": 0, "shuffle": 1, "blend": 1, "splat": 2, "gather": 3}


def operand_vectors(lanes: list[Instr], positions: list[int],
                    pack_of: dict[int, tuple[int, int]], names: list[str],
                    packs: tuple[Pack, ...]) -> list[OperandVector]:
    """Strategies for the given operand positions of a pack.

    For commutative operations, a lane's first two operands are swapped when
    that makes the two operand vectors cheaper (e.g. reuse a pack directly);
    lane 0 never swaps, nor does a lane whose opcode is not commutative.
    Lanes are tried in order, each swap kept if it lowers the operand
    vectors' total rank (ties: more lanes aligned with lane 0's pack). A
    swap changes only positions 0 and 1, so only those are re-chosen (the
    other positions add the same to both sides of the comparison).
    """
    values = {pos: [lane_value(ins.operands[pos], pack_of, names) for ins in lanes]
              for pos in positions}
    best = {pos: choose(values[pos], packs, lanes[0].operands[pos].type) for pos in positions}
    if 0 in positions and 1 in positions:
        # lane 0 stays; so does a lane whose own opcode is not commutative
        # (the fsub lanes of an alternate fadd/fsub pack)
        first, second = values[0], values[1]  # with the swaps kept so far
        for k in (k for k in range(1, len(lanes)) if is_commutative(lanes[k])):
            trial_first, trial_second = first.copy(), second.copy()
            trial_first[k], trial_second[k] = second[k], first[k]
            trial = (choose(trial_first, packs, lanes[0].operands[0].type),
                     choose(trial_second, packs, lanes[0].operands[1].type))
            kept = (best[0], best[1])
            if (_score(trial), -_aligned(trial, k)) < (_score(kept), -_aligned(kept, k)):
                first, second = trial_first, trial_second
                best[0], best[1] = trial
    return [best[pos] for pos in positions]


def _score(vectors) -> int:
    return sum(_RANK[v.kind] for v in vectors)


def _aligned(vectors, k: int) -> int:
    """How many operand vectors have lane k in the same pack as lane 0, at lane k."""
    count = 0
    for v in vectors:
        a, b = v.lanes[0], v.lanes[k]
        if a.pack is not None and a.pack == b.pack and b.lane == a.lane + k:
            count += 1
    return count
