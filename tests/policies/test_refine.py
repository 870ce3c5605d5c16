"""The cost-model repair of learned plans: complete, widen, prune."""

from slpvec.estimate import plan_cost
from slpvec.packs import Pack
from slpvec.policies.refine import refine_plan

from ..codegen.test_golden import lanes_add
from ..ilp_oracle.helpers import context


def field(k, f):  # instruction index of field f of lane k in lanes_add
    return 7 * k + f


def half_width_plan(n):
    """Each lanes_add tree (b loads, c loads, fadds, stores) packed as two halves."""
    half = n // 2
    return tuple(Pack(tuple(field(k, f) for k in lanes))
                 for f in (1, 3, 4, 6) for lanes in (range(half), range(half, n)))


def test_widen_merges_two_half_width_trees():
    ctx = context(lanes_add(8))
    start = half_width_plan(8)
    refined = refine_plan(ctx, start)
    assert sorted(p.lanes for p in refined) == sorted(
        tuple(field(k, f) for k in range(8)) for f in (1, 3, 4, 6))
    assert plan_cost(ctx, refined) < plan_cost(ctx, start)


def test_refine_completes_missing_operands_and_never_gets_costlier():
    ctx = context(lanes_add(4))
    stores_only = (Pack(tuple(field(k, 6) for k in range(4))),)
    refined = refine_plan(ctx, stores_only)
    assert len(refined) == 4
    assert plan_cost(ctx, refined) <= plan_cost(ctx, stores_only)
    assert refine_plan(ctx, ()) == ()
