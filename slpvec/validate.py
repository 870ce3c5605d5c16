"""Differential validation: original vs vectorized IR on random inputs.

Both modules are JIT-compiled (MCJIT, data layout set) in worker processes;
every defined function with a scalar/pointer signature is called with the
same seeded inputs (pointer args get 48 KiB buffers with 16 KiB guard zones
on each side, integer args 1..16, floats in [-4, 4]; for a function without
``noalias`` pointer params, odd seeds point every pointer into one buffer, 0,
64 or 128 bytes apart, so may-alias accesses really overlap). After each call the
return value, every buffer byte (guards included) and every global are
digested and compared. A run that crashes in *both* versions is inconclusive
(e.g. the function dereferences a pointer read from a random buffer); a run
that crashes in one version only is a mismatch.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from dataclasses import dataclass, field

from .ir import parse_module

CRASH = "crash"
JIT_TIMEOUT = 120.0  # seconds to parse and JIT-compile one module


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


def _worker_lines(job: dict, run_timeout: float):
    """Yield the worker's result lines; stop (killing it) when one run takes
    longer than ``run_timeout`` seconds or the worker dies."""
    proc = subprocess.Popen([sys.executable, "-m", "slpvec.validate_worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdin.write(json.dumps(job))
        proc.stdin.close()
        timeout = JIT_TIMEOUT  # compiling the module, until the worker says ready
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            timeout = run_timeout
            if not ready:
                return
            line = proc.stdout.readline()
            if not line:
                return
            yield line
    finally:
        proc.kill()
        proc.wait()


def _run_worker(text: str, functions: list[str], seeds: list[int],
                run_timeout: float) -> dict[tuple[str, int], str | None]:
    """Digests per (function, seed); runs that crash or time out give CRASH."""
    results: dict[tuple[str, int], str | None] = {}
    todo = [(f, s) for f in functions for s in seeds]
    while len(results) < len(todo):
        job = {"text": text, "functions": functions, "seeds": seeds,
               "skip": [list(k) for k in results]}
        for line in _worker_lines(job, run_timeout):
            row = json.loads(line)
            if "ready" in row:
                continue
            results[(row["fn"], row["seed"])] = row["digest"]
        if len(results) < len(todo):  # the next run crashed or hung
            results[next(k for k in todo if k not in results)] = CRASH
    return results


def validate_modules(original: str, vectorized: str, seeds: int = 3,
                     functions: list[str] | None = None,
                     run_timeout: float = 10.0) -> ValidationResult:
    """Compare two versions of a module function by function.

    ``seeds``: random inputs per function. ``functions``: restrict to these
    names (default: every function defined in the original). A single call
    running longer than ``run_timeout`` seconds counts as a crash.
    """
    names = functions or [fn.name for fn in parse_module(original).functions]
    seed_list = list(range(seeds))
    a = _run_worker(original, names, seed_list, run_timeout)
    b = _run_worker(vectorized, names, seed_list, run_timeout)
    mismatches, inconclusive = [], []
    for key in sorted(a):
        if a[key] is None or (a[key] == CRASH and b.get(key) == CRASH):
            inconclusive.append(key)
        elif a[key] != b.get(key):
            mismatches.append(key)
    return ValidationResult(tuple(names), len(a), tuple(mismatches), tuple(inconclusive))
