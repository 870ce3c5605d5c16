"""Everything a policy may look at for one block, computed once."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

from .analysis.candidates import CandidateGenerator, CandidateSet
from .analysis.dependence import DependenceGraph, build_dependence_graph
from .ir.types import Block, Function
from .target import Target


@dataclass(frozen=True)
class BlockContext:
    """A block with its analyses, scalar costs and the shared cost table.

    ``scalar_costs[i]`` is the TTI cost of instruction i (opt-22's printout);
    ``table`` prices synthetic vector instructions (:class:`slpvec.cost.CostTable`).
    ``deadline`` (``time.perf_counter()`` seconds) ends the block's time
    budget: policies return the best plan they have when it passes.
    ``memo``: per-block state that stages keep between calls (the incremental
    plan estimator), shared by the copies :meth:`with_budget` makes.
    """

    block: Block
    function: Function
    target: Target
    deps: DependenceGraph
    generator: CandidateGenerator
    candidates: CandidateSet
    scalar_costs: tuple[float, ...]
    table: object = field(repr=False)
    deadline: float = math.inf
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def with_budget(self, seconds: float | None) -> "BlockContext":
        """This context with a budget of ``seconds`` from now (None: no budget)."""
        return replace(self, deadline=time.perf_counter() + seconds if seconds else math.inf)

    def time_left(self) -> float:
        """Seconds of the block's budget left (inf without a budget)."""
        return self.deadline - time.perf_counter()

    @property
    def scalar_total(self) -> float:
        return float(sum(self.scalar_costs))


def make_context(block: Block, function: Function, target: Target,
                 scalar_costs: tuple[float, ...], table,
                 max_candidates: int | None = None) -> BlockContext:
    """Analyse ``block`` (dependences, candidates) into a :class:`BlockContext`."""
    deps = build_dependence_graph(block, function)
    kwargs = {"max_candidates": max_candidates} if max_candidates else {}
    generator = CandidateGenerator(block, target, function, deps=deps, **kwargs)
    return BlockContext(block, function, target, deps, generator, generator.generate(),
                        tuple(scalar_costs), table)
