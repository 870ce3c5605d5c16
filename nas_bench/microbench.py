"""Microbenchmarks for the yardsticks: does a predicted gain show up at run time?

Each kernel in ``bench/kernels`` (hot loops modelled on NPB FT, SP and LU,
written as standalone C) is built per variant: ``scalar`` (clang -O3 without
SLP), ``clang-slp`` (clang -O3), ``slpvec-<policy>`` (the scalar IR through
slpvec), ``slpvec-<policy>+mca`` (the same, with run_slp's final
accept-by-mca check), ``plugin-<policy>`` (clang -O3 with slpvec's pass plugin
in SLP's place, LLVM's post-SLP passes after it: what ``slpvec cc`` builds NPB
with). Every variant's IR is compiled by ``llc-22 -O3`` and linked with
the same timing harness, so only the vectorizer differs.

Per kernel and variant three gains over ``scalar``:

* TTI: Σ freq·cost over the blocks of ``kernel_run``, scalar over variant,
  with cost the block's opt-22 TTI cost and freq LLVM's static block frequency
  (``print<block-freq>``, entry = 1);
* mca: the same sum with llvm-mca-22 cycles per block (:mod:`slpvec.cost.mca`);
* measured: fastest call of ``kernel_run`` (min over ``reps`` calls per
  process and over ``rounds`` processes, variants interleaved), scalar over
  variant.

A variant whose checksum differs from scalar's is reported and left out of
the correlations.
"""

from __future__ import annotations

import math
import re
import signal
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from slpvec.cost import text_block_costs
from slpvec.cost.mca import mca_block_costs
from slpvec.errors import SKIPPED_INPUT_ERRORS
from slpvec.ir import parse_module
from slpvec.passes import name_values
from slpvec.target import Target
from slpvec.toolchain import CLANG_IR_FLAGS, run_tool, tool_path

from .npb import NasError
from .runner import command

KERNELS_DIR = Path(__file__).resolve().parents[1] / "bench" / "kernels"
HARNESS = "harness.c"
HOT_FUNCTION = "kernel_run"
SCALAR = "scalar"
BENCH_VARIANTS = (SCALAR, "clang-slp", "slpvec-greedy", "slpvec-ilp", "slpvec-greedy+mca",
                  "slpvec-ilp+mca", "plugin-greedy", "plugin-ilp")
ACCEPT_BY_MCA = "+mca"   # slpvec-<policy>+mca: run_slp(accept_by="mca")
NOISE = 0.02    # a measured gain within 1 ± this is not called a gain or a loss
_FREQ_LINE = re.compile(r"^ - (.+?): float = ([0-9.eE+-]+)")


@dataclass(frozen=True)
class KernelResult:
    """One kernel under one variant: weighted TTI cost, weighted mca cycles,
    fastest call in ns, checksum; ``error`` says why a number is missing."""

    kernel: str
    variant: str
    tti: float | None
    mca: float | None
    ns: float | None
    checksum: float | None
    error: str = ""


def kernel_names(folder: Path = KERNELS_DIR) -> tuple[str, ...]:
    """The kernels of ``folder`` (every .c file but the harness), sorted."""
    return tuple(sorted(p.stem for p in folder.glob("*.c") if p.name != HARNESS))


