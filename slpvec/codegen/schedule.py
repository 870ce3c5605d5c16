"""Order packs and remaining scalars so every dependence is respected."""

from __future__ import annotations

import heapq

from ..analysis.dependence import DependenceGraph
from ..errors import SlpvecError
from ..packs import Pack


class ScheduleError(SlpvecError):
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


def packs_acyclic(deps: DependenceGraph, packs: tuple[Pack, ...]) -> bool:
    """True if the packs can be scheduled together (see :func:`pack_cycle`)."""
    return pack_cycle(deps, packs) is None


def schedule(deps: DependenceGraph, packs: tuple[Pack, ...]) -> list[int]:
    """Unit ids in an order respecting all dependences (see :func:`units_of`).

    Ties go to the unit whose earliest instruction comes first, so an empty
    plan reproduces the original order. Raises ScheduleError on a cycle.
    """
    n = len(deps.block.instrs)
    unit = units_of(n, packs)
    n_units = len(packs) + n
    first = [n] * n_units
    for i, u in enumerate(unit):
        first[u] = min(first[u], i)
    succs: list[set[int]] = [set() for _ in range(n_units)]
    indegree = [0] * n_units
    for a, b, _ in deps.edges:
        ua, ub = unit[a], unit[b]
        if ua != ub and ub not in succs[ua]:
            succs[ua].add(ub)
            indegree[ub] += 1
    live = {u for u in unit}
    ready = [(first[u], u) for u in live if indegree[u] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, u = heapq.heappop(ready)
        order.append(u)
        for v in succs[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(ready, (first[v], v))
    if len(order) != len(live):
        raise ScheduleError("packs depend on each other in a cycle")
    return order
