"""goSLP-style ILP oracle: optimal packing of a block's candidate packs.

Imports no torch. ``build_problem(ctx)`` -> ``IlpProblem``; ``solve(problem,
time_limit_s, solver, fixed)`` -> ``Solution``; trajectories in ``.trajectory``.
"""

# Bump when the objective or the cost model behind it changes what the oracle
# labels (datasets record it; a rebuild relabels shards of another version).
# 4: operand vectors built once per block (shared splats / gathers).
# 5: operands mixing one pack's lanes and constants are one shuffle ("blend").
# 6: alternate-opcode candidates (fadd/fsub lanes: two vector ops and a blend).
# 7: vector phis (phi packs), constant operand positions priced as the constant
#    vector codegen writes, loop-invariant gathers of preheader loads as one load.
LABEL_VERSION = 7

from .model import FEASIBLE, OPTIMAL, SOLVERS, TIMEOUT_NO_SOLUTION, Solution, solve
from .problem import IlpProblem, Slot, Use, build_problem, plan_objective

__all__ = ["LABEL_VERSION", "FEASIBLE", "OPTIMAL", "SOLVERS", "TIMEOUT_NO_SOLUTION", "Solution", "solve",
           "IlpProblem", "Slot", "Use", "build_problem", "plan_objective"]