def variant_ir(source: Path, variant: str, target: Target, time_limit: float = 10.0) -> str:
    """``source`` compiled to IR for ``variant`` (values named, as the yardsticks key blocks)."""
    flags = [f for f in CLANG_IR_FLAGS if variant == SCALAR or variant.startswith("slpvec-")
             or f != "-fno-slp-vectorize"]
    if variant.startswith("plugin-"):
        from slpvec.tools.cc import CcOptions, plugin_flags

        flags += plugin_flags(CcOptions(policy=variant.removeprefix("plugin-"),
                                        time_limit=time_limit))
    text = run_tool("clang", [*flags, f"-march={target.cpu}", str(source), "-o", "-"]).stdout
    if variant.startswith("slpvec-"):
        from slpvec.driver import run_slp
        from slpvec.policies import get_policy

        policy = variant.removeprefix("slpvec-").removesuffix(ACCEPT_BY_MCA)
        options = {"time_limit_s": time_limit} if policy == "ilp" else {}
        text, _ = run_slp(text, get_policy(policy, **options), target,
                          accept_by="mca" if variant.endswith(ACCEPT_BY_MCA) else "tti")
    elif variant not in (SCALAR, "clang-slp") and not variant.startswith("plugin-"):
        raise NasError(f"unknown microbenchmark variant '{variant}' (choose from "
                       f"{', '.join(BENCH_VARIANTS)}, or slpvec-<policy>[+mca], "
                       "plugin-<policy>)")
    return parse_module(name_values(text), str(source)).text


def block_frequencies(ir: str, function: str = HOT_FUNCTION) -> dict[str, float]:
    """Block label -> LLVM's static frequency (entry = 1) in ``function``."""
    out = run_tool("opt", ["-passes=print<block-freq>", "-disable-output", "-"], stdin=ir).stderr
    freqs, current = {}, None
    for line in out.splitlines():
        if line.startswith("block-frequency-info: "):
            current = line.split(": ", 1)[1].strip()
        elif current == function and (match := _FREQ_LINE.match(line)):
            freqs[match.group(1)] = float(match.group(2))
    return freqs


def predicted_costs(ir: str, target: Target) -> tuple[float, float]:
    """(Σ freq·TTI cost, Σ freq·mca cycles) over the blocks of ``kernel_run``."""
    freqs = block_frequencies(ir)
    tti = text_block_costs(ir, target)
    mca = mca_block_costs(ir, target, [(HOT_FUNCTION, label) for label in freqs])
    return (sum(f * sum(tti[HOT_FUNCTION, b]) for b, f in freqs.items()),
            sum(f * mca[HOT_FUNCTION, b].cycles for b, f in freqs.items()
                if (HOT_FUNCTION, b) in mca))


def link(ir: str, harness: Path, binary: Path, target: Target) -> Path:
    """``ir`` through llc-22 -O3, linked with the harness object."""
    binary.parent.mkdir(parents=True, exist_ok=True)
    obj = binary.with_suffix(".o")
    run_tool("llc", ["-O3", "-filetype=obj", "-relocation-model=pic", *target.opt_flags(),
                     "-o", str(obj), "-"], stdin=ir)
    run_tool("clang", [str(obj), str(harness), "-lm", "-o", str(binary)])
    return binary


def harness_object(folder: Path, build: Path) -> Path:
    """The timing harness, compiled once without vectorization."""
    obj = build / "harness.o"
    build.mkdir(parents=True, exist_ok=True)
    run_tool("clang", ["-O1", "-fno-vectorize", "-fno-slp-vectorize", "-c",
                       str(folder / HARNESS), "-o", str(obj)])
    return obj


def time_binary(binary: Path, reps: int, core: int | None = None) -> tuple[float, float]:
    """(fastest call in ns, checksum) of one harness run of ``reps`` calls."""
    proc = subprocess.run([*command(binary, core), str(reps)], capture_output=True, text=True,
                          timeout=600, check=False)
    fields = dict(line.split(None, 1) for line in proc.stdout.splitlines() if " " in line)
    try:
        return float(fields["min_ns"]), float(fields["checksum"])
    except (KeyError, ValueError):
        if proc.returncode == -signal.SIGILL:
            raise NasError(f"{binary.name}: illegal instruction: this machine cannot run code "
                           f"built for the chosen -mcpu (leave -mcpu out to build for the "
                           f"host)") from None
        raise NasError(f"{binary.name}: no timing in its output (exit {proc.returncode}): "
                       f"{(proc.stderr or proc.stdout).strip()[:200]}") from None


