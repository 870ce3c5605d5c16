"""The ilp policy after a time limit: the cheaper of the incumbent and the
greedy plan is kept, and the report says which."""

import functools

import pytest

from ilp_oracle import policy as ilp_policy
from ilp_oracle.model import FEASIBLE, OPTIMAL, TIMEOUT_NO_SOLUTION, Solution, solve
from ilp_oracle.problem import build_problem
from slpvec.driver import run_slp
from slpvec.estimate import plan_cost
from slpvec.packs import PackPlan
from slpvec.policies import get_policy
from slpvec.tools.randblocks import BlockSpec, random_block_ir

from .helpers import HASWELL, context

pytestmark = pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated:DeprecationWarning")

IR = random_block_ir(3, BlockSpec(n_arrays=4, n_groups=12, max_lanes=8, elem="float"))
CTX = context(IR)
GREEDY = get_policy("greedy").plan(CTX).packs


def poor_incumbent():
    """Half the greedy plan: cheaper than scalar, dearer than all of it."""
    half = GREEDY[:len(GREEDY) // 2]
    assert plan_cost(CTX, GREEDY) + 1 < plan_cost(CTX, half) < CTX.scalar_total - 1
    return half


@functools.cache
def optimal_plan():
    return solve(build_problem(CTX), 60).plan.packs


def stopped_solve(monkeypatch, status, packs):
    """Make every solve stop at its time limit with ``packs`` as its incumbent."""
    def fake(problem, limit, solver):
        objective = plan_cost(CTX, packs) if packs else problem.scalar_total
        return Solution(PackPlan(problem.block_id, packs), objective, status, limit)
    monkeypatch.setattr(ilp_policy, "solve", fake)


@pytest.mark.parametrize("status, incumbent", [(FEASIBLE, poor_incumbent),
                                               (TIMEOUT_NO_SOLUTION, lambda: ())])
def test_time_limit_keeps_greedy_when_it_is_cheaper(monkeypatch, status, incumbent):
    stopped_solve(monkeypatch, status, incumbent())
    policy = get_policy("ilp", time_limit_s=1)
    _, report = run_slp(IR, policy, HASWELL)
    (block,) = report.blocks
    assert block.packs == tuple(p.lanes for p in GREEDY) and block.vectorized
    assert block.solve.kept == "greedy" and block.solve.status == status
    assert block.plan_note.startswith("ilp: time limit 1 s reached with ")
    assert "; kept greedy (estimated " in block.plan_note


def test_time_limit_keeps_a_better_incumbent(monkeypatch):
    optimal = optimal_plan()
    assert plan_cost(CTX, optimal) < plan_cost(CTX, GREEDY)
    stopped_solve(monkeypatch, FEASIBLE, optimal)
    policy = get_policy("ilp", time_limit_s=1)
    plan = policy.plan(CTX)
    assert plan.packs == optimal and plan.solve.kept == "ilp"
    assert "kept ilp" in plan.note


def test_optimal_solve_needs_no_greedy_plan(monkeypatch):
    optimal = optimal_plan()
    stopped_solve(monkeypatch, OPTIMAL, optimal)
    monkeypatch.setattr(ilp_policy.GreedyBottomUp, "plan", None)  # must not be called
    policy = get_policy("ilp")
    plan = policy.plan(CTX)
    assert plan.note == "ilp: optimal" and plan.solve.kept == "ilp"


def test_a_real_tiny_time_limit_is_never_worse_than_greedy():
    ir = random_block_ir(11, BlockSpec(n_arrays=8, n_groups=30, max_lanes=8, elem="float"))
    ctx = context(ir)
    policy = get_policy("ilp", time_limit_s=0.001)
    plan = policy.plan(ctx)
    greedy = get_policy("greedy").plan(ctx).packs
    assert greedy and plan.solve.status != OPTIMAL
    assert plan.packs and plan_cost(ctx, plan.packs) <= plan_cost(ctx, greedy) + 1e-9
