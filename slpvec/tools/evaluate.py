"""Static evaluation: every policy (and LLVM's own SLP) on a set of inputs.

For each input module and each policy, the vectorized module's ``slpvec
cost`` yardstick is measured, and per policy the totals are reported: cost,
reduction vs scalar, ratio of that reduction to LLVM SLP's, vectorize seconds
and fallbacks. ``llvm`` means ``opt-22 -passes=slp-vectorizer`` on the same
IR, followed by the same cleanup slpvec's output gets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..passes import cleanup
from ..cost import text_block_costs
from ..driver import run_slp
from ..errors import SKIPPED_INPUT_ERRORS
from ..files import write_text_atomic
from ..inputs import module_source
from ..ir import Module
from ..target import Target, target_for
from ..toolchain import run_tool
from .yardstick import block_cycles, total_cycles, uses_mca

LLVM = "llvm"


@dataclass(frozen=True)
class EvalRow:
    """One (input, policy) measurement; costs in TTI units, time in seconds."""

    source: str
    policy: str
    blocks: int
    cost_scalar: float
    cost_after: float
    seconds: float
    vectorized_blocks: int
    fallbacks: int
    error: str = ""
    mca_scalar: float | None = None   # llvm-mca cycles (--yardstick mca/both)
    mca_after: float | None = None


def write_rows(path, rows) -> None:
    """Dataclass rows as CSV, written atomically."""
    import csv
    import io
    from dataclasses import asdict, fields
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, [f.name for f in fields(rows[0])])
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    write_text_atomic(path, buf.getvalue())


def llvm_slp(module: Module, target: Target) -> str:
    """LLVM's SLP vectorizer on the module (opt-22), cleaned like ours."""
    out = run_tool("opt", ["-S", "-passes=slp-vectorizer", *target.opt_flags(), "-"],
                   stdin=module.text).stdout
    return cleanup(out)


def _total(text: str, target: Target, cost_kind: str) -> float:
    return float(sum(sum(c) for c in text_block_costs(text, target, cost_kind).values()))


@dataclass(frozen=True)
class BlockRow:
    """One block under one policy (TTI units; ``estimated_after`` is the plan's
    codegen-level estimate, ``cost_after`` the yardstick of the emitted code)."""

    source: str
    policy: str
    block: str
    n_instrs: int
    n_candidates: int
    cost_before: float
    cost_after: float
    estimated_after: float | None
    seconds: float
    fallback_reason: str
    policy_seconds: float = 0.0
    mca_before: float | None = None   # llvm-mca cycles per execution (--yardstick mca/both)
    mca_after: float | None = None
    solve_status: str = ""            # the block report's solve record (ilp, gnn), if any
    solve_kept: str = ""
    solve_seconds: float = 0.0
    solve_objective: float | None = None


def solve_columns(solve) -> dict:
    """:class:`BlockRow`'s ``solve_*`` columns of a :class:`slpvec.policies.SolveRecord`."""
    if solve is None:
        return {}
    return {"solve_status": solve.status, "solve_kept": solve.kept,
            "solve_seconds": solve.seconds, "solve_objective": solve.objective}


def evaluate_module(module: Module, policies: list, cost_kind: str = "throughput",
                    cpu: str | None = None, source: str | None = None, yardstick: str = "tti"
                    ) -> tuple[list[EvalRow], list[BlockRow]]:
    """Rows per policy (names or policy objects) for one module, and per block;
    ``source`` names the input in the rows (default: the module's source_filename).
    ``yardstick`` mca or both adds llvm-mca cycles (:mod:`slpvec.tools.yardstick`)."""
    target = target_for(module, cpu)
    mca = uses_mca(yardstick)
    mca_before = block_cycles(module, target) if mca else None
    source = source or module_source(module)
    scalar = _total(module.text, target, cost_kind)
    n_blocks = sum(1 for _ in module.blocks())
    rows, blocks = [], []
    for policy in policies:
        name = policy if isinstance(policy, str) else policy.name
        t0 = time.perf_counter()
        try:
            if name == LLVM:
                text = llvm_slp(module, target)
                seconds = time.perf_counter() - t0
                rows.append(EvalRow(source, name, n_blocks, scalar,
                                    _total(text, target, cost_kind), seconds, 0, 0, "",
                                    total_cycles(mca_before),
                                    total_cycles(block_cycles(text, target) if mca else None)))
                continue
            text, report = run_slp(module.text, policy, target, cost_kind, source)
            mca_after = block_cycles(text, target) if mca else None
            rows.append(EvalRow(source, name, n_blocks, scalar, report.cost_after,
                                report.seconds, sum(b.vectorized for b in report.blocks),
                                len(report.fallbacks), "", total_cycles(mca_before),
                                total_cycles(mca_after)))
            blocks += [BlockRow(source, name, b.block_id, b.n_instrs, b.n_candidates,
                                b.cost_before, b.cost_after, b.estimated_after, b.seconds,
                                b.fallback_reason, b.policy_seconds,
                                (mca_before or {}).get(b.block_id),
                                (mca_after or {}).get(b.block_id), **solve_columns(b.solve))
                       for b in report.blocks]
        except SKIPPED_INPUT_ERRORS as err:
            rows.append(EvalRow(source, name, n_blocks, scalar, scalar,
                                time.perf_counter() - t0, 0, 0, str(err)))
    return rows, blocks


