"""The C training/evaluation corpus: TSVC, PolyBench, kissfft, cglm.

Third-party sources are never committed. ``prepare`` extracts them into a
cache outside the repo (default ``~/.cache/slpvec/corpus``) from either a
tarball (the shared bundle) or a folder of git mirrors (``owner+name/repo``
git dirs, as the project's fetch tool leaves them), and writes, per suite,
a clangd-style ``compile_flags.txt`` that ``slpvec evaluate`` and the dataset
builder pass to clang-22. NPB is never part of it (held-out benchmark).

    python -m dataset.corpus prepare [--from PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path(os.environ.get("SLPVEC_CORPUS", Path.home() / ".cache/slpvec/corpus"))
# git mirrors as owner+name/repo folders (the layout a mirror fetcher writes)
DEFAULT_MIRRORS = Path(os.environ.get("SLPVEC_MIRRORS") or Path.home() / ".cache/slpvec/mirrors")
_NO_SIMD = ("-U__SSE__ -U__SSE2__ -U__SSE3__ -U__SSSE3__ -U__SSE4_1__ -U__SSE4_2__ "
            "-U__AVX__ -U__AVX2__ -U__AVX512F__")


@dataclass(frozen=True)
class Suite:
    """One third-party suite: where it comes from and how to compile it."""

    name: str
    mirror: str                 # owner+name of its git mirror
    sources: str                # glob of the C files, relative to the suite root
    flags: str                  # clang flags; {root} is the suite folder
    exclude: tuple[str, ...] = ()


SUITES = (
    Suite("tsvc", "UoB-HPC+TSVC_2", "src/*.c", "-I{root}/src"),
    Suite("polybench", "MatthiasJReisinger+PolyBenchC-4.2.1", "**/*.c",
          "-I{root}/utilities", ("template-for-new-benchmark.c", ".orig.c")),
    Suite("kissfft", "mborgerding+kissfft", "*.c", "-I{root}"),
    # cglm picks hand-written SSE/AVX paths from the compiler's feature macros;
    # undefining them selects its scalar code, which is what SLP should see.
    Suite("cglm", "recp+cglm", "src/**/*.c", f"-I{{root}}/include {_NO_SIMD}"),
)


def _extract_mirror(git_dir: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def prepare(out: Path = DEFAULT_CACHE, source: Path | None = None) -> list[Path]:
    """Extract every suite into ``out/<suite>`` and write its compile_flags.txt.

    ``source``: a ``.tar.gz`` with one top folder per suite, or a mirrors
    folder (default ``$SLPVEC_MIRRORS`` or ~/.cache/slpvec/mirrors). Returns the suite
    folders. Raises FileNotFoundError naming what is missing.
    """
    source = Path(source) if source else DEFAULT_MIRRORS
    out.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        with tarfile.open(source) as tar:
            tar.extractall(out, filter="data")
    folders = []
    for suite in SUITES:
        root = out / suite.name
        if not root.exists():
            git_dir = source / suite.mirror / "repo"
            if not git_dir.exists():
                raise FileNotFoundError(f"no source for suite {suite.name}: {git_dir} missing")
            _extract_mirror(git_dir, root)
        (root / "compile_flags.txt").write_text(
            "\n".join(suite.flags.format(root=root.resolve()).split()) + "\n")
        folders.append(root)
    return folders


def corpus_sources(corpus: Path = DEFAULT_CACHE) -> list[Path]:
    """Every C file of the prepared corpus, sorted, suites in a fixed order."""
    files = []
    for suite in SUITES:
        root = corpus / suite.name
        files += sorted(p for p in root.glob(suite.sources)
                        if not any(p.name.endswith(x) for x in suite.exclude))
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dataset.corpus", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    prep = sub.add_parser("prepare", help="extract the suites into the cache")
    prep.add_argument("--from", dest="source", type=Path, default=None)
    prep.add_argument("--out", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    try:
        folders = prepare(args.out, args.source)
    except (FileNotFoundError, subprocess.CalledProcessError, tarfile.TarError) as err:
        print(f"dataset.corpus: error: {err}", file=sys.stderr)
        return 1
    n = len(corpus_sources(args.out))
    print(f"corpus ready at {args.out}: {', '.join(f.name for f in folders)} ({n} C files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
