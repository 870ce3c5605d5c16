"""``--policy ilp``: the oracle's optimal plan for every block.

A solve stopped by its time limit is not optimal: its incumbent (or nothing,
if it found none) is compared with the greedy plan under the codegen-level
estimate and the cheaper is kept; the plan's note and the solve record say
which.
"""

from __future__ import annotations

from slpvec.context import BlockContext
from slpvec.estimate import plan_cost
from slpvec.packs import PackPlan
from slpvec.policies.base import Policy, SolveRecord, register, time_limit_seconds
from slpvec.policies.simple import GreedyBottomUp

from .model import OPTIMAL, TIMEOUT_NO_SOLUTION, check_solver, solve
from .problem import build_problem

EPSILON = 1e-9
MIN_SOLVE_S = 0.5
# Seconds the greedy fallback may take after a solve used up the block's budget.
MIN_GREEDY_S = 2.0


@register
class IlpPolicy(Policy):
    """goSLP's optimal packing under the cost model (``time_limit_s`` per
    block, ``solver`` one of :data:`ilp_oracle.model.SOLVERS`). The plan's
    solve record has the solve's status, objective and seconds, and which
    plan was kept (``ilp``, ``greedy`` or ``scalar``)."""

    name = "ilp"

    def __init__(self, time_limit_s: float = 10.0, solver: str = "cbc"):
        self.time_limit_s = time_limit_seconds(time_limit_s)
        self.solver = check_solver(solver)  # once here, not as every block's fallback
        self.greedy = GreedyBottomUp()

    def plan(self, ctx: BlockContext) -> PackPlan:
        problem = build_problem(ctx)
        # the solver gets the rest of the block's budget, at most its own limit
        limit = min(self.time_limit_s, max(MIN_SOLVE_S, ctx.time_left()))
        solution = solve(problem, limit, self.solver)
        scalar = problem.scalar_total
        # the estimate is the safety net where the model and codegen still
        # differ (commutative operand swaps, two-pack shuffles): never take a
        # plan codegen prices at or above scalar
        plans = {"ilp": solution.plan.packs if solution.objective < scalar - EPSILON else ()}
        if solution.status != OPTIMAL:
            budget = ctx.with_budget(max(ctx.time_left(), MIN_GREEDY_S))
            plans["greedy"] = self.greedy.plan(budget).packs
        priced = {name: plan_cost(ctx, packs) for name, packs in plans.items() if packs}
        kept = min(priced, key=priced.get, default="scalar")  # ties keep the ILP's
        if kept != "scalar" and priced[kept] >= scalar - EPSILON:
            kept = "scalar"
        record = SolveRecord(self.name, solution.status, kept, solution.seconds,
                             solution.objective, scalar, len(problem.packs))
        note = _note(solution.status, limit, kept, priced, scalar)
        return PackPlan(ctx.block.id, plans[kept] if kept != "scalar" else (), note, record)


def _note(status: str, limit: float, kept: str, priced: dict[str, float], scalar: float) -> str:
    """What the report says about the plan: the solve's outcome and, after a
    time limit, which plan was kept at which estimated cost."""
    if status == OPTIMAL:
        return "ilp: optimal" if kept == "ilp" else (
            "ilp: optimal; no plan is cheaper than the scalar block (by the model or the "
            "codegen estimate)")
    found = "no solution" if status == TIMEOUT_NO_SOLUTION else "an incumbent"
    costs = ", ".join(f"{name} {cost:g}" for name, cost in priced.items())
    return (f"ilp: time limit {limit:g} s reached with {found}; kept {kept} "
            f"(estimated {costs or 'no plan'}; scalar {scalar:g})")