@dataclass(frozen=True)
class PolicySummary:
    """Totals of one policy over all inputs."""

    policy: str
    cost_scalar: float
    cost_after: float
    seconds: float
    vectorized_blocks: int
    fallbacks: int
    errors: int

    @property
    def reduction(self) -> float:
        """Fraction of the scalar cost removed (0.1 = 10% cheaper)."""
        return (self.cost_scalar - self.cost_after) / self.cost_scalar if self.cost_scalar else 0.0


def summarize(rows: list[EvalRow], policies: list[str]) -> list[PolicySummary]:
    out = []
    for policy in policies:
        mine = [r for r in rows if r.policy == policy]
        out.append(PolicySummary(policy, sum(r.cost_scalar for r in mine),
                                 sum(r.cost_after for r in mine), sum(r.seconds for r in mine),
                                 sum(r.vectorized_blocks for r in mine),
                                 sum(r.fallbacks for r in mine), sum(bool(r.error) for r in mine)))
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def correlation(xs: list[float], ys: list[float]) -> float:
    """Pearson correlation (nan when undefined)."""
    n = len(xs)
    if n < 2:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else float("nan")


def ilp_summary(blocks: list[BlockRow], time_limit_s: float) -> str:
    """Solve-time percentiles, status mix, and how well the ILP objective
    predicts the measured yardstick of the emitted blocks (from the ``ilp``
    rows' solve records)."""
    solved = [b for b in blocks if b.policy == "ilp" and b.n_candidates and b.solve_status]
    seconds = [b.solve_seconds for b in solved]
    optimal = sum(b.solve_status == "optimal" and b.solve_seconds <= time_limit_s
                  for b in solved)
    pairs = [(b.solve_objective, b.cost_after) for b in solved
             if not b.fallback_reason and b.solve_objective < b.cost_before
             and b.solve_kept == "ilp"]
    mae = sum(abs(a - b) for a, b in pairs) / len(pairs) if pairs else 0.0
    corr = correlation([a for a, _ in pairs], [b for _, b in pairs])
    return (f"ilp: {len(solved)} blocks with candidates; solve seconds p50 {percentile(seconds, 50):.3f}"
            f" p90 {percentile(seconds, 90):.3f} p99 {percentile(seconds, 99):.3f}"
            f" max {max(seconds, default=0):.3f}; optimal within {time_limit_s:g}s: "
            f"{optimal}/{len(solved)} ({100 * optimal / max(1, len(solved)):.1f}%); "
            f"objective vs emitted yardstick on {len(pairs)} vectorized blocks: "
            f"corr {corr:.4f}, MAE {mae:.3f}")


def policy_timing(blocks: list[BlockRow], policies: list[str]) -> str:
    """Per policy: decision time per block with candidates (p50, p90, in ms),
    and how many times faster than the ilp policy at p50."""
    p50 = {}
    lines = []
    for policy in policies:
        times = [b.policy_seconds for b in blocks if b.policy == policy and b.n_candidates]
        p50[policy] = percentile(times, 50)
        lines.append((policy, len(times), p50[policy], percentile(times, 90)))
    out = []
    for policy, n, median, p90 in lines:
        speed = (f", {p50['ilp'] / median:.0f}x faster than ilp at p50"
                 if "ilp" in p50 and policy != "ilp" and median > 0 else "")
        out.append(f"{policy}: policy time per block ({n} blocks with candidates) "
                   f"p50 {1000 * median:.3f} ms, p90 {1000 * p90:.3f} ms{speed}")
    return "\n".join(out)


def format_table(summaries: list[PolicySummary]) -> str:
    """Markdown table; ``vs llvm`` is the reduction divided by LLVM SLP's."""
    llvm = next((s for s in summaries if s.policy == LLVM), None)
    lines = ["| policy | scalar cost | cost after | reduction | vs llvm | seconds | "
             "vectorized blocks | fallbacks | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in summaries:
        ratio = (f"{s.reduction / llvm.reduction:.3f}x" if llvm and llvm.reduction > 0 else "-")
        lines.append(f"| {s.policy} | {s.cost_scalar:g} | {s.cost_after:g} | "
                     f"{100 * s.reduction:.2f}% | {ratio} | {s.seconds:.2f} | "
                     f"{s.vectorized_blocks} | {s.fallbacks} | {s.errors} |")
    return "\n".join(lines)
