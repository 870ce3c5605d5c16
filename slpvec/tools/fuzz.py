"""Fuzzing: random blocks through every policy, checked by differential execution.

Module seed k is generated with ``FUZZ_SPECS[k % len(FUZZ_SPECS)]``: the
lane-group blocks of :mod:`slpvec.tools.randblocks` (plain, may-alias, casts) or
the fuzz classes of :mod:`slpvec.tools.fuzzgen`, alone and mixed. Each policy
vectorizes the module; the output must behave exactly like the scalar input on
random data. Before both versions of a class module are executed they go
through instcombine: poison a pack invented (a flag or immediate argument kept
from lane 0) then becomes wrong values, and GEPs become byte offsets of the
module's own datalayout, which the host JIT would otherwise replace; debug
info is dropped. Unnamed globals get names (an older validator could only
address named ones). A mismatch writes a minimised reproducer (one function,
the fewest packs that still break it: input IR, output IR, seed, spec,
policy, packs) to the reproducer folder.

Counts are kept per class: blocks (a generated function is a block, even
where an invoke splits it), vectorized and mismatching blocks (summed over
policies), fallbacks (basic blocks left scalar for a reason: codegen or
verification failed), crashed runs (module x policy), and *unchecked* blocks
(vectorized, but no run of them compared anything). Same seeds, same
blocks; ``jobs`` spreads module seeds over processes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..driver import run_slp
from ..errors import SlpvecError
from ..files import write_text_atomic
from .minimise import minimise
from .randblocks import FUZZ_CLASSES, BlockSpec, random_module_ir
from ..target import Target
from ..toolchain import run_tool
from .validate import validate_modules

FUNCTIONS_PER_MODULE = 10
SEEDS = 2  # random inputs per function
_CLASS = BlockSpec(n_groups=3, shuffled=True)
EVERY_CLASS = replace(_CLASS, n_groups=4, **{name: True for name in FUZZ_CLASSES})
FUZZ_SPECS = (BlockSpec(), BlockSpec(noalias=False), BlockSpec(casts=True, shuffled=True),
              BlockSpec(noalias=False, casts=True, shuffled=True),
              BlockSpec(loop=True, shuffled=True), BlockSpec(noalias=False, loop=True),
              BlockSpec(loop=True, carried=True, shuffled=True),
              *(replace(_CLASS, **{name: True}) for name in FUZZ_CLASSES),
              replace(_CLASS, compares=True, selects=True, intrinsics=True),
              replace(_CLASS, narrow=True, i1=True, selects=True, compares=True),
              replace(_CLASS, globals=True, vec3=True, structs=True, wrap=True),
              replace(_CLASS, structs=True, foreign_layout=True, narrow=True, vec3=True),
              replace(_CLASS, pointer32=True, wrap=True, compares=True, narrow=True),
              replace(_CLASS, debug=True, invoke=True, compares=True, globals=True),
              replace(_CLASS, noalias=False, compares=True, intrinsics=True, narrow=True, i1=True),
              replace(_CLASS, noalias=False, alternate=True, narrow=True, globals=True),
              replace(_CLASS, noalias=False, extracts=True, compares=True, alternate=True),
              EVERY_CLASS)
COLUMNS = ("blocks", "vectorized", "fallbacks", "mismatches", "crashes", "unchecked")


def spec_labels(spec: BlockSpec) -> tuple[str, ...]:
    """The classes a spec's blocks count for in the summary."""
    base = ("may-alias",) * (not spec.noalias) + ("casts",) * spec.casts + ("loop",) * spec.loop \
        + ("carried",) * spec.carried
    return spec.classes + base if spec.classes else base or ("plain",)


