"""goSLP's packing problem for one block, as plain data (no solver, no torch).

Costs are TTI units of the block's cost kind. Instruction indices are
``Instr.idx``; pack indices index ``IlpProblem.packs`` (the block's candidates).

The objective of a plan (set of chosen packs) is

  sum of scalar costs of unpacked instructions
+ sum over chosen packs q of vector_cost[q]
+ sum over operand slots s of chosen packs: the slot's cost, which is
    ``base`` (gather: one insertelement per non-constant lane; or the fixed
    cost of a splat/constant; slots whose base builds the same vector,
    ``Slot.key``, pay it once, as codegen builds it once), or, if a chosen
    pack q in ``s.matches`` holds every lane of the slot, that match's cost (0
    for the same lanes in order, else one shufflevector, which may take a
    few lanes of a wider pack; for a slot mixing
    constants and instructions, q of the slot's width holding every
    non-constant lane: one shufflevector with a constant vector); like
    codegen, a chosen match is always used
+ for every lane l of a chosen pack q whose instruction has a scalar use not
  served by a matched slot (used by scalar code, by a gathered or splat
  operand, or live out): extract_costs[q][l].

Commutative packs (fadd, mul, fmuladd's factors, ...) may read their first two
operands swapped in some lanes, as codegen does when that lets an operand
vector reuse a pack. Such a pack has *variants*: variant 0 reads the operands
as written, each other variant is one swap pattern (the pattern that lets one
candidate serve operand 0 or operand 1 in lane order, or that aligns the
operands' opcodes with lane 0's). Its slots at positions 0 and 1 exist once
per variant (``Slot.variant``), and a chosen pack is in exactly one variant;
other slots have ``variant == -1`` and are always in force.

:func:`plan_objective` evaluates this directly; the ILP of :mod:`.model`
linearises it; tests check the two agree (brute force on small blocks).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from slpvec.codegen.block import operand_positions
from slpvec.codegen.schedule import pack_reachability
from slpvec.codegen.operands import choose, is_commutative, lane_value
from slpvec.context import BlockContext
from slpvec.pricing import operand_cost, pack_costs
from slpvec.analysis.loops import used_by_other_blocks
from slpvec.ir.types import LOCAL
from slpvec.packs import Pack


@dataclass(frozen=True)
class Slot:
    """Operand vector at ``position`` of candidate ``pack``."""

    pack: int
    position: int
    base: float                                 # cost when no match is chosen
    matches: tuple[tuple[int, float], ...]      # (candidate, cost when it is chosen)
    variant: int = -1                           # -1: in force whenever the pack is
    reads: tuple[int, ...] = ()                 # per lane, the operand position read
    key: tuple | None = None                    # identity of the base vector (shared)


@dataclass(frozen=True)
class Use:
    """A scalar use of instruction ``instr``: it needs an extract if ``instr``
    is packed, unless one of ``covering`` (slot id, match index) is in force."""

    instr: int
    covering: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class IlpProblem:
    """Everything the ILP needs about one block."""

    block_id: str
    scalar_costs: tuple[float, ...]
    packs: tuple[Pack, ...]
    vector_costs: tuple[float, ...]
    extract_costs: tuple[tuple[float, ...], ...]   # per pack, per lane
    slots: tuple[Slot, ...]
    uses: tuple[Use, ...]
    conflicts: tuple[tuple[int, int], ...]         # pairs of packs forming a 2-cycle
    ancestors: tuple[int, ...]                     # dependence reachability bitsets
    n_variants: tuple[int, ...] = ()               # per pack; 1 when not commutative

    @property
    def scalar_total(self) -> float:
        return float(sum(self.scalar_costs))

    def packs_of(self) -> list[list[int]]:
        """packs_of()[i] = candidates containing instruction i."""
        out: list[list[int]] = [[] for _ in self.scalar_costs]
        for q, pack in enumerate(self.packs):
            for i in pack.lanes:
                out[i].append(q)
        return out


def _slot_costs(ctx: BlockContext, pack: Pack, reads: tuple[int, ...], packs_of: list[list[int]]
                ) -> tuple[float, tuple[tuple[int, float], ...], tuple | None]:
    """(base cost, matches, base vector key) of the operand slot of ``pack``
    whose lane k reads operand ``reads[k]`` of its instruction."""
    instrs = ctx.block.instrs
    ops = [instrs[i].operands[r] for i, r in zip(pack.lanes, reads)]
    # nothing packed: lane_value looks up no names (listing them per slot
    # took 17 s on a 10,000-instruction block)
    scalar = choose([lane_value(op, {}, ()) for op in ops], (), ops[0].type)
    base = operand_cost(ctx, scalar)  # gather, splat or constant, with nothing packed
    # a chosen candidate holding every non-constant lane serves the slot as
    # codegen would build it from that pack alone: reuse (same lanes, same
    # order), one shufflevector (permuting, repeating or taking some lanes of
    # a wider pack: a part of one wider load), or one shufflevector with a
    # constant vector ("blend"); the price is the pricing module's, as the
    # estimate's. Any other form (a gather of extracts) is no match.
    matches = []
    local = [op.index for op in ops if op.kind == LOCAL]
    for q in packs_of[local[0]] if local else ():
        source = ctx.candidates.packs[q]
        if len(local) == len(ops) and tuple(local) == source.lanes:
            matches.append((q, 0.0))  # the pack itself (choose's "pack"), the common case
            continue
        if not set(local) <= set(source.lanes):
            continue
        names = {i: instrs[i].ref for i in source.lanes}
        vector = choose([lane_value(op, {i: (0, k) for k, i in enumerate(source.lanes)}, names)
                         for op in ops], (source,), ops[0].type)
        if vector.kind in ("pack", "shuffle", "blend"):
            matches.append((q, operand_cost(ctx, vector, (source.width,))))
    return base, tuple(matches), scalar.key if base else None


def swap_patterns(ctx: BlockContext, pack: Pack, packs_of: list[list[int]]
                  ) -> list[tuple[bool, ...]]:
    """Lane swap patterns (lane 0 never swaps, as in codegen, nor does a
    lane whose own opcode is not commutative, such as the ``fsub`` lanes of
    an alternate ``fadd``/``fsub`` pack) worth a variant of ``pack``: for
    each candidate that holds, lane by lane, one of the first two operands,
    the swaps that put it at operand 0 or at operand 1 in order; and the
    swaps that give operand 0 lane 0's opcode."""
    instrs = ctx.block.instrs
    fixed = [k == 0 or not is_commutative(instrs[i]) for k, i in enumerate(pack.lanes)]
    pairs = [tuple(op.index if op.kind == LOCAL else None for op in instrs[i].operands[:2])
             for i in pack.lanes]
    patterns = set()
    for position in (0, 1):
        if pairs[0][position] is None:
            continue
        for q in packs_of[pairs[0][position]]:
            cand = ctx.candidates.packs[q]
            if cand.width != pack.width or cand.lanes[0] != pairs[0][position]:
                continue
            if all(c in pair for c, pair in zip(cand.lanes, pairs)):
                patterns.add(tuple(c != pair[position] for c, pair in zip(cand.lanes, pairs)))
    first = [instrs[op].opcode if op is not None else "" for op in pairs[0]]
    aligned = [pair[0] is not None and pair[1] is not None
               and instrs[pair[0]].opcode != first[0] and instrs[pair[1]].opcode == first[0]
               for pair in pairs]
    patterns.add(tuple(a and not f for a, f in zip(aligned, fixed)))
    patterns.discard((False,) * pack.width)
    return sorted(p for p in patterns if not any(s and f for s, f in zip(p, fixed)))


