"""goSLP-style ILP oracle: optimal packing of a block's candidate packs.

Imports no torch. ``build_problem(ctx)`` -> ``IlpProblem``; ``solve(problem,
time_limit_s, solver, fixed)`` -> ``Solution``; trajectories in ``.trajectory``.
"""

from .model import FEASIBLE, OPTIMAL, SOLVERS, TIMEOUT_NO_SOLUTION, Solution, solve
from .problem import IlpProblem, Slot, Use, build_problem, plan_objective

__all__ = ["FEASIBLE", "OPTIMAL", "SOLVERS", "TIMEOUT_NO_SOLUTION", "Solution", "solve",
           "IlpProblem", "Slot", "Use", "build_problem", "plan_objective"]
