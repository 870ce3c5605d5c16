"""goSLP's packing problem for one block, as plain data (no solver, no torch).

Costs are TTI units of the block's cost kind. Instruction indices are
``Instr.idx``; pack indices index ``IlpProblem.packs`` (the block's candidates).

The objective of a plan (set of chosen packs) is

  sum of scalar costs of unpacked instructions
+ sum over chosen packs q of vector_cost[q]
+ sum over operand slots s of chosen packs: the slot's cost, which is
    ``base`` (gather: one insertelement per non-constant lane; or the fixed
    cost of a splat/constant), or, if a chosen pack q in ``s.matches`` (no
    wider than the slot) holds every lane of the slot, that match's cost (0
    for the same lanes in order, else one shufflevector); like codegen, a
    chosen match is always used
+ for every lane l of a chosen pack q whose instruction has a scalar use not
  served by a matched slot (used by scalar code, by a gathered or splat
  operand, or live out): extract_costs[q][l].

:func:`plan_objective` evaluates this directly; the ILP of :mod:`.model`
linearises it; tests check the two agree (brute force on small blocks).
"""

from __future__ import annotations

from dataclasses import dataclass

from slpvec.codegen.block import operand_positions
from slpvec.codegen.schedule import pack_reachability
from slpvec.codegen.operands import lane_value, choose
from slpvec.context import BlockContext
from slpvec.estimate import operand_cost, pack_query
from slpvec.ir.types import LOCAL, PHI
from slpvec.packs import Pack


@dataclass(frozen=True)
class Slot:
    """Operand vector at ``position`` of candidate ``pack``."""

    pack: int
    position: int
    base: float                                 # cost when no match is chosen
    matches: tuple[tuple[int, float], ...]      # (candidate, cost when it is chosen)


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


def _slot_costs(ctx: BlockContext, pack: Pack, position: int,
                packs_of: list[list[int]]) -> tuple[float, tuple[tuple[int, float], ...]]:
    """(base cost, matches) of one operand slot of ``pack``."""
    instrs = ctx.block.instrs
    lanes = [instrs[i] for i in pack.lanes]
    ops = [ins.operands[position] for ins in lanes]
    names = [ins.ref for ins in instrs]
    scalar = choose([lane_value(op, {}, names) for op in ops], (), ops[0].type)
    base = operand_cost(ctx, scalar)  # gather, splat or constant, with nothing packed
    matches = []
    if all(op.kind == LOCAL for op in ops):
        wanted = tuple(op.index for op in ops)
        # a pack holding every lane serves the slot, by reuse (same lanes, same
        # order) or by one shufflevector (permuting or repeating its lanes).
        # Codegen can also narrow a wider pack; the model leaves that out (it
        # multiplies variables and solve time for little gain), so it may
        # overestimate such a slot, never underestimate it.
        for q in packs_of[wanted[0]]:
            lanes_q = ctx.candidates.packs[q].lanes
            if len(lanes_q) > len(wanted) or not set(wanted) <= set(lanes_q):
                continue
            if lanes_q == wanted:
                matches.append((q, 0.0))
            else:
                mask = tuple(lanes_q.index(i) for i in wanted)
                matches.append((q, ctx.table.permute_cost(ops[0].type, len(lanes_q), mask)))
    return base, tuple(matches)


def build_problem(ctx: BlockContext) -> IlpProblem:
    """The packing problem of ``ctx.block`` over its candidate packs."""
    packs = ctx.candidates.packs
    instrs = ctx.block.instrs
    table = ctx.table
    vector_costs = tuple(table.costs([pack_query(ctx, p) for p in packs])) if packs else ()
    extract_costs = tuple(tuple(table.extract_cost(instrs[p.lanes[0]].type, p.width, lane)
                                if instrs[p.lanes[0]].name else 0.0
                                for lane in range(p.width)) for p in packs)
    packs_of: list[list[int]] = [[] for _ in instrs]
    for q, p in enumerate(packs):
        for i in p.lanes:
            packs_of[i].append(q)
    slots, slot_of = [], {}
    for q, p in enumerate(packs):
        for position in operand_positions(instrs[p.lanes[0]]):
            base, matches = _slot_costs(ctx, p, position, packs_of)
            slot_of[(q, position)] = len(slots)
            slots.append(Slot(q, position, base, matches))
    uses = [Use(i, ()) for i in ctx.block.live_out]
    for user in instrs:
        if user.kind == PHI:
            continue
        for position, op in enumerate(user.operands):
            if op.kind != LOCAL or not packs_of[op.index]:
                continue
            covering = []
            for p in packs_of[user.idx]:
                s = slot_of.get((p, position))
                if s is not None:
                    covering += [(s, m) for m, (q, _) in enumerate(slots[s].matches)
                                 if op.index in packs[q].lanes]
            uses.append(Use(op.index, tuple(covering)))
    reaches = pack_reachability(ctx.deps.ancestors, packs)
    conflicts = tuple((a, b) for a in range(len(packs)) for b in range(a + 1, len(packs))
                      if reaches(a, b) and reaches(b, a))
    return IlpProblem(ctx.block.id, tuple(ctx.scalar_costs), packs, vector_costs,
                      extract_costs, tuple(slots), tuple(uses), conflicts,
                      ctx.deps.ancestors)


def plan_objective(problem: IlpProblem, chosen: set[int] | frozenset[int]) -> float:
    """The objective of choosing candidate indices ``chosen`` (module docstring)."""
    packed = {i: q for q in chosen for i in problem.packs[q].lanes}
    total = sum(c for i, c in enumerate(problem.scalar_costs) if i not in packed)
    total += sum(problem.vector_costs[q] for q in chosen)
    in_force = set()
    for s, slot in enumerate(problem.slots):
        if slot.pack not in chosen:
            continue
        # codegen reuses (or permutes) a chosen pack holding the slot's lanes;
        # overlapping candidates make at most one of them chosen
        match = next(((m, cost) for m, (q, cost) in enumerate(slot.matches) if q in chosen), None)
        if match is None:
            total += slot.base
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
