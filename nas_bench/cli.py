"""``python -m nas_bench``: fetch NPB, build and run it per compiler variant, report.

Errors are one line (``nas_bench: error: ...``, exit status 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slpvec.entry import add_debug_option, entry_point

from .microbench import add_command as add_yardstick_command
from .npb import BENCHMARKS, CACHE, default_npb, fetch_npb, npb_manifests
from .variants import VARIANTS


def _names(text: str, upper: bool = False) -> tuple[str, ...]:
    return tuple((n.upper() if upper else n) for n in (p.strip() for p in text.split(",")) if n)


def cmd_fetch(args) -> int:
    path = fetch_npb(Path(args.source) if args.source else None,
                     Path(args.dest) if args.dest else None,
                     log=lambda line: print(line, file=sys.stderr))
    print(path)
    return 0


def _config(args):
    from .suite import SuiteConfig

    return SuiteConfig(out=Path(args.out), npb=args.npb, npb_class=args.npb_class.upper(),
                       benchmarks=_names(args.benchmarks, upper=True),
                       variants=_names(args.variants), repeats=args.repeats, march=args.march,
                       time_limit=args.time_limit, model=args.model,
                       build_dir=Path(args.build_dir), rebuild=args.rebuild,
                       timeout=args.timeout, quiet=args.quiet, pin_core=args.pin_core)


def cmd_build(args) -> int:
    from .suite import build_all

    builds = build_all(_config(args))
    print(f"{sum(b.ok for b in builds)}/{len(builds)} binaries built; "
          f"compile report in {Path(args.out) / 'compile.md'}")
    return 0 if all(b.ok for b in builds) else 3


def cmd_run(args) -> int:
    from .suite import run_suite

    result = run_suite(_config(args))
    out = Path(args.out)
    if result.summary is not None:
        print((out / "nas.md").read_text(), end="")
    failed = [r for r in result.runs if not r.verified]
    print(f"{len(result.runs) - len(failed)}/{len(result.runs)} runs verified; results in {out}")
    return 0 if result.runs and not failed and all(b.ok for b in result.builds) else 3


def cmd_report(args) -> int:
    from .results import render

    render(Path(args.out))
    print((Path(args.out) / "nas.md").read_text(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nas_bench", description=__doc__.splitlines()[0])
    subs = parser.add_subparsers(dest="command", required=True)
    fetch = subs.add_parser("fetch", help="fetch NPB3.3-SER-C at its pinned commit, verify, cache")
    pinned = npb_manifests()
    fetch.add_argument("--from", dest="source", help=f"offline copy: {pinned.bundle}, a folder "
                       f"holding NPB3.3-SER-C, or a git checkout of {pinned.suites[0].upstream} "
                       f"(default ${pinned.env}, else fetch upstream)")
    fetch.add_argument("--dest", help=f"target folder (default {default_npb()})")
    fetch.set_defaults(func=cmd_fetch)
    for name, func, text in (("run", cmd_run, "build, run interleaved, write nas.csv/md/png"),
                             ("build", cmd_build, "build only, write compile.csv/md")):
        sub = subs.add_parser(name, help=text)
        sub.add_argument("--npb", help="NPB3.3-SER-C folder or .tar.gz (default: $SLPVEC_NPB, "
                         "else the cache, fetched on first use)")
        sub.add_argument("--class", dest="npb_class", default="W",
                         help="NPB class: S, W, A, B, ... (default W)")
        sub.add_argument("--benchmarks", default=",".join(BENCHMARKS))
        sub.add_argument("--variants", default=",".join(VARIANTS))
        sub.add_argument("--repeats", type=int, default=5,
                         help="runs per binary, interleaved (default 5)")
        sub.add_argument("--pin-core", type=int, metavar="N",
                         help="run every binary on cpu N only (taskset -c N)")
        sub.add_argument("--out", default="results", help="results folder (default results/)")
        sub.add_argument("--march", default="native", help="-march for every variant")
        sub.add_argument("--time-limit", type=float, default=10.0,
                         help="ILP seconds per block for slpvec-ilp (default 10)")
        sub.add_argument("--model", help="GNN model folder for slpvec-gnn")
        sub.add_argument("--build-dir", default=str(CACHE / "nas-build"),
                         help="where the per-variant NPB copies are built")
        sub.add_argument("--rebuild", action="store_true", help="ignore previous builds")
        sub.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        sub.set_defaults(func=func)
    add_yardstick_command(subs)
    report = subs.add_parser("report", help="re-render nas.md/nas.png/compile.md from the CSVs")
    report.add_argument("out", help="results folder holding nas.csv")
    report.set_defaults(func=cmd_report)
    add_debug_option(*subs.choices.values())
    return parser


@entry_point("nas_bench")
def main(argv: list[str]) -> int:
    """Entry point of ``python -m nas_bench`` (errors as :mod:`slpvec.entry` says)."""
    args = build_parser().parse_args(argv)
    return args.func(args)
