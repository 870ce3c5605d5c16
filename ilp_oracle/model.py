"""The ILP of an :class:`IlpProblem` and its solution with PuLP (CBC or HiGHS).

Variables: binary ``x[q]`` per candidate pack; ``y[s,m]`` = x[slot pack] AND
x[match pack] (exact linearisation, continuous in [0, 1]); ``e[q,l]`` >= 0,
1 when lane l of pack q must be extracted. Constraints: each instruction in at
most one chosen pack; 2-cycles forbidden pairwise; longer dependence cycles
cut lazily (solve, find a cycle among the chosen packs, forbid it, resolve).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import pulp

from slpvec.codegen.schedule import pack_cycle
from slpvec.errors import InternalError, SlpvecError
from slpvec.packs import Pack, PackPlan

from .problem import IlpProblem

OPTIMAL, FEASIBLE, TIMEOUT_NO_SOLUTION = "optimal", "feasible", "timeout_no_solution"
SOLVERS = ("cbc", "highs")


class SolverError(InternalError):
    """The ILP solver could not run; the block is left scalar with this reason."""
MAX_CUT_ROUNDS = 50


@dataclass(frozen=True)
class Solution:
    """``plan``: chosen packs; ``objective``: estimated block cost (TTI units);
    ``status``: optimal | feasible (time limit hit with an incumbent) |
    timeout_no_solution (empty plan); ``seconds``: wall time incl. cut rounds."""

    plan: PackPlan
    objective: float
    status: str
    seconds: float
    chosen: tuple[int, ...] = ()


class _DepsView:
    """The bits of a DependenceGraph that :func:`pack_cycle` reads."""

    def __init__(self, ancestors):
        self.ancestors = ancestors


def check_solver(name: str) -> str:
    """``name`` if it is one of :data:`SOLVERS`, else a one-line SlpvecError."""
    if name not in SOLVERS:
        raise SlpvecError(f"unknown solver '{name}' (choose from {', '.join(SOLVERS)})")
    return name


def _solver(name: str, time_limit_s: float):
    check_solver(name)
    if name == "cbc":
        with warnings.catch_warnings():  # the bundled CBC is deprecated for PuLP 4.0
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
    return pulp.HiGHS(msg=False, timeLimit=time_limit_s)  # "highs"


def _build(problem: IlpProblem, fixed: dict[int, Pack | None], cuts: list[tuple[int, ...]]):
    prob = pulp.LpProblem("slp", pulp.LpMinimize)
    n = len(problem.packs)
    x = [prob.add_variable(f"x{q}", cat="Binary") for q in range(n)]
    objective = [problem.scalar_total]
    for q, pack in enumerate(problem.packs):
        saving = problem.vector_costs[q] - sum(problem.scalar_costs[i] for i in pack.lanes)
        objective.append(saving * x[q])
    # a chosen commutative pack is in exactly one variant (operand swap pattern)
    v = {}
    for q, count in enumerate(problem.n_variants):
        if count > 1:
            for k in range(count):
                v[(q, k)] = prob.add_variable(f"v{q}_{k}", cat="Binary")
            prob += pulp.lpSum(v[(q, k)] for k in range(count)) == x[q]
    y = {}
    sharing: dict[tuple, list[int]] = {}
    for s, slot in enumerate(problem.slots):
        if slot.key is not None:
            sharing.setdefault(slot.key, []).append(s)
    shared = {s for group in sharing.values() if len(group) > 1 for s in group}

    def in_force(slot):  # 1 when the slot's pack is chosen (in the slot's variant)
        return x[slot.pack] if slot.variant < 0 else v[(slot.pack, slot.variant)]

    for s, slot in enumerate(problem.slots):
        active = in_force(slot)
        base = 0.0 if s in shared else slot.base  # a shared base is paid once, below
        objective.append(base * active)
        for m, (q, cost) in enumerate(slot.matches):
            var = prob.add_variable(f"y{s}_{m}", 0, 1)
            y[(s, m)] = var
            prob += var <= active
            prob += var <= x[q]
            prob += var >= active + x[q] - 1
            objective.append((cost - base) * var)
    # a base vector several slots would build is built (and paid) once if any
    # of them is in force with no match (the matches of a slot overlap, so at
    # most one of them is chosen)
    for g, group in enumerate(members for members in sharing.values() if len(members) > 1):
        built = prob.add_variable(f"g{g}", 0, 1)
        objective.append(problem.slots[group[0]].base * built)
        for s in group:
            slot = problem.slots[s]
            prob += built >= in_force(slot) - pulp.lpSum(y[(s, m)]
                                                        for m in range(len(slot.matches)))
    lane_of = [{i: lane for lane, i in enumerate(p.lanes)} for p in problem.packs]
    packs_of = problem.packs_of()
    e = {}
    for use in problem.uses:
        covered = pulp.lpSum(y[c] for c in use.covering)
        for q in packs_of[use.instr]:
            key = (q, lane_of[q][use.instr])
            if key not in e:
                e[key] = prob.add_variable(f"e{q}_{key[1]}", 0)
                objective.append(problem.extract_costs[q][key[1]] * e[key])
            prob += e[key] >= x[q] - covered
    prob += pulp.lpSum(objective)
    for i, qs in enumerate(packs_of):
        if len(qs) > 1:
            prob += pulp.lpSum(x[q] for q in qs) <= 1
    for a, b in problem.conflicts:
        prob += x[a] + x[b] <= 1
    for cycle in cuts:
        prob += pulp.lpSum(x[q] for q in cycle) <= len(cycle) - 1
    _fix(prob, x, problem, packs_of, fixed)
    return prob, x


def _fix(prob, x, problem: IlpProblem, packs_of, fixed: dict[int, Pack | None]) -> None:
    """Fixed-prefix decisions: instr -> its pack (forced) or None (left scalar)."""
    index = {p.lanes: q for q, p in enumerate(problem.packs)}
    for instr, pack in fixed.items():
        if pack is None:
            for q in packs_of[instr]:
                prob += x[q] == 0
        elif pack.lanes in index:
            prob += x[index[pack.lanes]] == 1
        else:
            raise InternalError(f"fixed pack {pack} is not a candidate of {problem.block_id}")


def _objective_value(prob) -> float:
    """The solved objective (TTI units). A variable whose every coefficient is 0
    (a pack saving nothing, in no constraint) is left out of the model: PuLP
    then gives it, and the whole objective, no value (None). It is 0 here."""
    objective = prob.objective
    return float(objective.constant + sum(coefficient * (var.value() or 0.0)
                                          for var, coefficient in objective.items()))


def solve(problem: IlpProblem, time_limit_s: float = 10.0, solver: str = "cbc",
          fixed: dict[int, Pack | None] | None = None) -> Solution:
    """Optimal (or best found) packing of ``problem``.

    ``fixed`` pins earlier decisions (DAgger's fixed-prefix solve): for an
    instruction, the pack it must be in, or None to keep it out of every pack.
    """
    start = time.perf_counter()
    if not problem.packs:
        return Solution(PackPlan(problem.block_id), problem.scalar_total, OPTIMAL, 0.0)
    cuts: list[tuple[int, ...]] = []
    deps = _DepsView(problem.ancestors)
    status = OPTIMAL
    for _ in range(MAX_CUT_ROUNDS):
        remaining = time_limit_s - (time.perf_counter() - start)
        if remaining <= 0:  # the limit bounds all cut rounds together
            break
        prob, x = _build(problem, fixed or {}, cuts)
        try:
            prob.solve(_solver(solver, remaining))
        except pulp.PulpSolverError as err:  # binary missing, killed, unreadable output
            raise SolverError(f"ILP solver {solver} failed: "
                              f"{str(err).strip().splitlines()[0]}") from None
        if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
            if prob.sol_status == pulp.LpSolutionInfeasible:
                raise InternalError(f"{problem.block_id}: the fixed decisions are infeasible")
            return Solution(PackPlan(problem.block_id), problem.scalar_total,
                            TIMEOUT_NO_SOLUTION, time.perf_counter() - start)
        if prob.sol_status != pulp.LpSolutionOptimal:
            status = FEASIBLE
        chosen = tuple(q for q in range(len(x)) if (x[q].value() or 0) > 0.5)
        packs = tuple(problem.packs[q] for q in chosen)
        cycle = pack_cycle(deps, packs)
        if cycle is None:
            return Solution(PackPlan(problem.block_id, packs), _objective_value(prob),
                            status, time.perf_counter() - start, chosen)
        cuts.append(tuple(chosen[k] for k in cycle))
    return Solution(PackPlan(problem.block_id), problem.scalar_total, TIMEOUT_NO_SOLUTION,
                    time.perf_counter() - start)