@dataclass
class FuzzSummary:
    """Counts over all (block, policy) runs, in total and per class."""

    blocks: int = 0
    runs: int = 0
    vectorized: int = 0
    fallbacks: Counter = field(default_factory=Counter)
    mismatches: list = field(default_factory=list)
    crashes: list = field(default_factory=list)
    unchecked: list = field(default_factory=list)
    classes: dict = field(default_factory=dict)  # label -> Counter over COLUMNS

    def count(self, labels: tuple[str, ...], column: str, n: int = 1) -> None:
        for label in labels:
            self.classes.setdefault(label, Counter())[column] += n

    def add(self, other: "FuzzSummary") -> None:
        """Merge another (partial) summary into this one."""
        self.blocks += other.blocks
        self.runs += other.runs
        self.vectorized += other.vectorized
        self.fallbacks.update(other.fallbacks)
        for name in ("mismatches", "crashes", "unchecked"):
            getattr(self, name).extend(getattr(other, name))
        for label, counts in other.classes.items():
            self.classes.setdefault(label, Counter()).update(counts)

    def lines(self) -> list[str]:
        out = [f"blocks {self.blocks}, runs {self.runs}, vectorized {self.vectorized}, "
               f"mismatches {len(self.mismatches)}, crashes {len(self.crashes)}",
               f"unchecked {len(self.unchecked)} (vectorized, no conclusive run)"]
        if self.classes:
            out.append(f"  {'class':<16}" + "".join(f"{c:>11}" for c in COLUMNS))
            out += [f"  {label:<16}" + "".join(f"{self.classes[label][c]:>11}" for c in COLUMNS)
                    for label in sorted(self.classes)]
        out += [f"  fallback x{n}: {reason}" for reason, n in self.fallbacks.most_common(10)]
        out += [f"  MISMATCH {m}" for m in sorted(self.mismatches)]
        out += [f"  CRASH {c}" for c in sorted(self.crashes)]
        out += [f"  UNCHECKED {u}" for u in sorted(self.unchecked)]
        return out


def specs_with(classes: list[str]) -> tuple[BlockSpec, ...]:
    """The fuzz specs whose blocks count for every class in ``classes``."""
    known = {label for spec in FUZZ_SPECS for label in spec_labels(spec)}
    unknown = sorted(set(classes) - known)
    if unknown:
        raise SlpvecError(f"unknown fuzz class {unknown[0]!r} (known: {', '.join(sorted(known))})")
    return tuple(spec for spec in FUZZ_SPECS if set(classes) <= set(spec_labels(spec)))


def executable(text: str, spec: BlockSpec) -> str:
    """The module as differential execution runs it (see module docstring)."""
    import llvmlite.binding as llvm
    module = llvm.parse_assembly(text)
    for k, gv in enumerate(gv for gv in module.global_variables if not gv.name):
        gv.name = f"fuzz.unnamed.{k}"
    text = str(module)
    if spec.classes:
        # (debug info does not change what runs; dropping it keeps the check
        # independent of how the validator reads debug records)
        text = run_tool("opt", ["-strip-debug", "-passes=instcombine<no-verify-fixpoint>", "-S"],
                        stdin=text).stdout
    return text


def differential(source: str, text: str, spec: BlockSpec):
    """validate_modules on the executable forms of both versions."""
    return validate_modules(executable(source, spec), executable(text, spec), seeds=SEEDS)