def _pack_slots(ctx: BlockContext, q: int, pack: Pack, packs_of) -> tuple[list[Slot], int]:
    """The slots of candidate ``q`` (all its variants) and its variant count."""
    first = ctx.block.instrs[pack.lanes[0]]
    positions = operand_positions(first)
    patterns = [(False,) * pack.width]
    if any(is_commutative(ctx.block.instrs[i]) for i in pack.lanes[1:]) \
            and 0 in positions and 1 in positions:
        patterns += swap_patterns(ctx, pack, packs_of)
    slots = []
    for position in positions:
        swappable = len(patterns) > 1 and position in (0, 1)
        for k, swaps in enumerate(patterns if swappable else patterns[:1]):
            reads = tuple(1 - position if swap else position for swap in swaps)
            base, matches, key = _slot_costs(ctx, pack, reads, packs_of)
            slots.append(Slot(q, position, base, matches, k if swappable else -1, reads, key))
    return slots, len(patterns)


def build_problem(ctx: BlockContext) -> IlpProblem:
    """The packing problem of ``ctx.block`` over its candidate packs."""
    packs = ctx.candidates.packs
    instrs = ctx.block.instrs
    table = ctx.table
    vector_costs = tuple(pack_costs(ctx, packs))
    extract_costs = tuple(tuple(table.extract_cost(instrs[p.lanes[0]].type, p.width, lane)
                                if instrs[p.lanes[0]].name else 0.0
                                for lane in range(p.width)) for p in packs)
    packs_of: list[list[int]] = [[] for _ in instrs]
    for q, p in enumerate(packs):
        for i in p.lanes:
            packs_of[i].append(q)
    slots: list[Slot] = []
    n_variants = []
    for q, p in enumerate(packs):
        pack_slots, count = _pack_slots(ctx, q, p, packs_of)
        slots += pack_slots
        n_variants.append(count)
    reading: dict[tuple[int, int], list[int]] = {}  # (user, operand position) -> slots
    for s, slot in enumerate(slots):
        for i, r in zip(packs[slot.pack].lanes, slot.reads):
            reading.setdefault((i, r), []).append(s)
    uses = [Use(i, ()) for i in sorted(used_by_other_blocks(ctx.function, ctx.block))]
    for user in instrs:  # a back-edge value read by a phi: as by any user
        for position, op in enumerate(user.operands):
            if op.kind != LOCAL or not packs_of[op.index]:
                continue
            covering = [(s, m) for s in reading.get((user.idx, position), ())
                        for m, (q, _) in enumerate(slots[s].matches) if op.index in packs[q].lanes]
            uses.append(Use(op.index, tuple(covering)))
    reaches = pack_reachability(ctx.deps.ancestors, packs)
    conflicts = tuple((a, b) for a in range(len(packs)) for b in range(a + 1, len(packs))
                      if reaches(a, b) and reaches(b, a))
    return IlpProblem(ctx.block.id, tuple(ctx.scalar_costs), packs, vector_costs,
                      extract_costs, tuple(slots), tuple(uses), conflicts,
                      ctx.deps.ancestors, tuple(n_variants))


