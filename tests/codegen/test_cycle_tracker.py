"""The incremental cycle check agrees with the exact O(k^2) one on random DAGs."""

import random
from types import SimpleNamespace

from slpvec.codegen.schedule import PackCycleTracker, pack_cycle
from slpvec.packs import Pack


def random_dag(rng: random.Random, n: int, p_edge: float):
    """Ancestor bitsets of a random DAG over 0..n-1 (edges go forward)."""
    ancestors = [0] * n
    for v in range(n):
        for u in range(v):
            if rng.random() < p_edge:
                ancestors[v] |= ancestors[u] | (1 << u)
    return ancestors


def random_deps(rng: random.Random, low: int, high: int):
    """(n, the ancestor bitsets of a random DAG of n nodes, n in low..high,
    as the dependence graph :func:`pack_cycle` reads)."""
    n = rng.randint(low, high)
    return n, SimpleNamespace(ancestors=random_dag(rng, n, rng.choice([0.05, 0.15, 0.3])))


def test_tracker_matches_pack_cycle():
    rng = random.Random(0)
    checked = cycles = 0
    for _ in range(300):
        n, deps = random_deps(rng, 6, 24)
        ancestors = deps.ancestors
        tracker, chosen, used = PackCycleTracker(ancestors), [], set()
        for _ in range(30):
            lanes = tuple(rng.sample(range(n), rng.choice([2, 2, 3, 4])))
            independent = all(not (ancestors[a] >> b) & 1 for a in lanes for b in lanes)
            if used & set(lanes) or not independent:
                continue
            pack = Pack(lanes)
            expected = pack_cycle(deps, tuple(chosen) + (pack,)) is not None
            assert tracker.would_cycle(pack) == expected
            checked += 1
            cycles += expected
            if not expected:
                tracker.add(pack)
                chosen.append(pack)
                used |= set(lanes)
    assert checked > 1000 and cycles > 50  # both outcomes well exercised
