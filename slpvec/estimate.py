"""Estimated TTI cost of a block under a pack plan.

Mirrors codegen exactly (the operand strategies of :mod:`codegen.operands`,
the extract rule of :class:`codegen.BlockEmitter`) and prices every emitted
instruction by :mod:`slpvec.pricing`, the rule the ILP reads too, so that the estimate predicts the ``slpvec
cost`` yardstick of the generated block. Units: TTI cost units of the chosen
cost kind.

Policies price thousands of plans per block, each a small change of the one
before (a tree added, two packs merged, one dropped), so :class:`PlanEstimator`
keeps the last plan's terms and recomputes only the packs and instructions
next to the change: an estimate costs time in proportion to the change and
its neighbourhood (its operands and users), not to the block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .codegen.block import operand_positions
from .codegen import vector_ops as vo
from .codegen.operands import operand_vectors
from .codegen.schedule import PackCycleTracker, pack_cycle
from .context import BlockContext
from .analysis.loops import used_by_other_blocks
from .ir.types import LOAD, LOCAL, STORE
from .packs import Pack
from .pricing import operand_cost, pack_costs

def plan_cost(ctx: BlockContext, packs: tuple[Pack, ...]) -> float:
    """Estimated cost of the block with ``packs`` vectorized (inf if
    unschedulable, or if packs overlap: codegen rejects such a plan)."""
    estimator = ctx.memo.get("plan_estimator")
    if estimator is None or not estimator.serves(ctx):
        estimator = ctx.memo["plan_estimator"] = PlanEstimator(ctx)
    try:
        return estimator.cost(packs)
    except Exception:
        del ctx.memo["plan_estimator"]  # a failed pricing may leave its terms half-updated
        raise


Lanes = tuple[int, ...]


class AcyclicPlans:
    """Schedulability of pack sets (:func:`pack_cycle`), from a few remembered
    acyclic sets and their :class:`PackCycleTracker`: a subset of a known
    acyclic set is acyclic; otherwise the missing packs are added to a copy
    of the closest known set's tracker, O(packs) bit operations each. Only
    when that finds a cycle through packs outside the asked set is the
    O(packs^2) :func:`pack_cycle` asked."""

    KEEP = 4

    def __init__(self, deps):
        self.deps = deps
        self.known: list[tuple[frozenset, PackCycleTracker]] = [
            (frozenset(), PackCycleTracker(deps.ancestors))]

    def __call__(self, packs: tuple[Pack, ...]) -> bool:
        wanted = frozenset(p.lanes for p in packs)
        best, best_score = 0, None
        for k, (known, _) in enumerate(self.known):
            if wanted <= known:
                self._remember(*self.known.pop(k))
                return True
            extra = len(known - wanted)
            score = (extra == 0, len(known) - 2 * extra)
            if best_score is None or score > best_score:
                best, best_score = k, score
        known, tracker = self.known[best]
        self._remember(known, tracker)  # the base stays (most recently used)
        trial = tracker.copy()
        for pack in packs:
            if pack.lanes in known:
                continue
            if trial.would_cycle(pack):
                return False if known <= wanted else self._exact(packs, wanted)
            trial.add(pack)
        self._remember(known | wanted, trial)
        return True

    def _exact(self, packs: tuple[Pack, ...], wanted: frozenset) -> bool:
        if pack_cycle(self.deps, packs) is not None:
            return False
        tracker = PackCycleTracker(self.deps.ancestors)
        for pack in packs:
            tracker.add(pack)
        self._remember(wanted, tracker)
        return True

    def _remember(self, known: frozenset, tracker: PackCycleTracker) -> None:
        self.known = [entry for entry in self.known if entry[0] != known][-(self.KEEP - 1):]
        self.known.append((known, tracker))


@dataclass(frozen=True)
class _PackFacts:
    """What a pack costs whatever else is packed."""

    pack: Pack
    lanes: tuple                 # its instructions
    positions: tuple[int, ...]   # operand positions that become vectors
    term: float                  # vector instruction minus the scalars it replaces
    pointer: int | None          # lane 0's address, if an instruction of the block
    operand_ids: tuple[int, ...]  # block instructions read at those positions, all lanes


class PlanEstimator:
    """:func:`plan_cost` of one block, kept for the last plan priced.

    The cost of a plan is the scalar total, plus per pack its vector
    instruction minus the scalars it replaces, plus each distinct operand
    vector built (keyed by :attr:`OperandVector.key`, with packs named by
    their lanes), plus an extract per packed, named instruction that is
    needed as a scalar (read by another block, used by a scalar (an
    unpacked phi too), a gather or a splat, or the address of a memory pack). A pack's operand vectors depend
    only on which packs hold its operands; an instruction's extract only on
    its users, so a new plan updates the packs using a changed lane and the
    instructions next to one.
    """

    def __init__(self, ctx: BlockContext):
        self.ctx, self.deps, self.table = ctx, ctx.deps, ctx.table
        self.scalar_costs = ctx.scalar_costs
        instrs = self.instrs = ctx.block.instrs
        self.names = [ins.ref for ins in instrs]
        users: list[list[int]] = [[] for _ in instrs]
        for ins in instrs:
            for op in ins.operands:
                if op.kind == LOCAL:
                    users[op.index].append(ins.idx)
        self.users = [tuple(dict.fromkeys(u)) for u in users]
        self.live_out = used_by_other_blocks(ctx.function, ctx.block)
        self.scalar_total = ctx.scalar_total
        self.acyclic = AcyclicPlans(ctx.deps)
        self.facts: dict[Lanes, _PackFacts] = {}
        self.key_costs: dict[tuple, float] = {}
        self.extract_costs: dict[tuple, float] = {}
        self.operand_memo: dict[tuple, tuple[tuple, tuple[int, ...]]] = {}  # see _contribute
        # the last plan: packs by lanes, and each packed instruction's (lanes, lane)
        self.chosen: dict[Lanes, Pack] = {}
        self.pack_of: dict[int, tuple[Lanes, int]] = {}
        self.terms: dict[Lanes, float] = {}  # chosen pack -> _PackFacts.term
        self.vectors: dict[Lanes, tuple[tuple, tuple[int, ...]]] = {}  # keys, extracted
        self.key_count: dict[tuple, int] = {}
        self.built: dict[tuple, float] = {}  # operand vectors built -> cost
        self.demand: dict[int, int] = {}    # uses by gathers, splats, addresses
        self.needs: dict[int, float] = {}   # packed instructions extracted -> cost

    def serves(self, ctx: BlockContext) -> bool:
        """True if this estimator prices ``ctx`` (same block analysis and costs)."""
        return (ctx.deps is self.deps and ctx.table is self.table
                and ctx.scalar_costs is self.scalar_costs)

    def cost(self, packs: tuple[Pack, ...]) -> float:
        """Estimated cost of the block with ``packs`` (see :func:`plan_cost`)."""
        packs = tuple(packs)
        lanes = [i for p in packs for i in p.lanes]
        if len(lanes) != len(set(lanes)) or not self.acyclic(packs):
            return math.inf
        try:
            added = [self._facts(p) for p in packs if p.lanes not in self.chosen]
        except vo.UnsupportedPack:
            return math.inf
        wanted = {p.lanes for p in packs}
        self._move([key for key in self.chosen if key not in wanted], added)
        return float(self.scalar_total + sum(self.terms.values()) + sum(self.built.values())
                     + sum(self.needs.values()))

    def _facts(self, pack: Pack) -> _PackFacts:
        facts = self.facts.get(pack.lanes)
        if facts is None:
            lanes = tuple(self.instrs[i] for i in pack.lanes)
            first = lanes[0]
            vector = pack_costs(self.ctx, (pack,))[0]
            pointer = None
            if first.kind in (LOAD, STORE):
                ptr = first.operands[0 if first.kind == LOAD else 1]
                pointer = ptr.index if ptr.kind == LOCAL else None
            positions = tuple(operand_positions(first))
            facts = self.facts[pack.lanes] = _PackFacts(
                pack, lanes, positions, vector - sum(self.scalar_costs[i] for i in pack.lanes),
                pointer, tuple(op.index for ins in lanes for p in positions
                               if (op := ins.operands[p]).kind == LOCAL))
        return facts

    def _move(self, removed: list[Lanes], added: list[_PackFacts]) -> None:
        """Make the plan the last one minus ``removed`` plus ``added``."""
        changed = [i for key in removed for i in key] + [i for f in added for i in f.pack.lanes]
        touched = set(changed)
        for key in removed:
            touched |= self._withdraw(key)
            del self.chosen[key], self.terms[key]
            for i in key:
                del self.pack_of[i]
        for facts in added:
            self.chosen[facts.pack.lanes] = facts.pack
            self.terms[facts.pack.lanes] = facts.term
            for lane, i in enumerate(facts.pack.lanes):
                self.pack_of[i] = (facts.pack.lanes, lane)
        affected = {f.pack.lanes for f in added}
        for i in changed:
            touched.update(op.index for op in self.instrs[i].operands if op.kind == LOCAL)
            affected.update(self.pack_of[u][0] for u in self.users[i] if u in self.pack_of)
        for key in affected:
            if key in self.vectors:
                touched |= self._withdraw(key)
            touched |= self._contribute(key)
        for i in touched:
            self._update_need(i)

    def _withdraw(self, key: Lanes) -> set[int]:
        """Take pack ``key``'s operand vectors and uses out of the totals;
        returns the instructions whose extract may change."""
        keys, extracted = self.vectors.pop(key)
        for vector_key in keys:
            self.key_count[vector_key] -= 1
            if not self.key_count[vector_key]:
                del self.key_count[vector_key], self.built[vector_key]
        for i in extracted:
            self.demand[i] -= 1
        return set(extracted)

    def _contribute(self, key: Lanes) -> set[int]:
        """Put pack ``key``'s operand vectors (under the current plan) and
        uses into the totals; returns the instructions whose extract may change."""
        facts = self.facts[key]
        # the operand vectors depend only on where the pack's operands live
        around = (key, tuple(map(self.pack_of.get, facts.operand_ids)))
        found = self.operand_memo.get(around)
        if found is None:
            found = self.operand_memo[around] = self._operand_vectors(facts)
        keys, extracted = found
        for vector_key in keys:
            self.key_count[vector_key] = self.key_count.get(vector_key, 0) + 1
            self.built[vector_key] = self.key_costs[vector_key]
        if facts.pointer is not None:
            extracted += (facts.pointer,)
        for i in extracted:
            self.demand[i] = self.demand.get(i, 0) + 1
        self.vectors[key] = (tuple(keys), tuple(extracted))
        return set(extracted)

    def _operand_vectors(self, facts: _PackFacts) -> tuple[tuple, tuple[int, ...]]:
        """(keys of the operand vectors built, instructions they extract) of
        a pack under the current plan, each vector priced into ``key_costs``."""
        # pack ids are lanes: pack_of and chosen serve as codegen's pack_of and packs
        vectors = operand_vectors(list(facts.lanes), list(facts.positions), self.pack_of,
                                  self.names, self.chosen)
        keys, extracted = [], []
        for vector in vectors:
            vector_key = vector.key
            if vector_key is None:
                continue
            if vector_key not in self.key_costs:
                widths = tuple(len(source) for source in vector.sources)
                self.key_costs[vector_key] = operand_cost(self.ctx, vector, widths)
            keys.append(vector_key)
            extracted += vector.extracted()
        return tuple(keys), tuple(extracted)

    def _update_need(self, i: int) -> None:
        """Whether packed instruction ``i`` needs an extract under the current plan."""
        place = self.pack_of.get(i)
        ins = self.instrs[i]
        if place is None or not ins.name or not (
                i in self.live_out or self.demand.get(i)
                or any(u not in self.pack_of for u in self.users[i])):
            self.needs.pop(i, None)
            return
        shape = (ins.type, len(place[0]), place[1])
        if shape not in self.extract_costs:
            self.extract_costs[shape] = self.table.extract_cost(*shape)
        self.needs[i] = self.extract_costs[shape]
