"""``slpvec-dataset`` (or ``python -m dataset``): build, inspect, verify datasets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from slpvec.entry import add_debug_option, entry_point
from slpvec.errors import SlpvecError

from .folds import Fold, shard_split


def non_negative(kind):
    """argparse type: a finite number >= 0 of ``kind`` (int or float), else a usage error."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if not 0 <= value < float("inf"):
            raise argparse.ArgumentTypeError(f"expected a number >= 0, got '{text}'")
        return value
    return parse


def cmd_build(args) -> int:
    from slpvec.inputs import find_inputs

    from .build import build
    from .selection import Caps
    sources = find_inputs(args.sources)
    if not sources:
        raise SlpvecError("no .c or .ll sources found")
    manifest = build(sources, Path(args.out), args.workers, args.cpu, args.cost_kind,
                     args.time_limit, args.seed, progress=not args.quiet,
                     scheduler=args.scheduler, synthetic=args.synthetic, split_by=args.split_by,
                     caps=Caps(args.max_blocks_per_source, args.max_sources_per_suite),
                     time_budget_s=args.time_budget)
    counts = manifest["counts"]
    left_out = manifest["caps"]["sources_left_out"]
    print(f"{args.out}: {counts['shards']}/{counts['sources']} shards, {counts['blocks']} blocks, "
          f"{counts['decisions']} decisions, {counts['failures']} block failures"
          + (f"; {left_out} sources left out by --max-sources-per-suite" if left_out else ""))
    return 0


def cmd_info(args) -> int:
    from .build import manifest_hash
    manifest = json.loads((Path(args.out) / "manifest.json").read_text())
    for key in ("versions", "cpu", "cost_kind", "feature_spec", "label_version", "split_seed",
                "split_by", "caps", "ilp_time_limit_s", "synthetic_blocks"):
        print(f"{key:17s} {manifest.get(key)}")
    print(f"{'manifest_hash':17s} {manifest_hash(args.out)}")  # what checkpoints record
    status: dict[str, int] = {}
    per_split: dict[str, list[int]] = {}
    repositories: dict[str, set[str]] = {}
    for shard in manifest["shards"]:
        for name, n in shard["status"].items():
            status[name] = status.get(name, 0) + n
        row = per_split.setdefault(shard["split"], [0, 0, 0])
        row[0] += 1
        row[1] += shard["blocks"]
        row[2] += shard["decisions"]
        repositories.setdefault(shard["split"], set()).add(shard.get("repository", ""))
    print(f"{'split':8s} {'shards':>7s} {'blocks':>8s} {'decisions':>10s}  repositories")
    for split, (shards, blocks, decisions) in sorted(per_split.items()):
        names = ", ".join(sorted(repositories[split] - {""}))
        print(f"{split:8s} {shards:7d} {blocks:8d} {decisions:10d}  {names or '-'}")
    print(f"oracle status: {status}; block failures: {manifest['counts']['failures']}")
    return 0


def cmd_verify(args) -> int:
    from .build import verify
    problems = verify(Path(args.out))
    for problem in problems:
        print(problem)
    print("ok" if not problems else f"{len(problems)} problems")
    return 0 if not problems else 1


def cmd_sources(args) -> int:
    """Source paths of one split, one per line (for ``slpvec evaluate``)."""
    manifest = json.loads((Path(args.out) / "manifest.json").read_text())
    fold = Fold.parse(args.fold) if args.fold else None
    for shard in manifest["shards"]:
        synthetic = "/synthetic/" in shard["source"]
        if shard_split(shard, fold) == args.split and args.kind in ("all", "synthetic" if synthetic
                                                          else "corpus"):
            print(shard["source"])
    return 0


@entry_point("slpvec-dataset", user_errors=(FileNotFoundError,))
def main(argv: list[str]) -> int:
    """Entry point of ``slpvec-dataset`` (errors as :mod:`slpvec.entry` says)."""
    parser = argparse.ArgumentParser(prog="slpvec-dataset", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="sources -> shards of (graph, oracle trajectory)")
    b.add_argument("sources", nargs="+", help=".c/.ll files or folders")
    b.add_argument("out", help="output folder (rerun to finish an interrupted build)")
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--cpu", default="haswell", help="target cpu (default haswell)")
    b.add_argument("--cost-kind", default="throughput")
    b.add_argument("--time-limit", type=float, default=10.0, help="ILP seconds per block")
    b.add_argument("--seed", type=int, default=0, help="split seed")
    b.add_argument("--split-by", default="source", choices=["source", "repo"],
                   help="split (and cross-validation folds) by source-content hash, or by "
                        "upstream repository: a held-out repository shares no file with training")
    b.add_argument("--max-blocks-per-source", type=non_negative(int), default=0, metavar="M",
                   help="label at most M blocks with candidates per source, chosen by seeded "
                        "hash of the block id (0: all)")
    b.add_argument("--max-sources-per-suite", type=non_negative(int), default=0, metavar="N",
                   help="at most N sources of each corpus suite, chosen by seeded content "
                        "hash (0: all)")
    b.add_argument("--time-budget", type=non_negative(float), default=0.0, metavar="S",
                   help="start no shard after S seconds; the manifest lists those done, "
                        "rerun to finish (0: no budget)")
    b.add_argument("--synthetic", type=int, default=0,
                   help="add this many seeded random blocks (slpvec.tools.randblocks), e.g. as many "
                        "as the corpus has blocks with candidates for a 1:1 mix")
    b.add_argument("--scheduler", default=None,
                   help="Dask scheduler address, or 'local' for a LocalCluster of --workers")
    b.add_argument("-q", "--quiet", action="store_true")
    b.set_defaults(func=cmd_build)
    for name, func in (("info", cmd_info), ("verify", cmd_verify)):
        p = sub.add_parser(name)
        p.add_argument("out")
        p.set_defaults(func=func)
    src = sub.add_parser("sources", help="source paths of one split (e.g. to evaluate on)")
    src.add_argument("out")
    src.add_argument("--split", default="test", choices=["train", "val", "test"])
    src.add_argument("--kind", default="all", choices=["all", "corpus", "synthetic"])
    src.add_argument("--fold", default="", help="K/N: splits of cross-validation fold K of N")
    src.set_defaults(func=cmd_sources)
    add_debug_option(*sub.choices.values())
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
