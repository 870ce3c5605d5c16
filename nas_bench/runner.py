"""Run NPB binaries: interleaved repetitions, a run counts only if NPB verifies it."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_VERIFIED = re.compile(r"Verification\s*=\s*SUCCESSFUL")
_NPB_TIME = re.compile(r"Time in seconds\s*=\s*([0-9.eE+-]+)")


@dataclass(frozen=True)
class Run:
    """One execution: wall seconds of the whole process and NPB's own timed section."""

    benchmark: str
    npb_class: str
    variant: str
    run: int
    seconds: float
    verified: bool
    npb_seconds: float | None = None


def parse_output(stdout: str) -> tuple[bool, float | None]:
    """(verification successful?, NPB's 'Time in seconds') from a benchmark's output."""
    match = _NPB_TIME.search(stdout)
    return bool(_VERIFIED.search(stdout)), float(match.group(1)) if match else None


def run_binary(binary: Path, timeout: float = 1800) -> tuple[float, bool, float | None]:
    """Execute one benchmark binary in its folder: (wall seconds, verified, NPB seconds)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([str(binary)], cwd=binary.parent, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, False, None
    seconds = time.perf_counter() - t0
    verified, npb_seconds = parse_output(proc.stdout)
    return seconds, verified and proc.returncode == 0, npb_seconds


def schedule(binaries: dict[tuple[str, str], Path], repeats: int) -> list[tuple[int, str, str]]:
    """(run, benchmark, variant) in interleaved order: every repetition visits every
    benchmark, and within it every variant, before the next repetition starts; the
    variant order rotates per repetition so none always runs first."""
    benches = list(dict.fromkeys(b for b, _ in binaries))
    variants = list(dict.fromkeys(v for _, v in binaries))
    order = []
    for rep in range(repeats):
        k = rep % max(len(variants), 1)
        rotated = variants[k:] + variants[:k]
        order += [(rep, b, v) for b in benches for v in rotated if (b, v) in binaries]
    return order


def run_all(binaries: dict[tuple[str, str], Path], npb_class: str, repeats: int,
            timeout: float = 1800, progress=None, on_run=None) -> list[Run]:
    """Run every (benchmark, variant) binary ``repeats`` times, interleaved.
    ``progress()`` is called after each run; ``on_run(run)`` sees each result."""
    runs = []
    for rep, bench, variant in schedule(binaries, repeats):
        seconds, verified, npb_seconds = run_binary(binaries[bench, variant], timeout)
        runs.append(Run(bench, npb_class, variant, rep, seconds, verified, npb_seconds))
        if on_run:
            on_run(runs[-1])
        if progress:
            progress()
    return runs
