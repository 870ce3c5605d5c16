"""Differential validation: original vs vectorized IR on random inputs.

Both modules are JIT-compiled (MCJIT, data layout set) in worker processes;
every defined function with a scalar/pointer signature is called with the
same seeded inputs (pointer args get 48 KiB buffers with 16 KiB guard zones
on each side, integer args 1..16, floats in [-4, 4]). After each call the
return value, every buffer byte (guards included) and every global are
digested and compared. A run that crashes in *both* versions is inconclusive
(e.g. the function dereferences a pointer read from a random buffer); a run
that crashes in one version only is a mismatch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

from .ir import parse_module

CRASH = "crash"


@dataclass(frozen=True)
class ValidationResult:
    """Outcome per function: ``mismatches`` lists (function, seed) pairs whose
    outputs differ; ``inconclusive`` runs crashed in both or were unsupported."""

    functions: tuple[str, ...]
    runs: int
    mismatches: tuple[tuple[str, int], ...] = ()
    inconclusive: tuple[tuple[str, int], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _run_worker(text: str, functions: list[str], seeds: list[int],
                timeout: float) -> dict[tuple[str, int], str | None]:
    """Digests per (function, seed); crashing runs recorded as CRASH."""
    results: dict[tuple[str, int], str | None] = {}
    todo = [(f, s) for f in functions for s in seeds]
    while len(results) < len(todo):
        job = {"text": text, "functions": functions, "seeds": seeds,
               "skip": [list(k) for k in results]}
        try:
            proc = subprocess.run([sys.executable, "-m", "slpvec.validate_worker"],
                                  input=json.dumps(job), capture_output=True, text=True,
                                  timeout=timeout)
            out = proc.stdout
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        before = len(results)
        for line in out.splitlines():
            row = json.loads(line)
            results[(row["fn"], row["seed"])] = row["digest"]
        if len(results) < len(todo):  # the next run crashed or hung
            nxt = next(k for k in todo if k not in results)
            results[nxt] = CRASH
        if len(results) == before:
            break
    return results


def validate_modules(original: str, vectorized: str, seeds: int = 3,
                     functions: list[str] | None = None,
                     timeout: float = 60.0) -> ValidationResult:
    """Compare two versions of a module function by function.

    ``seeds``: random inputs per function. ``functions``: restrict to these
    names (default: every function defined in the original).
    """
    names = functions or [fn.name for fn in parse_module(original).functions]
    seed_list = list(range(seeds))
    a = _run_worker(original, names, seed_list, timeout)
    b = _run_worker(vectorized, names, seed_list, timeout)
    mismatches, inconclusive = [], []
    for key in sorted(a):
        if a[key] is None or (a[key] == CRASH and b.get(key) == CRASH):
            inconclusive.append(key)
        elif a[key] != b.get(key):
            mismatches.append(key)
    return ValidationResult(tuple(names), len(a), tuple(mismatches), tuple(inconclusive))