def fuzz(count: int, seed: int, policies: list[str], target: Target,
         reproducers: Path, progress=None, jobs: int = 1,
         specs: tuple[BlockSpec, ...] = FUZZ_SPECS) -> FuzzSummary:
    """Fuzz ``count`` blocks (in modules of FUNCTIONS_PER_MODULE) from module
    seed ``seed``, module seed k with ``specs[k % len(specs)]``, over ``jobs``
    processes; ``progress(n)`` after each module."""
    tasks = []
    for module_seed in range(seed, seed + -(-count // FUNCTIONS_PER_MODULE)):
        done = (module_seed - seed) * FUNCTIONS_PER_MODULE
        tasks.append((module_seed, min(FUNCTIONS_PER_MODULE, count - done),
                      specs[module_seed % len(specs)], policies, target, reproducers))
    summary = FuzzSummary()
    if jobs <= 1:
        for task in tasks:
            summary.add(fuzz_module(*task))
            if progress:
                progress(task[1])
        return summary
    with ProcessPoolExecutor(jobs) as pool:
        futures = {pool.submit(fuzz_module, *task): task[1] for task in tasks}
        for future in as_completed(futures):
            summary.add(future.result())
            if progress:
                progress(futures[future])
    return summary


def fuzz_module(module_seed: int, n: int, spec: BlockSpec, policies: list[str],
                target: Target, reproducers: Path) -> FuzzSummary:
    """One module of ``n`` blocks of ``spec`` through every policy."""
    labels = spec_labels(spec)
    source = random_module_ir(module_seed, n, spec)
    summary = FuzzSummary(blocks=n)
    summary.count(labels, "blocks", n)
    for policy in policies:
        summary.runs += n
        where = f"seed {module_seed} {policy}"
        try:
            text, report = run_slp(source, policy, target)
        except Exception as err:  # noqa: BLE001 - a crash is a finding, not an exit
            summary.crashes.append(f"{where}: {type(err).__name__}: {err}")
            summary.count(labels, "crashes")
            continue
        vectorized = sorted({b.block_id.split(":")[0] for b in report.blocks if b.vectorized})
        summary.vectorized += len(vectorized)
        summary.count(labels, "vectorized", len(vectorized))
        for b in report.fallbacks:
            summary.fallbacks[b.fallback_reason[:100]] += 1
        summary.count(labels, "fallbacks", len(report.fallbacks))
        if text == source or not vectorized:
            continue
        try:
            result = differential(source, text, spec)
        except Exception as err:  # noqa: BLE001 - e.g. opt rejects the output: a finding
            summary.crashes.append(f"{where}: validation: {type(err).__name__}: {err}")
            summary.count(labels, "crashes")
            continue
        if not result.ok:
            failing = sorted({name for name, _ in result.mismatches})
            folder = reproducers / f"seed{module_seed}-{policy}"
            _write_reproducer(folder, module_seed, spec, policy, target, source, text, failing)
            summary.mismatches.append(f"{where} {','.join(failing)}: {folder}")
            summary.count(labels, "mismatches", len(failing))
        inconclusive = set(result.inconclusive)
        for name in vectorized:
            if all((name, s) in inconclusive for s in range(SEEDS)):
                summary.unchecked.append(f"{where} {name}")
                summary.count(labels, "unchecked")
    return summary


def _write_reproducer(folder: Path, module_seed: int, spec: BlockSpec, policy: str,
                      target: Target,
                      source: str, text: str, functions: list[str]) -> None:
    """The minimised reproducer of the first failing function (see
    :mod:`slpvec.tools.minimise`); the whole module if it does not shrink."""
    def check(ir, pol):
        out, report = run_slp(ir, pol, target)
        if not any(b.vectorized for b in report.blocks):
            return False, out
        return not differential(ir, out, spec).ok, out

    def plan_of(ir, pol):
        return next(b.packs for b in run_slp(ir, pol, target)[1].blocks if b.packs)

    info = {"seed": module_seed, "spec": asdict(spec), "policy": policy, "cpu": target.cpu,
            "functions": functions,
            "executed_as": "slpvec.tools.fuzz.executable(text, spec)" if spec.classes else "as is"}
    generated = [name for name in functions if re.fullmatch(r"f\d+", name)]
    repro = None
    try:  # (helpers such as @may_throw have no seed of their own)
        repro = generated and minimise(module_seed, generated[0], policy, check, plan_of, spec)
    except Exception as err:  # noqa: BLE001 - keep the unminimised finding
        info["minimise_error"] = f"{type(err).__name__}: {err}"
    if repro:
        source, text = repro.input_ir, repro.output_ir
        info |= {"function": generated[0], "block_seed": repro.block_seed,
                 "packs": [list(p) for p in repro.packs],
                 "replay": "slpvec.tools.minimise.FixedPlanPolicy(packs) on input.ll"}
    write_text_atomic(folder / "input.ll", source)
    write_text_atomic(folder / "vectorized.ll", text)
    write_text_atomic(folder / "repro.json", json.dumps(info, indent=1))
