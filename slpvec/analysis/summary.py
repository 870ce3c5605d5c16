"""Per-block summaries for ``slpvec analyze``: candidates and scalar cost."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..ir import Module
from ..target import Target
from .candidates import CandidateGenerator
from .dependence import build_dependence_graph


@dataclass(frozen=True)
class BlockSummary:
    """One block: size, candidate packs (as instruction indices and names), cost.

    ``scalar_cost`` is the block's TTI yardstick (sum of per-instruction costs),
    ``None`` when costs were not asked for.
    """

    function: str
    label: str
    n_instrs: int
    n_memory_deps: int
    candidates: tuple[tuple[int, ...], ...]
    candidate_names: tuple[tuple[str, ...], ...]
    truncated: bool
    scalar_cost: float | None

    def to_json(self) -> dict:
        return asdict(self)


def summarize_module(module: Module, target: Target,
                     block_costs: dict[tuple[str, str], tuple[float, ...]] | None = None
                     ) -> list[BlockSummary]:
    """Candidates of every block; ``block_costs`` from :func:`slpvec.cost.block_costs`."""
    out = []
    for fn in module.functions:
        for block in fn.blocks:
            deps = build_dependence_graph(block, fn)
            cands = CandidateGenerator(block, target, fn, deps=deps).generate()
            costs = (block_costs or {}).get((fn.name, block.label))
            out.append(BlockSummary(
                function=fn.name, label=block.label, n_instrs=len(block),
                n_memory_deps=deps.n_memory_edges,
                candidates=tuple(p.lanes for p in cands.packs),
                candidate_names=tuple(tuple(block.instrs[i].ref or block.instrs[i].opcode
                                            for i in p.lanes) for p in cands.packs),
                truncated=cands.truncated,
                scalar_cost=sum(c for c in costs if c is not None) if costs is not None else None))
    return out
