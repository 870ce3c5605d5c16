"""Cost-model repair of a plan: complete operand trees, widen, drop what does not pay.

A learned policy can pack the top of a tree (stores, arithmetic) and stop
before its leaves (loads), leaving the packs fed by gathers that cost more than
they save; or it can pack a tree at half the width the target allows.
:func:`refine_plan` is a small local search on the codegen-level estimate
(:func:`slpvec.estimate.plan_cost`):

1. **complete**: add each candidate that is an operand vector of a chosen pack
   (and overlaps no chosen pack), alone or with its whole operand tree of
   candidates, if the block's estimated cost drops; repeat while it does, at
   most ``rounds`` times;
2. **widen**: replace two chosen packs whose concatenation is a candidate by
   that candidate, together with the same merge down their operand trees
   (operand packs of the two that are chosen and concatenate to a candidate),
   if the estimate drops; repeat while it does;
3. **feed**: add the candidate whose lanes all feed chosen packs that lowers
   the estimate most (a load pack read through lane swaps or shuffles that the
   operand order does not reveal); repeat while one does; then widen again
   (a wide feeder can make a tree merge pay: cglm's mat2x4 multiply goes
   from two 4-wide trees at cost 23 to one 8-wide tree at 14, the ILP's plan)
   and feed again, at most ``rounds`` times;
4. **prune**: drop each pack whose removal lowers the estimate.

Only strict improvements are taken, the plan stays legal (``plan_cost`` is
inf for unschedulable sets), and a plan not cheaper than scalar becomes empty.
The block's time budget (``ctx.time_left()``) stops the search early.
"""

from __future__ import annotations

from ..context import BlockContext
from ..estimate import plan_cost
from ..ir.types import LOCAL
from ..packs import Pack
from .memo import operand_packs, remembered

EPSILON = 1e-9
Lanes = tuple[int, ...]


def operand_tree(ctx: BlockContext, lanes: Lanes, candidates: set[Lanes], used: set[int]
                 ) -> list[Lanes]:
    """``lanes`` and, transitively, each operand vector of it that is a
    candidate overlapping nothing in ``used`` or already taken."""
    tree, taken, work = [], set(used), [lanes]
    while work:
        pack = work.pop()
        if pack is None or pack not in candidates or taken & set(pack):
            continue
        tree.append(pack)
        taken |= set(pack)
        work += list(operand_packs(ctx, pack))
    return tree


def _complete(ctx: BlockContext, current: list[Pack], best: float, candidates: set[Lanes],
              rounds: int) -> tuple[list[Pack], float]:
    """Add missing operand packs, alone or with their whole operand tree."""
    for _ in range(rounds):
        used = {i for p in current for i in p.lanes}
        added = False
        for pack in list(current):
            for operand in operand_packs(ctx, pack.lanes):
                if (operand is None or operand not in candidates or used & set(operand)
                        or ctx.time_left() <= 0):
                    continue
                tree = operand_tree(ctx, operand, candidates, used)
                for addition in ([operand], tree) if len(tree) > 1 else ([operand],):
                    trial = current + [Pack(lanes) for lanes in addition]
                    cost = plan_cost(ctx, tuple(trial))
                    if cost < best - EPSILON:
                        current, best, added = trial, cost, True
                        used |= {i for lanes in addition for i in lanes}
                        break
        if not added:
            break
    return current, best


def _add_feeders(ctx: BlockContext, current: list[Pack], best: float,
                 rounds: int) -> tuple[list[Pack], float]:
    """Add candidates all of whose lanes feed chosen packs (e.g. a load pack a
    commutative pack reads with some lanes swapped, or one that shuffles
    into splats), if the estimate drops; best improvement per round."""
    instrs = ctx.block.instrs
    for _ in range(rounds):
        used = {i for p in current for i in p.lanes}
        feeding = {op.index for i in used for op in instrs[i].operands if op.kind == LOCAL}
        found = None
        for cand in ctx.candidates.packs:
            if ctx.time_left() <= 0:
                return current, best
            if used.isdisjoint(cand.lanes) and feeding.issuperset(cand.lanes):
                cost = plan_cost(ctx, tuple(current) + (cand,))
                if cost < best - EPSILON:
                    found, best = cand, cost
        if found is None:
            break
        current = current + [found]
    return current, best


