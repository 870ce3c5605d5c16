"""Per-benchmark compile report: what slpvec did to each NPB benchmark and what it cost.

Built from the per-source JSON files ``slpvec cc --report-dir`` writes, plus each
build's wall time; saved as compile.csv and rendered as compile.md.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from slpvec.files import write_text_atomic

from .npb import Build
from .variants import BASELINE

COMPILE_CSV, COMPILE_MD = "compile.csv", "compile.md"


@dataclass(frozen=True)
class CompileRow:
    """One (benchmark, variant) build. Costs are slpvec's static TTI yardstick."""

    benchmark: str
    npb_class: str
    variant: str
    built: bool
    build_seconds: float
    sources: int = 0
    functions: int = 0
    functions_vectorized: int = 0
    blocks_vectorized: int = 0
    packs_by_width: str = ""          # "2:14 4:3": pack count per lane width
    cost_before: float = 0.0
    cost_after: float = 0.0
    clang_seconds: float = 0.0        # clang-22 -O3 -fno-slp-vectorize -emit-llvm
    slpvec_seconds: float = 0.0       # run_slp
    llc_seconds: float = 0.0
    module_fallbacks: int = 0         # sources compiled scalar after an slpvec failure
    error: str = ""


def compile_row(build: Build) -> CompileRow:
    """Aggregate one build's per-source reports."""
    files = sorted(build.reports.glob("*.json")) if build.reports and build.reports.is_dir() else []
    data = [json.loads(f.read_text()) for f in files]
    functions, vectorized, widths = set(), set(), Counter()
    blocks = 0
    for item in data:
        for block in item.get("report", {}).get("blocks", []):
            fn = f"{item['source']}:{block['block_id'].rsplit(':', 1)[0]}"
            functions.add(fn)
            if block["packs"] and not block["fallback_reason"]:
                vectorized.add(fn)
                blocks += 1
                widths.update(len(p) for p in block["packs"])
    report = lambda key: sum(d.get("report", {}).get(key, 0.0) for d in data)  # noqa: E731
    return CompileRow(
        build.benchmark, build.npb_class, build.variant, build.ok, round(build.seconds, 3),
        len(data), len(functions), len(vectorized), blocks,
        " ".join(f"{w}:{n}" for w, n in sorted(widths.items())),
        report("cost_before"), report("cost_after"),
        round(sum(d["clang_seconds"] for d in data), 3),
        round(sum(d["slpvec_seconds"] for d in data), 3),
        round(sum(d["llc_seconds"] for d in data), 3),
        sum(bool(d.get("fallback")) for d in data), build.error)


def read_compile_csv(path: Path) -> list[CompileRow]:
    """Rows of a compile.csv."""
    with path.open(newline="") as handle:
        rows = []
        for row in csv.DictReader(handle):
            typed = {}
            for name, field in CompileRow.__dataclass_fields__.items():
                value = row.get(name, "")
                kind = field.type
                typed[name] = (value in ("True", "1") if kind == "bool" else
                               int(value or 0) if kind == "int" else
                               float(value or 0) if kind == "float" else value)
            rows.append(CompileRow(**typed))
    return rows


def render_compile_markdown(rows: list[CompileRow]) -> str:
    """Per benchmark and variant: build seconds (vs clang-O3), and for slpvec
    variants functions vectorized, packs by width, static cost saved, slpvec seconds."""
    base = {r.benchmark: r.build_seconds for r in rows if r.variant == BASELINE}
    lines = ["| benchmark | variant | build s (vs clang-O3) | functions vectorized | "
             "vector blocks | packs by width | static cost saved | clang IR s | slpvec s "
             "| llc s |", "|---|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f" ({r.build_seconds / base[r.benchmark]:.1f}x)" if base.get(r.benchmark) else ""
        build = f"{r.build_seconds:.1f}{ratio}" if r.built else f"FAILED: {r.error}"
        if not r.sources:
            lines.append(f"| {r.benchmark} | {r.variant} | {build} | | | | | | | |")
            continue
        saved = r.cost_before - r.cost_after
        pct = 100 * saved / r.cost_before if r.cost_before else 0.0
        fallbacks = f", {r.module_fallbacks} scalar fallbacks" if r.module_fallbacks else ""
        lines.append(f"| {r.benchmark} | {r.variant} | {build} | {r.functions_vectorized}/"
                     f"{r.functions}{fallbacks} | {r.blocks_vectorized} | {r.packs_by_width} | "
                     f"{saved:g} ({pct:.1f}%) | {r.clang_seconds:.1f} | {r.slpvec_seconds:.1f} "
                     f"| {r.llc_seconds:.1f} |")
    return "\n".join(lines) + "\n"


def render_compile(out: Path) -> None:
    """compile.md from compile.csv in ``out`` (nothing if there is no compile.csv)."""
    path = out / COMPILE_CSV
    if path.is_file():
        write_text_atomic(out / COMPILE_MD, render_compile_markdown(read_compile_csv(path)))