def run_microbench(kernels: tuple[str, ...], variants: tuple[str, ...], target: Target,
                   build: Path, reps: int = 200, rounds: int = 5, core: int | None = None,
                   time_limit: float = 10.0, folder: Path = KERNELS_DIR,
                   log=print) -> list[KernelResult]:
    """Build every (kernel, variant), run them ``rounds`` times interleaved,
    and return one result per pair (scalar first)."""
    variants = (SCALAR,) + tuple(v for v in variants if v != SCALAR)
    harness = harness_object(folder, build)
    built, results = {}, {}
    for kernel in kernels:
        for variant in variants:
            try:
                ir = variant_ir(folder / f"{kernel}.c", variant, target, time_limit)
                tti, mca = predicted_costs(ir, target)
                built[kernel, variant] = link(ir, harness, build / variant / kernel, target)
                results[kernel, variant] = KernelResult(kernel, variant, tti, mca, None, None)
            except SKIPPED_INPUT_ERRORS as err:
                log(f"{kernel} {variant}: {err}")
                results[kernel, variant] = KernelResult(kernel, variant, None, None, None, None,
                                                        str(err))
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for round_ in range(rounds):
        shift = round_ % max(len(variants), 1)
        order = [(k, v) for k in kernels for v in variants[shift:] + variants[:shift]
                 if (k, v) in built]
        for key in order:
            try:
                ns, checksum = time_binary(built[key], reps, core)
            except (NasError, subprocess.TimeoutExpired) as err:
                results[key] = _with(results[key], error=str(err))
                built.pop(key)
                continue
            if key not in best or ns < best[key][0]:
                best[key] = (ns, checksum)
    for key, (ns, checksum) in best.items():
        results[key] = _with(results[key], ns=ns, checksum=checksum)
    return [results[k, v] for k in kernels for v in variants]


def _with(result: KernelResult, **changes) -> KernelResult:
    return replace(result, **changes)


@dataclass(frozen=True)
class Gain:
    """Gains over scalar (> 1: faster/cheaper) of one kernel's variant."""

    kernel: str
    variant: str
    tti: float | None
    mca: float | None
    measured: float | None
    note: str = ""


def gains(results: list[KernelResult]) -> list[Gain]:
    """Each non-scalar result as gains over its kernel's scalar result."""
    scalar = {r.kernel: r for r in results if r.variant == SCALAR}
    out = []
    for r in results:
        base = scalar.get(r.kernel)
        if r.variant == SCALAR or base is None:
            continue
        ratio = lambda a, b: a / b if a and b else None  # noqa: E731
        note = r.error
        if not note and r.checksum is not None and base.checksum is not None and not math.isclose(
                r.checksum, base.checksum, rel_tol=1e-9, abs_tol=1e-12):
            note = f"WRONG checksum {r.checksum:.17g} (scalar {base.checksum:.17g})"
        measured = None if note else ratio(base.ns, r.ns)
        out.append(Gain(r.kernel, r.variant, ratio(base.tti, r.tti), ratio(base.mca, r.mca),
                        measured, note))
    return out


def _ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def correlation_line(rows: list[Gain], yardstick: str, noise: float = NOISE) -> str:
    """One yardstick against measurement: Pearson and Spearman correlation of
    predicted with measured gain, and among the variants whose measured gain
    is outside 1 ± ``noise``, how many the yardstick puts on the same side of 1."""
    from slpvec.tools.evaluate import correlation

    pairs = [(getattr(g, yardstick), g.measured) for g in rows
             if getattr(g, yardstick) is not None and g.measured is not None]
    xs, ys = [p for p, _ in pairs], [m for _, m in pairs]
    clear = [(p, m) for p, m in pairs if abs(m - 1) > noise]
    same = sum((p > 1) == (m > 1) for p, m in clear)
    return (f"{yardstick}: Pearson {correlation(xs, ys):.3f}, Spearman "
            f"{correlation(_ranks(xs), _ranks(ys)):.3f} with the measured gain over "
            f"{len(pairs)} kernel variants; of the {len(clear)} measured outside "
            f"1 ± {noise:g}, {same} predicted on the right side of 1")