def merged_tree(ctx: BlockContext, chosen: set[Lanes], first: Lanes, second: Lanes,
                candidates: set[Lanes]) -> dict[Lanes, Lanes]:
    """Chosen packs -> their merged pack, for ``first + second`` and, down the
    operand trees, every pair of chosen operand packs (same operand position)
    that concatenates to a candidate. Empty if ``first + second`` is none."""
    merges: dict[Lanes, Lanes] = {}
    work = [(first, second)]
    while work:
        a, b = work.pop()
        if a in merges or b in merges or a == b or a + b not in candidates:
            continue
        merges[a] = merges[b] = a + b
        for op_a, op_b in zip(operand_packs(ctx, a), operand_packs(ctx, b)):
            if op_a in chosen and op_b in chosen:
                work.append((op_a, op_b))
    return merges


def concatenations(candidates: set[Lanes]) -> dict[Lanes, set[Lanes]]:
    """For each lane tuple ``a``: the tuples ``b`` such that ``a + b`` is a
    candidate (so widening looks up pairs instead of trying every two packs)."""
    tails: dict[Lanes, set[Lanes]] = {}
    for lanes in candidates:
        for cut in range(1, len(lanes)):
            tails.setdefault(lanes[:cut], set()).add(lanes[cut:])
    return tails


def _widen(ctx: BlockContext, current: list[Pack], best: float, candidates: set[Lanes]
           ) -> tuple[list[Pack], float]:
    """Best-improvement tree merges until none lowers the estimate."""
    known = remembered(ctx, "concatenations", ctx.candidates)
    tails = known.get("tails")
    if tails is None:  # the same for every widening of the block
        tails = known["tails"] = concatenations(candidates)
    while ctx.time_left() > 0:
        chosen = {p.lanes for p in current}
        found = None
        for a in sorted(chosen):
            for b in sorted(tails.get(a, set()) & chosen):
                if ctx.time_left() <= 0:
                    continue
                merges = merged_tree(ctx, chosen, a, b, candidates)
                trial = [p for p in current if p.lanes not in merges]
                trial += [Pack(lanes) for lanes in dict.fromkeys(merges.values())]
                cost = plan_cost(ctx, tuple(trial))
                if cost < best - EPSILON:
                    found, best = trial, cost
        if found is None:
            break
        current = found
    return current, best


def refine_plan(ctx: BlockContext, packs: tuple[Pack, ...], rounds: int = 4
                ) -> tuple[Pack, ...]:
    """A plan at least as cheap as ``packs`` by the estimate (see module doc)."""
    return refined(ctx, packs, rounds)[0]


def refined(ctx: BlockContext, packs: tuple[Pack, ...], rounds: int = 4
            ) -> tuple[tuple[Pack, ...], float]:
    """(:func:`refine_plan`, its estimate: ``plan_cost``, the scalar total
    for no packs). Remembered per block (``ctx.memo``) when the search ran
    to its end, so that ``gnn`` refines a greedy plan equal to the model's
    only once."""
    known = remembered(ctx, "refined", ctx.candidates)
    key = (tuple(packs), rounds)
    if key in known:
        return known[key]
    found = _search(ctx, packs, rounds)
    if ctx.time_left() > 0:  # a search the budget cut short may go further next time
        known[key] = found
    return found


def _search(ctx: BlockContext, packs: tuple[Pack, ...], rounds: int
            ) -> tuple[tuple[Pack, ...], float]:
    """(plan, estimate): ``best`` is always the estimate of ``current``."""
    candidates = {p.lanes for p in ctx.candidates.packs}
    current = list(packs)
    best = plan_cost(ctx, tuple(current)) if current else ctx.scalar_total
    current, best = _complete(ctx, current, best, candidates, rounds)
    current, best = _widen(ctx, current, best, candidates)
    for _ in range(rounds):  # a feeder can make a merge pay: widen again after one
        fed, best_fed = _add_feeders(ctx, current, best, rounds)
        if best_fed >= best - EPSILON:
            break
        current, best = _widen(ctx, fed, best_fed, candidates)
    for pack in list(current):
        if ctx.time_left() <= 0:
            break
        trial = [q for q in current if q is not pack]  # (== compares field by field)
        cost = plan_cost(ctx, tuple(trial)) if trial else ctx.scalar_total
        if cost < best - EPSILON:
            current, best = trial, cost
    return (tuple(current), best) if best < ctx.scalar_total - EPSILON else ((), ctx.scalar_total)
