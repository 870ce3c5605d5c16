"""``slpvec evaluate --yardstick {tti,mca,both}``: llvm-mca cycles next to TTI costs.

TTI (``slpvec cost``) is the yardstick policies optimise; llvm-mca
(:mod:`slpvec.cost.mca`) simulates the machine code llc makes of each block.
Per vectorized block both savings are compared: where TTI predicts a gain but
mca a loss, the plan is suspect at run time.
"""

from __future__ import annotations

import dataclasses

from ..cost.mca import mca_block_costs
from ..errors import SlpvecError
from ..ir import Module, parse_module
from ..passes import name_values
from ..target import Target

YARDSTICKS = ("tti", "mca", "both")


def uses_mca(yardstick: str) -> bool:
    """True if ``yardstick`` asks for llvm-mca cycles."""
    if yardstick not in YARDSTICKS:
        raise SlpvecError(f"unknown yardstick '{yardstick}' (choose from {', '.join(YARDSTICKS)})")
    return yardstick != "tti"


def block_cycles(module: Module | str, target: Target) -> dict[str, float] | None:
    """Block id ("function:label", labels as slpvec names them) -> llvm-mca
    cycles per execution; None when llc-22 or llvm-mca-22 fails on the module."""
    text = module if isinstance(module, str) else module.text
    try:
        named = parse_module(name_values(text))
        return {f"{fn}:{label}": cost.cycles
                for (fn, label), cost in mca_block_costs(named, target).items()}
    except SlpvecError:
        return None


def total_cycles(cycles: dict[str, float] | None) -> float | None:
    """Sum over all blocks (unweighted, like the TTI totals); None if unmeasured."""
    return None if cycles is None else float(sum(cycles.values()))


def as_mca_rows(rows: list) -> list:
    """EvalRows whose cost columns are the mca totals (rows without them dropped),
    so the TTI summary table can show the mca yardstick too."""
    return [dataclasses.replace(r, cost_scalar=r.mca_scalar, cost_after=r.mca_after)
            for r in rows if r.mca_scalar is not None and r.mca_after is not None]


def disagreement(blocks: list, policies: list[str], worst: int = 5) -> str:
    """Per policy, over vectorized blocks measured by both yardsticks: total
    savings (TTI units, mca cycles), their correlation, the blocks where TTI
    predicts a gain and mca a loss (and the reverse), and the worst of those."""
    from .evaluate import correlation  # evaluate imports this module

    out = []
    for policy in policies:
        mine = [b for b in blocks if b.policy == policy and b.cost_after != b.cost_before
                and not b.fallback_reason and b.mca_before is not None
                and b.mca_after is not None]
        tti = [b.cost_before - b.cost_after for b in mine]
        mca = [b.mca_before - b.mca_after for b in mine]
        suspect = sorted((b for b, t, m in zip(mine, tti, mca) if t > 0 and m < 0),
                         key=lambda b: b.mca_before - b.mca_after)
        missed = sum(t <= 0 < m for t, m in zip(tti, mca))
        out.append(f"{policy}: {len(mine)} vectorized blocks; saving TTI {sum(tti):g} units, "
                   f"mca {sum(mca):.2f} cycles; corr {correlation(tti, mca):.3f}; TTI gain but "
                   f"mca loss: {len(suspect)} blocks ({sum(b.mca_after - b.mca_before for b in suspect):.2f} "
                   f"cycles lost); mca gain but no TTI gain: {missed}")
        out += [f"  {b.source} {b.block}: TTI {b.cost_before:g} -> {b.cost_after:g}, "
                f"mca {b.mca_before:.2f} -> {b.mca_after:.2f} cycles" for b in suspect[:worst]]
    return "\n".join(out)
