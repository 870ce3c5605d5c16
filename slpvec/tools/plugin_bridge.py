"""The Python side of the clang/opt pass plugin (``plugin/SlpvecPlugin.cpp``).

The plugin replaces LLVM's SLP vectorizer: at the end of the module
optimisation pipeline it prints the module to a file and runs
``python -m slpvec plugin-worker IN OUT --policy P ...``. The worker
vectorizes IN with :func:`slpvec.driver.run_slp` (no DCE: the plugin runs
LLVM's post-SLP passes on what changed), writes the module to OUT and the
names of the functions it changed to stdout, one per line. OUT keeps IN's
metadata numbering (blocks are spliced into the text, the metadata is not
reprinted), which is how the plugin maps the returned functions' metadata
back onto the module's. Any error: a message on stderr and exit status 1;
the plugin then leaves the module unchanged and prints one warning line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from ..errors import SlpvecError

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugin"
PLUGIN_NAME = "slpvec-plugin.so"
SERVER_SWITCH = "SLPVEC_PLUGIN_SERVER"   # "0": no long-lived server (plugin_server)


def plugin_path(build: bool = False) -> Path:
    """The built plugin's path; ``build``: (re)build it first if its source or
    build script changed (``plugin/build.sh``, a few seconds when it does).
    SlpvecError when it is not built (or cannot be)."""
    script = PLUGIN_DIR / "build.sh"
    if build:
        if not script.is_file():
            raise SlpvecError(f"plugin-path: no {script} (not a source checkout)")
        proc = subprocess.run(["bash", str(script), sys.executable], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise SlpvecError(f"plugin-path: building the plugin failed: {tail}")
    path = PLUGIN_DIR / "build" / PLUGIN_NAME
    if not path.is_file():
        raise SlpvecError(f"plugin-path: the plugin is not built; run scripts/setup.sh "
                          f"or 'slpvec plugin-path --build'")
    return path


def defined_functions(text: str) -> list[str]:
    """:attr:`Function.name` of each function IR text defines, in order
    (``@"a:b"``: ``a:b``; unnamed ``@0``: ``0``)."""
    from ..ir.globals import FUNCTION_REF, function_name

    return [function_name(match.group(1)) for line in text.splitlines()
            if line.startswith("define ") and (match := FUNCTION_REF.search(line))]


def owner(block_id: str, functions: list[str]) -> str:
    """The function of a block id ``function:label`` when either part may
    hold colons (``@"ns:f"``, a label ``"a:b"``): the longest of
    ``functions`` it starts with."""
    return max((f for f in functions if block_id.startswith(f + ":")), key=len,
               default=block_id.rpartition(":")[0])


def changed_functions(report, functions: list[str]) -> list[str]:
    """Functions (of ``functions``, the module's) with at least one
    vectorized block, in first-seen order."""
    names = []
    for block in report.blocks:
        function = owner(block.block_id, functions) if block.vectorized else None
        if function is not None and function not in names:
            names.append(function)
    return names


# Why a block of a function named by --keep-bodies is reported scalar.
KEPT_BODY = "uses label addresses (computed goto): the pass plugin keeps its body"


def keep_bodies(report, kept_functions: set[str], functions: list[str]):
    """``report`` with the vectorized blocks of ``kept_functions`` (those
    whose body the plugin cannot replace, so their vector code is never used)
    reported scalar: cost after = cost before, reason :data:`KEPT_BODY`."""
    from dataclasses import replace

    def kept(block):
        if not (block.vectorized and owner(block.block_id, functions) in kept_functions):
            return block
        return replace(block, cost_after=block.cost_before, fallback_reason=KEPT_BODY,
                       scalar_reason=KEPT_BODY)
    return replace(report, blocks=tuple(map(kept, report.blocks))) if kept_functions else report


def read_names(path: str | None) -> set[str]:
    """The functions of a --keep-bodies file, one reference a line as LLVM
    prints it (``@f``, ``@"a:b"``, ``@0``), as :attr:`Function.name`s."""
    from ..ir.globals import function_name

    return {function_name(ref) for ref in Path(path).read_text().split()} if path else set()


def worker_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slpvec plugin-worker",
                                     description="vectorize one module for the pass plugin")
    parser.add_argument("input", help="module text printed by the plugin")
    parser.add_argument("output", help="where the vectorized module goes")
    parser.add_argument("--policy", default="greedy")
    parser.add_argument("--model", default=None)
    parser.add_argument("--time-limit", default="10")
    parser.add_argument("--report-dir", default=None)
    parser.add_argument("--source", default="<module>", help="the module's source file name")
    parser.add_argument("--keep-bodies", default=None, metavar="FILE",
                        help="functions (one a line) whose body the plugin keeps: "
                             "reported scalar")
    return parser


def worker_options(argv: list[str]):
    """(parsed worker arguments, CcOptions); SlpvecError for a bad time limit."""
    from ..policies.base import time_limit_seconds
    from .cc import CcOptions

    args = worker_parser().parse_args(argv)
    return args, CcOptions(policy=args.policy, model=args.model,
                           time_limit=time_limit_seconds(args.time_limit),
                           report_dir=args.report_dir)


def cached_policy(argv: list[str], cache: dict):
    """The policy the worker arguments ask for, made once per (policy, model, limit)."""
    from .cc import make_policy

    _, opts = worker_options(argv)
    model = Path(opts.model) if opts.model else None
    stamps = tuple(p.stat().st_mtime_ns for p in sorted(model.rglob("*")) if p.is_file()) \
        if model and model.is_dir() else ()
    key = (opts.policy, opts.model, stamps, opts.time_limit)  # retrained weights: a new entry
    if key not in cache:
        cache[key] = make_policy(opts)
    return cache[key]


def run_worker(argv: list[str], policies: dict | None = None) -> int:
    """``slpvec plugin-worker``: exit status 0 with the changed functions on
    stdout, or 1 with one ``slpvec: error:`` line (the plugin's warning).
    Unless ``$SLPVEC_PLUGIN_SERVER=0`` (and without ``policies``, i.e. when
    not already on the server) the work goes to the long-lived server of
    :mod:`plugin_server`."""
    if policies is None and os.environ.get(SERVER_SWITCH, "1") != "0":  # before heavy imports
        from .plugin_server import request
        status = request(argv)
        if status is not None:
            return status
    from ..driver import run_slp
    from ..files import write_text_atomic
    from .cc import SourceResult, write_report
    from .frontend_env import accept_by, function_filter

    try:
        args, opts = worker_options(argv)
        policy = cached_policy(argv, {} if policies is None else policies)
        text = Path(args.input).read_text()
        t0 = time.perf_counter()
        vectorized, report = run_slp(text, policy, source=args.source, do_cleanup=False,
                                     select=function_filter(), accept_by=accept_by())
        functions = defined_functions(text)
        report = keep_bodies(report, read_names(args.keep_bodies), functions)
        seconds = time.perf_counter() - t0
        changed = changed_functions(report, functions)
        write_text_atomic(args.output, vectorized if changed else text)
    except (SlpvecError, OSError) as err:
        print(f"slpvec: error: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the plugin turns this into one warning
        print(f"slpvec: error: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    if opts.report_dir:
        result = SourceResult(args.source, opts.policy, 0.0, seconds, 0.0, "", report.to_json())
        try:
            write_report(result, opts.report_dir)
        except SlpvecError as err:  # the module is vectorized: a report is no reason to fail
            print(f"slpvec: warning: {args.source}: no report: {err}", file=sys.stderr)
    print("\n".join(changed))
    return 0
