"""``--policy ilp``: the oracle's optimal plan for every block."""

from __future__ import annotations

from dataclasses import dataclass

from slpvec.context import BlockContext
from slpvec.estimate import plan_cost
from slpvec.packs import PackPlan
from slpvec.policies.base import register

from .model import solve
from .problem import build_problem


@dataclass(frozen=True)
class SolveRecord:
    """One block's solve: status, seconds, objective and scalar cost (TTI units)."""

    block_id: str
    status: str
    seconds: float
    objective: float
    scalar_cost: float
    n_candidates: int


MIN_SOLVE_S = 0.5


@register("ilp")
class IlpPolicy:
    """goSLP's optimal packing under the cost model (``time_limit_s`` per block)."""

    name = "ilp"

    def __init__(self, time_limit_s: float = 10.0, solver: str = "cbc", **_):
        self.time_limit_s = time_limit_s
        self.solver = solver
        self.records: list[SolveRecord] = []

    def plan(self, ctx: BlockContext) -> PackPlan:
        problem = build_problem(ctx)
        # the solver gets the rest of the block's budget, at most its own limit
        limit = min(self.time_limit_s, max(MIN_SOLVE_S, ctx.time_left()))
        solution = solve(problem, limit, self.solver)
        self.records.append(SolveRecord(ctx.block.id, solution.status, solution.seconds,
                                        solution.objective, problem.scalar_total,
                                        len(problem.packs)))
        if solution.objective >= problem.scalar_total - 1e-9:
            return PackPlan(ctx.block.id)
        # safety net where the model and codegen still differ (commutative
        # operand swaps, two-pack shuffles): never take a plan codegen prices
        # above scalar
        if plan_cost(ctx, solution.plan.packs) >= problem.scalar_total - 1e-9:
            return PackPlan(ctx.block.id)
        return solution.plan
