"""The ``slpvec`` command line: thin wrappers over library functions.

Every user-caused error is a :class:`SlpvecError`, printed as one line
(``slpvec: error: ...``) with exit status 1. Usage errors exit with 2. Any
other exception is slpvec's own (an :class:`slpvec.errors.InternalError` or a
bug): one line ``slpvec: internal error: ...`` asking for a report, exit
status 70 (``--debug`` shows the traceback instead).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .entry import add_debug_option, entry_point
from .errors import SKIPPED_INPUT_ERRORS, SlpvecError


def _load(args):
    """Module and target for the input file, honouring ``-mcpu``."""
    from .inputs import load_module
    from .target import target_for

    module = load_module(args.input, args.mcpu)
    return module, target_for(module, args.mcpu)


def cmd_analyze(args) -> int:
    from .analysis.summary import summarize_module
    from .cost import block_costs

    module, target = _load(args)
    costs = block_costs(module, target, args.cost_kind)
    summaries = summarize_module(module, target, costs)
    if args.json:
        json.dump({"target": {"triple": target.triple, "cpu": target.cpu,
                              "vector_bits": target.vector_bits},
                   "unknown": [list(u) for u in module.unknown],
                   "blocks": [s.to_json() for s in summaries]}, sys.stdout, indent=1)
        print()
        return 0
    print(f"target {target.triple} cpu={target.cpu} vector_bits={target.vector_bits}")
    for s in summaries:
        flag = " (truncated)" if s.truncated else ""
        print(f"{s.function}:{s.label}  instrs={s.n_instrs}  scalar_cost={s.scalar_cost:g}"
              f"  candidates={len(s.candidates)}{flag}")
        for lanes, names in zip(s.candidates, s.candidate_names):
            print(f"    [{','.join(map(str, lanes))}]  {' '.join(names)}")
    for fn, label, idx, opcode in module.unknown:
        print(f"unknown construct kept as barrier: {fn}:{label} #{idx} '{opcode}'")
    return 0


def cmd_cost(args) -> int:
    from .cost import module_report

    module, target = _load(args)
    rows = module_report(module, target, args.cost_kind)
    if args.json:
        json.dump([r.__dict__ for r in rows], sys.stdout, indent=1)
        print()
        return 0
    width = max([len(f"{r.function}:{r.label}") for r in rows] + [5])
    print(f"{'block':<{width}}  {'instrs':>6}  {'cost':>8}")
    for r in rows:
        print(f"{r.function + ':' + r.label:<{width}}  {r.n_instrs:>6}  {r.cost:>8g}")
    print(f"{'total':<{width}}  {sum(r.n_instrs for r in rows):>6}  "
          f"{sum(r.cost for r in rows):>8g}   ({args.cost_kind}, cpu={target.cpu})")
    return 0


def cmd_vectorize(args) -> int:
    from .driver import run_slp
    from .files import write_files

    from .policies import policy_for_run

    _check_outputs(args.input, {"-o": args.output, "--report": args.report})
    module, target = _load(args)
    policy = policy_for_run(args.policy, model=args.model, time_limit_s=args.time_limit)
    text, report = run_slp(module.text, policy, target, args.cost_kind,
                           source=str(args.input), accept_by=args.accept_by)
    files = [(args.report, json.dumps(report.to_json(), indent=1) + "\n")] if args.report else []
    if args.output != "-":
        files.append((args.output, text))
    write_files(files)  # both staged before either is in place; the IR last
    if args.output == "-":
        sys.stdout.write(text)
    print(report.summary(), file=sys.stderr)
    for block in report.fallbacks:
        print(f"  scalar fallback {block.block_id}: {block.fallback_reason}", file=sys.stderr)
    return 0


def _check_outputs(source: str, outputs: dict[str, str | None]) -> None:
    """Refuse outputs that would overwrite each other or the input. An IR
    input may be its own ``-o`` (it is read in full first, then replaced
    atomically, like ``opt in.ll -S -o in.ll``); a C source never is."""
    from .files import same_file

    named = [(flag, path) for flag, path in outputs.items() if path and path != "-"]
    for k, (flag, path) in enumerate(named):
        if same_file(path, source) and not (flag == "-o" and Path(source).suffix in (".ll", "")):
            raise SlpvecError(f"{flag} {path} is the input file; refusing to overwrite it")
        for other_flag, other in named[k + 1:]:
            if same_file(path, other):
                raise SlpvecError(f"{flag} and {other_flag} name the same file {path}")


def cmd_validate(args) -> int:
    from .inputs import load_module
    from .tools.validate import validate_modules

    original = load_module(args.original, args.mcpu, retarget_ir=False).text
    vectorized = load_module(args.vectorized, args.mcpu, retarget_ir=False).text
    result = validate_modules(original, vectorized, seeds=args.seeds,
                              functions=args.functions.split(",") if args.functions else None)
    for fn, seed in result.mismatches:
        print(f"MISMATCH {fn} seed={seed}")
    if result.error:
        print(f"the vectorized module does not run: {result.error}")
    for outcome in result.outcomes:
        if not outcome.conclusive:
            print(f"NOT CHECKED {outcome.summary()}")
    print(f"{len(result.functions)} functions, {result.runs} runs, "
          f"{len(result.mismatches)} mismatches, {len(result.inconclusive)} inconclusive")
    if not result.ok:
        return 3
    # a vectorized function nothing was compared for is not validated
    return 4 if result.unchecked else 0


def cmd_evaluate(args) -> int:
    from tqdm import tqdm

    from .inputs import find_inputs, load_module
    from .tools.evaluate import (evaluate_module, format_table, ilp_summary, policy_timing,
                                 summarize, write_rows)
    from .policies import policy_for_run

    names = [p.strip() for p in args.policies.split(",") if p.strip()]
    policies = [name if name == "llvm" else
                policy_for_run(name, time_limit_s=args.time_limit, model=args.model)
                for name in names]
    inputs = find_inputs(args.inputs)
    if not inputs:
        raise SlpvecError("no .c or .ll inputs found")
    rows, blocks, skipped = [], [], []
    for path in tqdm(inputs, desc="evaluate", unit="file", disable=args.quiet):
        try:
            module = load_module(path, args.mcpu)
        except SlpvecError as err:
            skipped.append(f"{path}: {err}")
            continue
        module_rows, module_blocks = evaluate_module(module, policies, args.cost_kind, args.mcpu,
                                                       str(path), args.yardstick)
        rows += module_rows
        blocks += module_blocks
    if args.csv:
        write_rows(args.csv, rows)
    if args.blocks_csv:
        write_rows(args.blocks_csv, blocks)
    if args.yardstick != "mca":
        print(format_table(summarize(rows, names)))
    if args.yardstick != "tti":
        from .tools.yardstick import as_mca_rows, disagreement
        print("llvm-mca cycles per block, summed over blocks:")
        print(format_table(summarize(as_mca_rows(rows), names)))
        print(disagreement(blocks, [n for n in names if n not in ("llvm", "none")]))
    print(policy_timing(blocks, [n for n in names if n != "llvm"]))
    if "ilp" in names:
        print(ilp_summary(blocks, args.time_limit))
    print(f"{len(inputs) - len(skipped)} inputs evaluated, {len(skipped)} skipped")
    for line in skipped:
        print(f"  skipped {line}", file=sys.stderr)
    return 0


def cmd_compare_llvm(args) -> int:
    from .inputs import find_inputs, load_module
    from .tools.llvm_compare import compare_module, summarize, write_csv
    from .policies import policy_for_run

    names = [p.strip() for p in args.policies.split(",") if p.strip() and p.strip() != "llvm"]
    policies = [policy_for_run(n, time_limit_s=args.time_limit, model=args.model) for n in names]
    inputs = find_inputs(args.inputs)
    if not inputs:
        raise SlpvecError("no .c or .ll inputs found")
    rows = []
    for path in inputs:
        try:
            rows += compare_module(load_module(path, args.mcpu), policies, args.cost_kind,
                                   args.mcpu, str(path))
        except SKIPPED_INPUT_ERRORS as err:
            print(f"  skipped {path}: {err}", file=sys.stderr)
    if args.csv:
        write_csv(args.csv, rows)
    print(summarize(rows))
    return 0


def cmd_fuzz(args) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from .tools.fuzz import FUZZ_SPECS, fuzz, specs_with
    from .target import cpu_target

    target = cpu_target(args.mcpu)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    specs = specs_with(args.classes.split(",")) if args.classes else FUZZ_SPECS
    with tqdm(total=args.count, desc="fuzz", unit="block", disable=args.quiet) as bar:
        summary = fuzz(args.count, args.seed, policies, target, Path(args.reproducers), bar.update,
                       jobs=args.jobs, specs=specs)
    print("\n".join(summary.lines()))
    return 0 if not summary.mismatches and not summary.crashes else 3


def cmd_plugin_path(args) -> int:
    from .tools.plugin_bridge import plugin_path

    print(plugin_path(build=args.build))
    return 0


def cmd_explain(args) -> int:
    from .policies import policy_for_run
    from .tools.explain import explain_block
    from .tools.explain_render import output_format, render, require_dot

    output_format(args.output)
    require_dot()
    module, target = _load(args)
    policy = policy_for_run(args.policy, model=args.model, time_limit_s=args.time_limit)
    explained = explain_block(module, args.function, args.block, policy, target, args.cost_kind,
                              with_llvm=args.llvm, source=str(args.input))
    if args.block is None:
        print(f"slpvec: explain: no --block given; showing {explained.block_id}, the block of "
              f"{args.function} the policy saves most on (cost {explained.cost_before:g} -> "
              f"{explained.cost_after:g})", file=sys.stderr)
    render(explained, args.output)
    return 0


def _common(sub, json_option: bool = True):
    sub.add_argument("input", help="LLVM IR (.ll) or C source (.c, compiled with clang-22)")
    sub.add_argument("-mcpu", "--mcpu", dest="mcpu", default=None,
                     help="target cpu (default: the module's target-cpu, else the host)")
    sub.add_argument("--cost-kind", default="throughput",
                     choices=["throughput", "latency", "code-size", "size-latency"],
                     help="TTI cost kind (default: throughput)")
    if json_option:
        sub.add_argument("--json", action="store_true", help="machine-readable output")


def _seconds(text: str) -> float:
    """argparse type of ``--time-limit``: a bad value is a usage error (exit 2)."""
    from .policies.base import time_limit_seconds

    try:
        return time_limit_seconds(text)
    except SlpvecError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _positive_int(text: str) -> int:
    """argparse type of ``--jobs``: a whole number >= 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _policy_options(sub):
    sub.add_argument("--model", default=None,
                     help="gnn model directory (default: the model shipped with slpvec)")
    sub.add_argument("--time-limit", type=_seconds, default=10.0,
                     help="ILP seconds per block (default 10)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slpvec", description=__doc__.splitlines()[0]
                                     if __doc__ else None)
    subs = parser.add_subparsers(dest="command", required=True)
    analyze = subs.add_parser("analyze", help="candidate packs and scalar cost per block")
    _common(analyze)
    analyze.set_defaults(func=cmd_analyze)
    cost = subs.add_parser("cost", help="per-block TTI cost: the project's yardstick")
    _common(cost)
    cost.set_defaults(func=cmd_cost)
    vect = subs.add_parser("vectorize", help="vectorize a module with a packing policy")
    _common(vect)
    vect.add_argument("-o", "--output", required=True, help="output .ll ('-' for stdout)")
    vect.add_argument("--policy", default="greedy",
                      help="none | greedy | greedy-refined | ilp | gnn | gnn-raw")
    vect.add_argument("--report", help="write a per-block JSON report here")
    vect.add_argument("--accept-by", choices=["tti", "mca", "tti+mca"], default="tti",
                      help="mca: keep a vectorized block only if llvm-mca-22 finds its machine "
                           "code no slower than the scalar block's; tti+mca: ask only about "
                           "blocks of small estimated gain (default tti: the plan's cost)")
    _policy_options(vect)
    vect.set_defaults(func=cmd_vectorize)
    ex = subs.add_parser("explain", help="a picture of one block: instructions, dependences, "
                         "the chosen packs and their costs")
    _common(ex, json_option=False)
    ex.add_argument("--function", required=True, help="the function whose block to draw")
    ex.add_argument("--block", help="block label (default: the one the policy saves most on)")
    ex.add_argument("--policy", default="greedy",
                    help="none | greedy | greedy-refined | ilp | gnn | gnn-raw")
    ex.add_argument("-o", "--output", required=True, help="picture: .svg, .png or .html "
                    "(the SVG with a table of packs and costs)")
    ex.add_argument("--llvm", action="store_true",
                    help="also show LLVM SLP's vector instructions for the block")
    _policy_options(ex)
    ex.set_defaults(func=cmd_explain)
    ev = subs.add_parser("evaluate", help="static cost of each policy (and LLVM SLP) on inputs")
    ev.add_argument("inputs", nargs="+", help=".c/.ll files or folders (C uses compile_flags.txt)")
    ev.add_argument("--policies", default="none,greedy,llvm",
                    help="comma-separated: none, greedy, greedy-refined, ilp, gnn, gnn-raw, "
                         "llvm (= opt-22 SLP)")
    ev.add_argument("-mcpu", "--mcpu", dest="mcpu", default=None, help="target cpu")
    ev.add_argument("--cost-kind", default="throughput",
                    choices=["throughput", "latency", "code-size", "size-latency"])
    ev.add_argument("--csv", help="write one row per (input, policy) here")
    ev.add_argument("--blocks-csv", help="write one row per (block, policy) here")
    ev.add_argument("--yardstick", choices=["tti", "mca", "both"], default="tti",
                    help="tti (opt-22 cost model), mca (llvm-mca-22 cycles of llc's code per "
                         "block) or both, with per-block disagreement (default tti)")
    _policy_options(ev)
    ev.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ev.set_defaults(func=cmd_evaluate)
    cmp = subs.add_parser("compare-llvm", help="block by block: each policy vs LLVM SLP, "
                          "and what LLVM used where it is cheaper")
    cmp.add_argument("inputs", nargs="+", help=".c/.ll files or folders")
    cmp.add_argument("--policies", default="greedy,ilp", help="comma-separated policies")
    cmp.add_argument("-mcpu", "--mcpu", dest="mcpu", default=None, help="target cpu")
    cmp.add_argument("--cost-kind", default="throughput",
                     choices=["throughput", "latency", "code-size", "size-latency"])
    cmp.add_argument("--csv", help="write one row per block here")
    _policy_options(cmp)
    cmp.set_defaults(func=cmd_compare_llvm)
    fz = subs.add_parser("fuzz", help="random blocks through policies, differential-checked")
    fz.add_argument("--count", type=int, default=200, help="number of random blocks")
    fz.add_argument("--seed", type=int, default=0)
    fz.add_argument("--policies", default="greedy,ilp")
    fz.add_argument("-mcpu", "--mcpu", dest="mcpu", default="haswell")
    fz.add_argument("--reproducers", default="fuzz-reproducers",
                    help="folder for minimal reproducers of mismatches")
    fz.add_argument("--jobs", type=_positive_int, default=1,
                    help="processes fuzzing module seeds in parallel (default 1)")
    fz.add_argument("--classes", default="",
                    help="comma-separated fuzz classes: only specs generating all of them "
                    "(compares, selects, narrow, i1, intrinsics, globals, vec3, structs, "
                    "foreign_layout, pointer32, wrap, debug, invoke, alternate, extracts, "
                    "plain, may-alias, casts, loop, carried)")
    fz.add_argument("-q", "--quiet", action="store_true")
    fz.set_defaults(func=cmd_fuzz)
    val = subs.add_parser("validate", help="differential execution: original vs vectorized")
    val.add_argument("original")
    val.add_argument("vectorized")
    val.add_argument("--seeds", type=int, default=3, help="random inputs per function")
    val.add_argument("--functions", help="comma-separated functions to run (default: all); "
                     "exit status 4 if one that changed got no conclusive run")
    val.add_argument("-mcpu", "--mcpu", dest="mcpu", default=None,
                     help="cpu for compiling C inputs (use the one the vectorized file was made for)")
    val.set_defaults(func=cmd_validate)
    plug = subs.add_parser("plugin-path", help="path of the clang/opt pass plugin "
                           "(clang-22 -O3 -fpass-plugin=$(slpvec plugin-path) ...)")
    plug.add_argument("--build", action="store_true",
                      help="build it first if missing or out of date")
    plug.set_defaults(func=cmd_plugin_path)
    add_debug_option(*subs.choices.values())
    return parser


@entry_point("slpvec")
def main(argv: list[str]) -> int:
    """Entry point of the ``slpvec`` console script (see :mod:`slpvec.entry`)."""
    if argv[:1] == ["cc"]:  # a compiler driver: clang's own flags, not argparse's
        from .tools.cc import main as cc_main
        return cc_main(argv[1:])
    if argv[:1] == ["plugin-worker"]:  # run by the pass plugin, not by users
        from .tools.plugin_bridge import run_worker
        return run_worker(argv[1:])
    if argv[:1] == ["plugin-server"]:  # started by a plugin-worker client
        from .tools.plugin_server import IDLE_SECONDS, serve
        return serve(Path(argv[1]), float(argv[2]) if len(argv) > 2 else IDLE_SECONDS)
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
