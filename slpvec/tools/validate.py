"""Differential validation: original vs vectorized IR on random inputs.

Both modules are JIT-compiled (MCJIT, data layout set) in worker processes,
private and unnamed globals and functions exposed under fresh names
(:mod:`slpvec.tools.validate_jit`); every defined function with a scalar/pointer
signature is called with the same seeded inputs (pointer args get 48 KiB
buffers with 16 KiB guard zones on each side, integer args 1..16, floats in
[-4, 4]; for a function without ``noalias`` pointer params, odd seeds point
every pointer into one buffer, 0, 64 or 128 bytes apart, so may-alias accesses
really overlap). After each call the return value, every buffer byte (guards
included) and every global the call changed are digested and compared.

Each (function, seed) run ends as one of:
- conclusive: both versions produced the same digest;
- crash: it crashed in *both* versions (e.g. the function dereferences a
  pointer read from a random buffer);
- skipped: the function cannot run (unsupported signature, or it uses an
  external symbol this process does not define);
- nondeterministic: the versions differ, but so does a second run of the
  *original* in a fresh process (the control: outputs depending on where
  globals are, on timers, on memory outside the buffers);
- mismatch: the versions differ (or one crashes) and the control agrees with
  the first run of the original.
The control runs only for runs whose versions differ, so it costs nothing
when the versions agree.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from dataclasses import dataclass, field

from ..errors import SlpvecError
from .validate_diff import changed_functions, function_key

CRASH = "crash"
JIT_TIMEOUT = 120.0  # seconds to parse and JIT-compile one module


@dataclass(frozen=True)
class FunctionOutcome:
    """How the runs of one function ended; ``skipped`` says why it could not
    run at all, ``changed`` whether its body differs between the versions."""

    name: str
    runs: int = 0
    conclusive: int = 0
    mismatches: int = 0
    crashes: int = 0
    nondeterministic: int = 0
    skipped: str = ""
    changed: bool = True

    def summary(self) -> str:
        """One line: how many runs compared, and why the others did not."""
        reasons = [f"{n} {what}" for n, what in
                   ((self.crashes, "crashed in both versions"),
                    (self.nondeterministic, "nondeterministic (differ between two runs "
                                            "of the original)"),
                    (self.mismatches, "mismatched")) if n]
        if self.skipped:
            reasons.append(f"not run: {self.skipped}")
        state = "changed" if self.changed else "unchanged"
        return (f"{self.name} ({state}): {self.conclusive} of {self.runs} runs conclusive"
                + (f"; {', '.join(reasons)}" if reasons else ""))


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of comparing two versions: ``mismatches`` lists (function,
    seed) pairs whose outputs differ; ``inconclusive`` the runs that compared
    nothing (crashed in both, could not run, or nondeterministic, the latter
    also in ``nondeterministic``); ``outcomes`` one :class:`FunctionOutcome`
    per function; ``error`` why the vectorized module did not compile."""

    functions: tuple[str, ...]
    runs: int
    mismatches: tuple[tuple[str, int], ...] = ()
    inconclusive: tuple[tuple[str, int], ...] = field(default=())
    nondeterministic: tuple[tuple[str, int], ...] = ()
    outcomes: tuple[FunctionOutcome, ...] = ()
    control_runs: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        """No mismatch (says nothing about how much was compared)."""
        return not self.mismatches

    @property
    def unchecked(self) -> tuple[FunctionOutcome, ...]:
        """Changed functions of which no run was conclusive."""
        return tuple(o for o in self.outcomes if o.changed and not o.conclusive)


@dataclass
class _Runs:
    """One module's runs: function names (known once a worker is ready),
    digest (or CRASH, or None when it cannot run) per (function, seed), and
    why a function cannot run."""

    functions: list[str] | None
    digests: dict[tuple[str, int], str | None] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    error: str = ""


