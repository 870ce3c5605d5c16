"""NPB 3.3 serial C sources: locate or fetch them, and build one benchmark
for one compiler variant through NPB's own makefiles.

NPB is never copied into the repository: ``nas_bench/manifests/npb.toml`` pins
its upstream commit, license and file digest; the sources are fetched and
verified into a cache (``$SLPVEC_NPB`` or ``~/.cache/slpvec/npb/NPB3.3-SER-C``)
and each variant is built in its own copy under a build root, so variants
never clobber each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from dataset.sources import DEFAULT_MIRRORS, Sources, is_prepared, load_sources, prepare_sources
from slpvec.errors import SlpvecError

BENCHMARKS = ("BT", "SP", "LU", "CG", "MG", "FT", "IS", "EP", "UA")
CLASSES = ("S", "W", "A", "B", "C", "D", "E")
NPB_DIR = "NPB3.3-SER-C"
MANIFESTS = Path(__file__).parent / "manifests"
CACHE = Path.home() / ".cache" / "slpvec"


class NasError(SlpvecError):
    """NPB missing, malformed, or a build step that cannot proceed."""


@dataclass(frozen=True)
class Build:
    """One benchmark built for one variant."""

    benchmark: str
    npb_class: str
    variant: str
    binary: Path
    ok: bool
    seconds: float
    error: str = ""
    reports: Path | None = None     # slpvec cc per-source JSON reports


def default_npb() -> Path:
    """``$SLPVEC_NPB`` or the cache location of the extracted sources."""
    return Path(os.environ.get("SLPVEC_NPB") or CACHE / "npb" / NPB_DIR)


def _is_npb(path: Path) -> bool:
    return (path / "sys" / "setparams.c").is_file() and (path / "common").is_dir()


def npb_manifests() -> Sources:
    """The pinned NPB source and its offline bundle (``nas_bench/manifests``)."""
    return load_sources(MANIFESTS)


def fetch_npb(source: Path | None = None, dest: Path | None = None,
              mirrors: Path = DEFAULT_MIRRORS, log=print) -> Path:
    """NPB3.3-SER-C at its pinned commit, verified, in ``dest`` (default: the
    cache, :func:`default_npb`). ``source``: the bundle tarball, a folder
    holding NPB3.3-SER-C, or a git checkout or mirrors folder of its upstream
    (default ``$SLPVEC_NPB_FROM``, else git mirrors and upstream over the
    network). A tree fetched before is kept. Returns the NPB folder."""
    dest = Path(dest or default_npb())
    sources = npb_manifests()
    [pinned] = sources.suites
    if not is_prepared(pinned, dest):
        prepare_sources(sources, {pinned.name: dest}, Path(source) if source else None,
                        mirrors, log)
        _clean_tree(dest)
    return dest


def resolve_npb(npb: str | Path | None, log=print) -> Path:
    """An NPB folder from ``--npb``: a folder (used as it is), a .tar.gz
    (verified into the cache), or None: ``$SLPVEC_NPB`` or the cache, fetched
    on first use (see :func:`fetch_npb`)."""
    if npb is None:
        path = default_npb()
        if os.environ.get("SLPVEC_NPB") and _is_npb(path):
            return path                                     # the user's own tree, as it is
        return fetch_npb(None, path, log=log)
    path = Path(npb).expanduser()
    if path.is_file():
        return fetch_npb(path, CACHE / "npb" / NPB_DIR, log=log)
    for candidate in (path, path / NPB_DIR):
        if _is_npb(candidate):
            return candidate
    raise NasError(f"{path}: not an NPB3.3-SER-C folder (no sys/setparams.c)")


def _clean_tree(root: Path) -> None:
    """Drop stale binaries shipped in the snapshot (a foreign setparams, objects)
    and restore the exec bit of NPB's helper scripts (lost by some archives)."""
    for stale in [root / "sys" / "setparams", *root.glob("*/*.o"), *root.glob("bin/*.x")]:
        stale.unlink(missing_ok=True)
    for script in ("print_header", "print_instructions"):
        (root / "sys" / script).chmod(0o755)


def make_def(cc: str, cflags: str, compiler_key: str = "") -> str:
    """``config/make.def`` for one variant (CC also links; setparams uses clang-22).
    ``compiler_key``: what else the compiler's output depends on, as a comment,
    so that a previous build is reused only while it is the same."""
    key = f"# compiler: {compiler_key}\n" if compiler_key else ""
    return (f"{key}CC = {cc}\nCLINK = $(CC)\nC_LIB = -lm\nC_INC = -I../common\n"
            f"CFLAGS = {cflags}\nCLINKFLAGS = {cflags}\nUCC = clang-22\n"
            "BINDIR = ../bin\nRAND = randdp\nWTIME = wtime.c\n")


def prepare_tree(npb: Path, root: Path, definition: str) -> Path:
    """A private copy of NPB under ``root`` with ``definition`` as make.def
    (and an empty ``common/omp.h``, as the serial UA includes it)."""
    tree = root / NPB_DIR
    if not _is_npb(tree):
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(npb, tree, ignore=shutil.ignore_patterns("*.o", "*.x", ".DS_Store"))
        _clean_tree(tree)
    stub = tree / "common" / "omp.h"
    if not stub.is_file():  # UA includes <omp.h> but calls nothing from it
        stub.write_text("/* serial build: UA includes omp.h but uses nothing from it */\n")
    config = tree / "config" / "make.def"
    if not config.is_file() or config.read_text() != definition:
        config.write_text(definition)
    return tree


def build_benchmark(tree: Path, benchmark: str, npb_class: str, variant: str,
                    rebuild: bool = False, timeout: float = 3600) -> Build:
    """``make BENCH CLASS=X`` in ``tree``; reuses a previous identical build."""
    binary = tree / "bin" / f"{benchmark.lower()}.{npb_class}.x"
    record = tree / "builds" / f"{benchmark}.{npb_class}.json"
    reports = tree / "reports" / f"{benchmark}.{npb_class}"
    definition = (tree / "config" / "make.def").read_text()
    if not rebuild and record.is_file() and binary.is_file():
        old = json.loads(record.read_text())
        if old.get("make_def") == definition and old.get("ok"):
            return Build(benchmark, npb_class, variant, binary, True, old["seconds"],
                         reports=reports)
    for stale in [binary, *(tree / benchmark).glob("*.o"), *(tree / "common").glob("*.o")]:
        stale.unlink(missing_ok=True)
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    env = {**os.environ, "SLPVEC_CC_REPORT_DIR": str(reports)}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(["make", benchmark, f"CLASS={npb_class}"], cwd=tree, env=env,
                              capture_output=True, text=True, timeout=timeout)
        log, code = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired:
        log, code = f"make timed out after {timeout:.0f}s", -1
    seconds = time.perf_counter() - t0
    (tree / "builds").mkdir(exist_ok=True)
    (tree / "builds" / f"{benchmark}.{npb_class}.log").write_text(log)
    ok = code == 0 and binary.is_file()
    error = "" if ok else _first_error(log)
    record.write_text(json.dumps({"make_def": definition, "ok": ok, "seconds": seconds,
                                  "error": error}))
    return Build(benchmark, npb_class, variant, binary, ok, seconds, error, reports)


def _first_error(log: str) -> str:
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    for ln in lines:
        if "error" in ln.lower():
            return ln[:300]
    return (lines[-1] if lines else "make failed")[:300]
