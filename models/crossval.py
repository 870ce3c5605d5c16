"""k-fold cross-validation of the GNN policy: every source is held out once.

A dataset built with ``slpvec-dataset build --split-by repo`` has repository
folds (:mod:`dataset.folds`): each fold holds out whole repositories.

``python -m models.crossval --data DS --out RUN [--folds 5] [--jobs 2] [-- TRAIN_ARGS]``

1. trains one model per fold (``slpvec-train --fold K/N``, see
   :mod:`dataset.folds`), ``--jobs`` at a time on one thread each; a fold whose
   run directory already holds ``weights.pt`` is reused. TRAIN_ARGS are
   slpvec-train's settings options (``--config FILE`` too), checked by its
   parser before any fold trains and handed to each fold as its
   ``settings.json``;
2. evaluates each fold's held-out sources with none, llvm, greedy,
   greedy-refined (gnn without its model), ilp, gnn-raw and gnn (that fold's
   model), corpus and synthetic apart, ``--jobs``
   folds at once (one process each; policy times are compared within a
   process, so the ratios stay fair);
3. prints, and writes to ``RUN/cv.md``, one table per kind over all folds
   together, with the per-block decision times; rows go to ``RUN/rows.csv``
   and ``RUN/blocks.csv``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from dataset.folds import Fold, shard_split
from dataset.provenance import source_origin
from slpvec.entry import add_debug_option, entry_point
from slpvec.errors import SlpvecError

from .architecture import ModelConfig
from .settings import TrainConfig, settings_from_args, write_config

POLICIES = ("none", "llvm", "greedy", "greedy-refined", "ilp", "gnn-raw", "gnn")
KINDS = ("corpus", "synthetic")


def fold_dir(out: Path, fold: Fold) -> Path:
    return out / f"fold-{fold.index}-of-{fold.count}"


def training_settings(train_args: list[str]) -> tuple[ModelConfig, TrainConfig]:
    """The settings ``train_args`` give (slpvec-train's options, parsed by its
    own parser: a misspelt option stops the run before any fold trains)."""
    from .train_cli import parse_args

    args = parse_args(list(train_args), prog="python -m models.crossval ... --", paths=False)
    return settings_from_args(args)


def train_fold(data: str, out: Path, fold: Fold, model: ModelConfig, train: TrainConfig
               ) -> Path:
    """Train (or reuse) the model of one fold, on one thread; returns its run directory."""
    run = fold_dir(out, fold)
    if (run / "weights.pt").exists():
        return run
    run.mkdir(parents=True, exist_ok=True)
    write_config(run / "settings.json", model, replace(train, fold=str(fold), threads=1))
    command = [sys.executable, "-m", "models.train_cli", "--data", data, "--out", str(run),
               "--config", str(run / "settings.json"), "-q"]
    with open(run / "train.log", "w") as log:
        if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode:
            raise SlpvecError(f"training fold {fold} failed: see {run / 'train.log'}")
    return run


def held_out(data: str, fold: Fold) -> dict[str, list[Path]]:
    """The sources of a fold's test split, per kind."""
    manifest = json.loads((Path(data) / "manifest.json").read_text())
    out: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for shard in manifest["shards"]:
        if shard_split(shard, fold) == "test":
            kind = "synthetic" if "/synthetic/" in shard["source"] else "corpus"
            out[kind].append(Path(shard["source"]))
    return out


def evaluate_fold(data: str, run: Path, fold: Fold, time_limit_s: float, progress: bool):
    """(rows, block rows) per kind for one fold's held-out sources."""
    from slpvec.inputs import load_module
    from slpvec.tools.evaluate import evaluate_module
    from slpvec.policies import policy_for_run

    manifest = json.loads((Path(data) / "manifest.json").read_text())
    policies = ["llvm" if name == "llvm" else
                policy_for_run(name, time_limit_s=time_limit_s, model=str(run))
                for name in POLICIES]
    results = {}
    for kind, sources in held_out(data, fold).items():
        rows, blocks = [], []
        for path in tqdm(sources, desc=f"evaluate fold {fold} {kind}", unit="file",
                         disable=not progress):
            module = load_module(path, manifest["cpu"])
            r, b = evaluate_module(module, policies, manifest["cost_kind"], manifest["cpu"],
                                   str(path))
            rows += r
            blocks += b
        results[kind] = (rows, blocks)
    return results