def _worker_lines(job: dict, run_timeout: float):
    """Yield the worker's result rows; stop (killing it) when one run takes
    longer than ``run_timeout`` seconds or the worker dies."""
    proc = subprocess.Popen([sys.executable, "-m", "slpvec.tools.validate_worker"],
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
            yield json.loads(line)
    finally:
        proc.kill()
        proc.wait()


def _run_worker(text: str, functions: list[str] | None, seeds: list[int],
                run_timeout: float, only: set | None = None) -> _Runs:
    """Run ``functions`` (None: all defined) x ``seeds`` (only the pairs in
    ``only`` if given), restarting the worker past runs that crash or hang
    (CRASH). Raises SlpvecError if the module cannot be compiled before any
    function list is known."""
    runs = _Runs(functions)
    while True:
        todo = [] if runs.functions is None else [
            (f, s) for f in runs.functions for s in seeds if only is None or (f, s) in only]
        if runs.functions is not None and len(runs.digests) >= len(todo):
            return runs
        skip = list(runs.digests) + ([(f, s) for f in runs.functions for s in seeds
                                      if (f, s) not in only] if only is not None else [])
        job = {"text": text, "functions": runs.functions, "seeds": seeds, "skip": skip}
        ready = False
        for row in _worker_lines(job, run_timeout):
            if "ready" in row:
                ready, runs.functions = True, row["functions"]
            elif "error" in row:
                runs.error = row["error"]
            else:
                runs.digests[(row["fn"], row["seed"])] = row["digest"]
                if row["digest"] is None:
                    runs.why[row["fn"]] = row["why"]
        if runs.functions is None:
            raise SlpvecError(f"cannot run the module: {runs.error or 'the JIT compiler crashed'}")
        todo = [(f, s) for f in runs.functions for s in seeds if only is None or (f, s) in only]
        missing = [k for k in todo if k not in runs.digests]
        # a worker that never got ready cannot run anything; otherwise the
        # first run it did not report crashed or hung
        for key in (missing if not ready else missing[:1]):
            runs.digests[key] = CRASH
        if not ready and not runs.error:
            runs.error = "the JIT compiler crashed"


def validate_modules(original: str, vectorized: str, seeds: int = 3,
                     functions: list[str] | None = None,
                     run_timeout: float = 10.0) -> ValidationResult:
    """Compare two versions of a module function by function.

    ``seeds``: random inputs per function. ``functions``: restrict to these
    names (default: every function defined in the original). A single call
    running longer than ``run_timeout`` seconds counts as a crash. Raises
    SlpvecError if the original cannot be compiled.
    """
    seed_list = list(range(seeds))
    first = _run_worker(original, functions, seed_list, run_timeout)
    second = _run_worker(vectorized, first.functions, seed_list, run_timeout)
    a, b = first.digests, second.digests
    suspects = {k for k in a if a[k] is not None and a[k] != b.get(k)}
    control = _run_worker(original, first.functions, seed_list, run_timeout,
                          only=suspects).digests if suspects else {}
    kinds = _classify(a, b, control)
    changed = changed_functions(original, vectorized)
    outcomes = tuple(_outcome(name, [kinds[(name, s)] for s in seed_list if (name, s) in kinds],
                              first.why.get(name, ""), function_key(name) in changed)
                     for name in first.functions)
    return ValidationResult(tuple(first.functions), len(a), _runs_of(kinds, "mismatch"),
                            _runs_of(kinds, "crash", "skipped", "nondeterministic"),
                            _runs_of(kinds, "nondeterministic"), outcomes, len(control),
                            second.error)


def _classify(original: dict, vectorized: dict, control: dict) -> dict:
    """(function, seed) -> conclusive | crash | skipped | nondeterministic |
    mismatch, from the digests of the two versions and of the control (a
    second run of the original, for the runs whose versions differ)."""
    kinds = {}
    for key, digest in original.items():
        if digest is None:
            kinds[key] = "skipped"
        elif digest == vectorized.get(key):
            kinds[key] = "crash" if digest == CRASH else "conclusive"
        else:
            kinds[key] = "nondeterministic" if control.get(key) != digest else "mismatch"
    return kinds


def _runs_of(kinds: dict, *wanted: str) -> tuple[tuple[str, int], ...]:
    """The runs of the ``wanted`` kinds, sorted."""
    return tuple(key for key in sorted(kinds) if kinds[key] in wanted)


def _outcome(name: str, kinds: list[str], skipped: str, changed: bool) -> FunctionOutcome:
    """Count one function's run kinds."""
    return FunctionOutcome(name, len(kinds), kinds.count("conclusive"), kinds.count("mismatch"),
                           kinds.count("crash"), kinds.count("nondeterministic"),
                           skipped, changed)
