"""Run NPB binaries: interleaved repetitions, a run counts only if NPB verifies it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .npb import NasError

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
    core: int | None = None       # the cpu the run was pinned to (taskset), None if not


def check_pin(core: int | None) -> None:
    """NasError unless ``core`` is None or a cpu this process may run on, with taskset."""
    if core is None:
        return
    allowed = sorted(os.sched_getaffinity(0))
    if core not in allowed:
        raise NasError(f"--pin-core {core}: this process may run on cpus "
                       f"{','.join(map(str, allowed))} only")
    if shutil.which("taskset") is None:
        raise NasError("--pin-core needs taskset (util-linux), which is not installed")


def command(binary: Path, core: int | None = None) -> list[str]:
    """The command line running ``binary``, under ``taskset -c core`` when pinned."""
    return (["taskset", "-c", str(core)] if core is not None else []) + [str(binary)]


def parse_output(stdout: str) -> tuple[bool, float | None]:
    """(verification successful?, NPB's 'Time in seconds') from a benchmark's output."""
    match = _NPB_TIME.search(stdout)
    return bool(_VERIFIED.search(stdout)), float(match.group(1)) if match else None


def run_binary(binary: Path, timeout: float = 1800, core: int | None = None
               ) -> tuple[float, bool, float | None]:
    """Execute one benchmark binary in its folder (pinned to ``core`` if given):
    (wall seconds, verified, NPB seconds)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(command(binary, core), cwd=binary.parent, capture_output=True,
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
            timeout: float = 1800, progress=None, on_run=None, core: int | None = None
            ) -> list[Run]:
    """Run every (benchmark, variant) binary ``repeats`` times, interleaved, each
    pinned to cpu ``core`` if given. ``progress()`` is called after each run;
    ``on_run(run)`` sees each result."""
    runs = []
    for rep, bench, variant in schedule(binaries, repeats):
        seconds, verified, npb_seconds = run_binary(binaries[bench, variant], timeout, core)
        runs.append(Run(bench, npb_class, variant, rep, seconds, verified, npb_seconds, core))
        if on_run:
            on_run(runs[-1])
        if progress:
            progress()
    return runs
