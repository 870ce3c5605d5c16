"""Fuzzing: random blocks through every policy, checked by differential execution.

For each seed a random module (:mod:`slpvec.randblocks`) is vectorized by each
policy; the output must verify and behave exactly like the scalar input on
random data. A mismatch writes a minimised reproducer (one function, the
fewest packs that still break it: input IR, output IR, seed, policy, packs) to
the reproducer folder. Same seeds, same blocks.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .driver import run_slp
from .errors import SlpvecError
from .files import write_text_atomic
from .minimise import minimise
from .randblocks import BlockSpec, random_module_ir
from .target import Target
from .validate import validate_modules

FUNCTIONS_PER_MODULE = 10
# module seed k uses FUZZ_SPECS[k % 4]: plain, may-alias arrays (validated
# with overlapping pointers), casts + shuffled lane orders, and all of them
FUZZ_SPECS = (BlockSpec(), BlockSpec(noalias=False), BlockSpec(casts=True, shuffled=True),
              BlockSpec(noalias=False, casts=True, shuffled=True))


@dataclass
class FuzzSummary:
    """Counts over all (block, policy) runs."""

    blocks: int = 0
    runs: int = 0
    vectorized: int = 0
    fallbacks: Counter = field(default_factory=Counter)
    mismatches: list = field(default_factory=list)
    crashes: list = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"blocks {self.blocks}, runs {self.runs}, vectorized {self.vectorized}, "
               f"mismatches {len(self.mismatches)}, crashes {len(self.crashes)}"]
        out += [f"  fallback x{n}: {reason}" for reason, n in self.fallbacks.most_common(10)]
        out += [f"  MISMATCH {m}" for m in self.mismatches]
        out += [f"  CRASH {c}" for c in self.crashes]
        return out


def fuzz(count: int, seed: int, policies: list[str], target: Target,
         reproducers: Path, progress=None) -> FuzzSummary:
    """Fuzz ``count`` blocks (in modules of FUNCTIONS_PER_MODULE) from ``seed``."""
    summary = FuzzSummary()
    for module_seed in range(seed, seed + -(-count // FUNCTIONS_PER_MODULE)):
        n = min(FUNCTIONS_PER_MODULE, count - summary.blocks)
        spec = FUZZ_SPECS[module_seed % len(FUZZ_SPECS)]
        source = random_module_ir(module_seed, n, spec)
        summary.blocks += n
        for policy in policies:
            summary.runs += n
            try:
                text, report = run_slp(source, policy, target)
            except SlpvecError as err:
                summary.crashes.append(f"seed {module_seed} {policy}: {err}")
                continue
            except Exception as err:  # noqa: BLE001 - a crash is a finding, not an exit
                summary.crashes.append(f"seed {module_seed} {policy}: {type(err).__name__}: {err}")
                continue
            summary.vectorized += sum(b.vectorized for b in report.blocks)
            for b in report.fallbacks:
                summary.fallbacks[b.fallback_reason[:100]] += 1
            if text != source and any(b.vectorized for b in report.blocks):
                result = validate_modules(source, text, seeds=2)
                if not result.ok:
                    folder = reproducers / f"seed{module_seed}-{policy}"
                    _write_reproducer(folder, module_seed, spec, policy, target, source, text,
                                      sorted({name for name, _ in result.mismatches}))
                    summary.mismatches.append(f"seed {module_seed} {policy}: {folder}")
        if progress:
            progress(n)
    return summary


def _write_reproducer(folder: Path, module_seed: int, spec: BlockSpec, policy: str,
                      target: Target,
                      source: str, text: str, functions: list[str]) -> None:
    """The minimised reproducer of the first failing function (see
    :mod:`slpvec.minimise`); the whole module if it does not shrink."""
    def check(ir, pol):
        out, report = run_slp(ir, pol, target)
        if not any(b.vectorized for b in report.blocks):
            return False, out
        return not validate_modules(ir, out, seeds=2).ok, out

    def plan_of(ir, pol):
        return next(b.packs for b in run_slp(ir, pol, target)[1].blocks if b.packs)

    repro = minimise(module_seed, functions[0], policy, check, plan_of, spec)
    info = {"seed": module_seed, "spec": asdict(spec), "policy": policy, "cpu": target.cpu,
            "functions": functions}
    if repro is not None:
        source, text = repro.input_ir, repro.output_ir
        info |= {"function": functions[0], "block_seed": repro.block_seed,
                 "packs": [list(p) for p in repro.packs],
                 "replay": "slpvec.minimise.FixedPlanPolicy(packs) on input.ll"}
    write_text_atomic(folder / "input.ll", source)
    write_text_atomic(folder / "vectorized.ll", text)
    write_text_atomic(folder / "repro.json", json.dumps(info, indent=1))
