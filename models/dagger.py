"""DAgger: roll the current policy out, label the states it visits with the oracle.

Along a rollout, the oracle's label at a state is the action of an optimal
completion of the decisions made so far. The block's original oracle plan is
that completion as long as the policy agrees with it; after the first
disagreement the ILP is solved again with the decisions so far pinned
(``ilp_oracle.solve(fixed=...)``), and that plan labels the states after it,
until the next disagreement. So a rollout costs one solve per disagreement;
``max_solves`` bounds that per block (a big block where the policy disagrees
often could take minutes of time-limited solves): once it is spent, the rest
of the rollout is not labelled, so every label stays an oracle completion.
"""

from __future__ import annotations

from dataclasses import dataclass

from tqdm import tqdm

from ilp_oracle import build_problem, solve
from ilp_oracle.trajectory import DecisionState
from slpvec.packs import Pack

from .contexts import Rollout
from .data import BlockData, block_data
from .policy import GnnPolicy


class OracleExpert:
    """Labels the states of one rollout (see module docstring)."""

    def __init__(self, rollout: Rollout, time_limit_s: float, max_solves: int = 4):
        graph = rollout.sample.graph
        self.ctx, self.time_limit_s, self.max_solves = rollout.ctx, time_limit_s, max_solves
        self.labelling = True
        self.pack_of = {i: graph.packs[a] for a in rollout.sample.action.tolist() if a >= 0
                        for i in graph.packs[a].lanes}
        self.problem = None
        self.solves = self.steps = self.agreed = 0
        self._counted = False

    def label(self, focus: int, legal: tuple[Pack, ...]) -> Pack | None:
        self._counted = bool(legal)  # states without a choice are not steps
        pack = self.pack_of.get(focus)
        return pack if pack in legal else None

    def observe(self, state: DecisionState, action: Pack | None, label: Pack | None) -> None:
        self.steps += self._counted
        self.agreed += self._counted and action == label
        if action == label:
            return
        if self.solves >= self.max_solves:
            self.labelling = False
            return
        if self.problem is None:
            self.problem = build_problem(self.ctx)
        solution = solve(self.problem, self.time_limit_s, fixed=state.fixed())
        self.solves += 1
        self.pack_of = {i: p for p in solution.plan.packs for i in p.lanes}


@dataclass(frozen=True)
class DaggerRound:
    """What one round of rollouts produced."""

    data: list[BlockData]
    steps: int
    agreed: int      # steps where the policy took the oracle's action
    solves: int

    @property
    def on_policy_accuracy(self) -> float:
        return self.agreed / self.steps if self.steps else 0.0


def dagger_round(network, rollouts: list[Rollout], time_limit_s: float = 2.0,
                 progress: bool = True, desc: str = "dagger", max_solves: int = 4
                 ) -> DaggerRound:
    """Roll ``network`` out on every block; oracle-labelled states as data
    (at most ``max_solves`` relabelling solves per block)."""
    policy = GnnPolicy(network=network)
    data, steps, agreed, solves = [], 0, 0, 0
    for rollout in tqdm(rollouts, desc=desc, unit="block", disable=not progress):
        expert = OracleExpert(rollout, time_limit_s, max_solves)
        _, visited = policy.rollout_with_expert(rollout.ctx, expert)
        steps, agreed, solves = steps + expert.steps, agreed + expert.agreed, solves + expert.solves
        if visited:
            data.append(block_data(rollout.sample.graph, visited))
    return DaggerRound(data, steps, agreed, solves)
