"""What a vectorization run did, per block: the user-facing record."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .policies.base import SolveRecord


@dataclass(frozen=True)
class BlockReport:
    """One block. Costs are TTI units (the ``slpvec cost`` yardstick):
    ``cost_before`` of the input block, ``cost_after`` of the output block,
    ``estimated_after`` what the estimator predicted for the plan.
    ``seconds``: analysis + policy + codegen time; ``policy_seconds`` the
    policy's part (a batch's shared work split by the policy). ``fallback_reason``: why a block with
    a non-empty plan was left scalar (empty if it was not). ``scalar_reason``: why a block
    is not vectorized, always set when it is not (no candidates, no profitable plan, the
    fallback reason). ``plan_note``: the policy's note on its plan (which plan it kept).
    ``solve``: how a searching or learned policy (ilp, gnn) reached the plan: the
    solve's status, objective and seconds, which plan it kept (None for others).
    """

    block_id: str
    n_instrs: int
    n_candidates: int
    cost_before: float
    cost_after: float
    estimated_after: float | None
    packs: tuple[tuple[int, ...], ...]
    seconds: float
    fallback_reason: str = ""
    policy_seconds: float = 0.0
    scalar_reason: str = ""
    plan_note: str = ""
    solve: SolveRecord | None = None

    @property
    def vectorized(self) -> bool:
        return bool(self.packs) and not self.fallback_reason


@dataclass(frozen=True)
class Report:
    """A whole module: per-block reports plus totals."""

    source: str
    policy: str
    cpu: str
    cost_kind: str
    blocks: tuple[BlockReport, ...]
    seconds: float

    @property
    def cost_before(self) -> float:
        return sum(b.cost_before for b in self.blocks)

    @property
    def cost_after(self) -> float:
        return sum(b.cost_after for b in self.blocks)

    @property
    def fallbacks(self) -> tuple[BlockReport, ...]:
        return tuple(b for b in self.blocks if b.fallback_reason)

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(cost_before=self.cost_before, cost_after=self.cost_after,
                    vectorized_blocks=sum(b.vectorized for b in self.blocks))
        return data

    def summary(self) -> str:
        """One line: cost before -> after and what happened."""
        saved = self.cost_before - self.cost_after
        pct = 100.0 * saved / self.cost_before if self.cost_before else 0.0
        packs = sum(len(b.packs) for b in self.blocks if b.vectorized)
        return (f"{self.source}: policy={self.policy} cpu={self.cpu} cost {self.cost_before:g} -> "
                f"{self.cost_after:g} ({pct:+.1f}% saved) | "
                f"{sum(b.vectorized for b in self.blocks)} blocks vectorized, {packs} packs, "
                f"{len(self.fallbacks)} fallbacks | {self.seconds:.2f}s")