def plan_objective(problem: IlpProblem, chosen: set[int] | frozenset[int]) -> float:
    """The objective of choosing candidate indices ``chosen`` (module docstring),
    each commutative pack in its best variant (tries every combination: for
    tests and small blocks)."""
    swappable = sorted(q for q in chosen if problem.n_variants and problem.n_variants[q] > 1)
    return min(_objective(problem, chosen, dict(zip(swappable, combo)))
               for combo in itertools.product(*(range(problem.n_variants[q])
                                                for q in swappable)))


def _objective(problem: IlpProblem, chosen, variant: dict[int, int]) -> float:
    packed = {i: q for q in chosen for i in problem.packs[q].lanes}
    total = sum(c for i, c in enumerate(problem.scalar_costs) if i not in packed)
    total += sum(problem.vector_costs[q] for q in chosen)
    in_force, built = set(), set()
    for s, slot in enumerate(problem.slots):
        if slot.pack not in chosen or slot.variant not in (-1, variant.get(slot.pack, 0)):
            continue
        # codegen reuses (or permutes) a chosen pack holding the slot's lanes;
        # overlapping candidates make at most one of them chosen
        match = next(((m, cost) for m, (q, cost) in enumerate(slot.matches) if q in chosen), None)
        if match is None:
            if slot.key is None or slot.key not in built:
                total += slot.base
                built.add(slot.key)
        else:
            in_force.add((s, match[0]))
            total += match[1]
    extracted = set()
    for use in problem.uses:
        q = packed.get(use.instr)
        if q is not None and not any(c in in_force for c in use.covering):
            extracted.add((q, problem.packs[q].lanes.index(use.instr)))
    total += sum(problem.extract_costs[q][lane] for q, lane in extracted)
    return float(total)