def report(kind: str, rows, blocks, folds: int) -> str:
    """Markdown: the table of one kind over all folds, ratios and timing."""
    from slpvec.tools.evaluate import format_table, policy_timing, summarize

    summary = {s.policy: s for s in summarize(rows, list(POLICIES))}
    sources = {r.source for r in rows}
    repositories = {source_origin(s).repository for s in sources} - {""}
    within = f" of {len(repositories)} repositories" if repositories else ""
    lines = [f"### {kind}: {len(sources)} sources{within} held out over {folds} folds",
             "", format_table(list(summary.values())), ""]
    ilp, llvm = summary["ilp"].reduction, summary["llvm"].reduction
    for name in ("gnn-raw", "gnn", "greedy", "greedy-refined"):
        mine = summary[name].reduction
        lines.append(f"- {name}: {mine / ilp if ilp else float('nan'):.3f}x the ILP's reduction, "
                     f"{mine / llvm if llvm else float('nan'):.3f}x LLVM SLP's")
    lines += ["", "```", policy_timing(blocks, [p for p in POLICIES if p != "llvm"]), "```", ""]
    lines += ["Largest shortfalls against the ILP by source (cost units; where to look):", ""]
    for name in ("gnn-raw", "gnn"):
        gaps = ", ".join(f"{Path(source).name} {gap:+g}" for gap, source in largest_gaps(rows, name))
        lines.append(f"- {name}: {gaps or 'none'}")
    return "\n".join(lines + [""])


def largest_gaps(rows, policy: str, count: int = 5) -> list[tuple[float, str]]:
    """The ``count`` sources where ``policy``'s cost after exceeds the ILP's
    most: [(cost units above the ILP, source)], largest first, gaps > 0 only."""
    after = {(r.source, r.policy): r.cost_after for r in rows}
    gaps = [(after[(r.source, policy)] - r.cost_after, r.source) for r in rows
            if r.policy == "ilp" and (r.source, policy) in after]
    return sorted((g for g in gaps if g[0] > 0), reverse=True)[:count]


def run(data: str, out: str, folds: int = 5, jobs: int = 2, time_limit_s: float = 10.0,
        train_args: list[str] = (), progress: bool = True) -> str:
    """Train every fold, evaluate its held-out sources, return the markdown report."""
    from slpvec.tools.evaluate import write_rows

    root = Path(out)
    model, train = training_settings(train_args)
    all_folds = [Fold(k, folds) for k in range(folds)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(tqdm(pool.map(lambda f: train_fold(data, root, f, model, train),
                                  all_folds), total=folds, desc="train folds", unit="fold",
                         disable=not progress))
    merged = {kind: ([], []) for kind in KINDS}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(evaluate_fold, data, run_dir, fold, time_limit_s, False)
                   for fold, run_dir in zip(all_folds, runs)]
        for future in tqdm(futures, desc="evaluate folds", unit="fold", disable=not progress):
            for kind, (rows, blocks) in future.result().items():
                merged[kind][0].extend(rows)
                merged[kind][1].extend(blocks)
    text = "\n".join(report(kind, rows, blocks, folds) for kind, (rows, blocks)
                     in merged.items() if rows)
    write_rows(root / "rows.csv", [r for rows, _ in merged.values() for r in rows])
    write_rows(root / "blocks.csv", [b for _, blocks in merged.values() for b in blocks])
    (root / "cv.md").write_text(text)
    return text


@entry_point("crossval", user_errors=(FileNotFoundError,))
def main(argv: list[str]) -> int:
    """Entry point of ``python -m models.crossval`` (errors as :mod:`slpvec.entry` says)."""
    parser = argparse.ArgumentParser(prog="python -m models.crossval",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a dataset built by slpvec-dataset build")
    parser.add_argument("--out", required=True, help="run directory (one model per fold)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2,
                        help="folds trained (and then evaluated) at once")
    parser.add_argument("--time-limit", type=float, default=10.0, help="ILP seconds per block")
    parser.add_argument("-q", "--quiet", action="store_true")
    add_debug_option(parser)
    parser.add_argument("train_args", nargs=argparse.REMAINDER,
                        help="after --: options for slpvec-train (e.g. --epochs 20)")
    args = parser.parse_args(argv)
    extra = args.train_args[1:] if args.train_args[:1] == ["--"] else args.train_args
    Fold.parse(f"0/{args.folds}")  # a one-line error for --folds < 2
    print(run(args.data, args.out, args.folds, args.jobs, args.time_limit, extra,
              not args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