def render(results: list[KernelResult], protocol: str) -> str:
    """Markdown: per kernel and variant the three gains, then each yardstick's correlation."""
    rows = gains(results)
    scalar = {r.kernel: r for r in results if r.variant == SCALAR}
    fmt = lambda x: "-" if x is None else f"{x:.3f}x"  # noqa: E731
    lines = [protocol, "", "| kernel | variant | scalar ns | TTI gain | mca gain | measured gain "
             "| note |", "|---|---|---:|---:|---:|---:|---|"]
    for g in rows:
        ns = scalar[g.kernel].ns
        lines.append(f"| {g.kernel} | {g.variant} | {'-' if ns is None else f'{ns:.0f}'} | "
                     f"{fmt(g.tti)} | {fmt(g.mca)} | {fmt(g.measured)} | {g.note} |")
    return "\n".join(lines + ["", correlation_line(rows, "tti"),
                              correlation_line(rows, "mca")]) + "\n"


def add_command(subs) -> None:
    """``python -m nas_bench yardstick``: the microbenchmarks and the correlation table."""
    from .npb import CACHE

    micro = subs.add_parser("yardstick", help="microbenchmarks: TTI and mca predicted gain "
                            "vs measured gain per kernel and variant")
    micro.add_argument("--kernels", help="comma-separated (default: all in bench/kernels)")
    micro.add_argument("--variants", default=",".join(BENCH_VARIANTS[1:]),
                       help="compared with scalar (clang -O3 without SLP)")
    micro.add_argument("--reps", type=int, default=200, help="calls per process (default 200)")
    micro.add_argument("--rounds", type=int, default=5,
                       help="processes per binary, interleaved (default 5)")
    micro.add_argument("-mcpu", "--mcpu", dest="mcpu", help="target cpu (default: the host)")
    micro.add_argument("--pin-core", type=int, metavar="N", help="taskset -c N")
    micro.add_argument("--time-limit", type=float, default=10.0, help="ILP seconds per block")
    micro.add_argument("--build-dir", default=str(CACHE / "microbench"))
    micro.add_argument("--out", help="also write the table to this markdown file")
    micro.set_defaults(func=cmd_yardstick)


def cmd_yardstick(args) -> int:
    """Build, time and print the table (exit 0; errors are NasError one-liners)."""
    from slpvec.files import write_text_atomic
    from slpvec.target import cpu_target, host_target

    from .runner import check_pin

    check_pin(args.pin_core)
    if args.reps < 1 or args.rounds < 1:
        raise NasError("--reps and --rounds must be at least 1")
    names = lambda text: tuple(n.strip() for n in text.split(",") if n.strip())  # noqa: E731
    kernels = names(args.kernels) if args.kernels else kernel_names()
    unknown = sorted(set(kernels) - set(kernel_names()))
    if unknown:
        raise NasError(f"unknown kernel(s) {', '.join(unknown)} (choose from "
                       f"{', '.join(kernel_names())})")
    target = cpu_target(args.mcpu) if args.mcpu else host_target()
    results = run_microbench(kernels, names(args.variants), target, Path(args.build_dir),
                             args.reps, args.rounds, args.pin_core, args.time_limit)
    pinned = f"pinned to core {args.pin_core}" if args.pin_core is not None else "not pinned"
    text = render(results, f"Microbenchmarks for -mcpu {target.cpu}: fastest of {args.reps} "
                           f"calls x {args.rounds} interleaved processes, {pinned}; gains over "
                           "scalar (clang -O3 -fno-slp-vectorize), > 1 is better.")
    if args.out:
        write_text_atomic(Path(args.out), text)
    print(text, end="")
    return 0
