"""Order packs and remaining scalars so every dependence is respected."""

from __future__ import annotations

import heapq

from ..analysis.dependence import DependenceGraph
from ..errors import InternalError
from ..packs import Pack


class ScheduleError(InternalError):
    """The packs of a plan depend on each other in a cycle."""


def units_of(n_instrs: int, packs: tuple[Pack, ...]) -> list[int]:
    """unit id of each instruction: pack k -> k, scalar i -> len(packs) + i."""
    unit = [len(packs) + i for i in range(n_instrs)]
    for k, pack in enumerate(packs):
        for i in pack.lanes:
            unit[i] = k
    return unit


def pack_reachability(ancestors, packs: tuple[Pack, ...]):
    """``reaches(a, b)``: some lane of pack a has a dependence path to some
    lane of pack b (``ancestors``: the DAG's reachability bitsets)."""
    masks = [sum(1 << i for i in p.lanes) for p in packs]
    reach_into = [0] * len(packs)  # ancestors of any lane of each pack
    for k, p in enumerate(packs):
        for i in p.lanes:
            reach_into[k] |= ancestors[i]
    return lambda a, b: bool(reach_into[b] & masks[a])


def pack_cycle(deps: DependenceGraph, packs: tuple[Pack, ...]) -> list[int] | None:
    """Indices of packs forming a dependence cycle, or None if schedulable.

    Exact and cheap (O(k^2) bit operations for k packs): any cycle of the
    scheduling graph passes through packs, and between two consecutive packs
    of such a cycle there is a dependence path, visible in the reachability
    bitsets. So the plan is schedulable iff the graph "some lane of P reaches
    some lane of Q" over packs is acyclic.
    """
    reaches = pack_reachability(deps.ancestors, packs)
    succs = [[q for q in range(len(packs)) if q != k and reaches(k, q)]
             for k in range(len(packs))]
    state = [0] * len(packs)  # 0 new, 1 on stack, 2 done
    for root in range(len(packs)):
        if state[root]:
            continue
        path = [root]
        stack = [iter(succs[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[nxt] == 1:
                return path[path.index(nxt):]
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(succs[nxt]))
    return None


class PackCycleTracker:
    """Incremental :func:`pack_cycle` for a growing acyclic set of packs.

    Keeps, per chosen pack, the set of chosen packs it reaches transitively
    (bit k = chosen pack k). A new pack p closes a cycle iff some pack p
    reaches leads (transitively, or is itself) to some pack that reaches p,
    so each test costs O(k) bit operations instead of an O(k^2) search.
    """

    def __init__(self, ancestors):
        self.ancestors = ancestors
        self.masks: list[int] = []        # lanes of chosen pack k
        self.reach_into: list[int] = []   # ancestors of any lane of chosen pack k
        self.descendants: list[int] = []  # chosen packs reachable from k, as bits

    def copy(self) -> "PackCycleTracker":
        """An independent tracker of the same chosen packs."""
        other = PackCycleTracker(self.ancestors)
        other.masks, other.reach_into = list(self.masks), list(self.reach_into)
        other.descendants = list(self.descendants)
        return other

    def _links(self, pack: Pack) -> tuple[int, int, int, int]:
        mask = sum(1 << i for i in pack.lanes)
        into = 0
        for i in pack.lanes:
            into |= self.ancestors[i]
        out_bits = in_bits = 0
        for k, (m, r) in enumerate(zip(self.masks, self.reach_into)):
            if r & mask:
                out_bits |= 1 << k      # the new pack reaches chosen pack k
            if into & m:
                in_bits |= 1 << k       # chosen pack k reaches the new pack
        return mask, into, out_bits, in_bits

    def _closure(self, out_bits: int) -> int:
        closure, k = out_bits, 0
        bits = out_bits
        while bits:
            if bits & 1:
                closure |= self.descendants[k]
            bits >>= 1
            k += 1
        return closure

    def would_cycle(self, pack: Pack) -> bool:
        """True if adding ``pack`` to the chosen packs makes them unschedulable."""
        _, _, out_bits, in_bits = self._links(pack)
        return bool(out_bits and in_bits and self._closure(out_bits) & in_bits)

    def add(self, pack: Pack) -> None:
        """Choose ``pack`` (the caller checked :meth:`would_cycle`)."""
        mask, into, out_bits, in_bits = self._links(pack)
        new = len(self.masks)
        reach = self._closure(out_bits)
        for k in range(new):
            if (in_bits >> k) & 1 or self.descendants[k] & in_bits:
                self.descendants[k] |= (1 << new) | reach
        self.masks.append(mask)
        self.reach_into.append(into)
        self.descendants.append(reach)


def packs_acyclic(deps: DependenceGraph, packs: tuple[Pack, ...]) -> bool:
    """True if the packs can be scheduled together (see :func:`pack_cycle`)."""
    return pack_cycle(deps, packs) is None


def schedule(deps: DependenceGraph, packs: tuple[Pack, ...]) -> list[int]:
    """Unit ids in an order respecting all dependences (see :func:`units_of`).

    Ties go to the unit whose earliest instruction comes first, so an empty
    plan reproduces the original order. Raises ScheduleError on a cycle.

    A unit is ready once every ancestor of its lanes (outside the unit) is
    scheduled, the same as "every predecessor unit is", but read from the
    reachability bitsets: the edge list of a large block whose accesses all
    alias is quadratic. A waiting unit watches its latest unscheduled
    ancestor, and is looked at again only when that one is scheduled.
    """
    n = len(deps.block.instrs)
    unit = units_of(n, packs)
    n_units = len(packs) + n
    first = [n] * n_units
    lanes = [0] * n_units
    waits_for = [0] * n_units
    for i, u in enumerate(unit):
        first[u] = min(first[u], i)
        lanes[u] |= 1 << i
        waits_for[u] |= deps.ancestors[i]
    live = set(unit)
    watchers: dict[int, list[int]] = {}
    ready: list[tuple[int, int]] = []
    scheduled = 0

    def wait_or_ready(u: int) -> None:
        pending = waits_for[u] & ~scheduled & ~lanes[u]
        if pending:
            watchers.setdefault(pending.bit_length() - 1, []).append(u)
        else:
            heapq.heappush(ready, (first[u], u))

    for u in sorted(live):
        wait_or_ready(u)
    order = []
    while ready:
        _, u = heapq.heappop(ready)
        order.append(u)
        scheduled |= lanes[u]
        bits = lanes[u]
        while bits:
            low = bits & -bits
            bits ^= low
            for waiting in watchers.pop(low.bit_length() - 1, ()):
                wait_or_ready(waiting)
    if len(order) != len(live):
        raise ScheduleError("packs depend on each other in a cycle")
    return order
