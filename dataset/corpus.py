"""The C training/evaluation corpus: TSVC, PolyBench, kissfft, cglm.

Third-party sources are never committed: each suite's manifest
(``dataset/manifests/<suite>.toml``) pins its upstream commit, license and
file digest, and ``prepare`` fetches, verifies and caches it (default
``$SLPVEC_CORPUS`` or ``~/.cache/slpvec/corpus``; see :mod:`dataset.sources`),
then writes, per suite, a clangd-style ``compile_flags.txt`` (paths relative
to the suite folder) that every slpvec command and the dataset builder pass
to clang-22. NPB is never part of it (held-out benchmark).

    python -m dataset.corpus prepare [--from TARBALL_OR_FOLDER] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from slpvec.errors import SlpvecError

from .sources import DEFAULT_MIRRORS, Sources, load_sources, prepare_sources

DEFAULT_CACHE = Path(os.environ.get("SLPVEC_CORPUS") or Path.home() / ".cache/slpvec/corpus")
MANIFESTS = Path(__file__).parent / "manifests"
__all__ = ["DEFAULT_CACHE", "DEFAULT_MIRRORS", "SUITES", "corpus_sources", "prepare"]


@dataclass(frozen=True)
class Suite:
    """How one pinned suite is compiled."""

    name: str
    sources: str                # glob of the C files, relative to the suite folder
    flags: tuple[str, ...]      # clang flags, paths relative to the suite folder
    exclude: tuple[str, ...] = ()


def corpus_manifests() -> Sources:
    """The pinned corpus suites and their offline bundle."""
    return load_sources(MANIFESTS)


def build_recipes(sources: Sources) -> tuple[Suite, ...]:
    """Each pinned suite's ``[build]`` table as a :class:`Suite`."""
    return tuple(Suite(p.name, p.build["sources"], tuple(p.build["flags"]),
                       tuple(p.build.get("exclude", ()))) for p in sources.suites)


SUITES = build_recipes(corpus_manifests())


def prepare(out: Path = DEFAULT_CACHE, source: Path | None = None,
            mirrors: Path = DEFAULT_MIRRORS, log=print,
            sources: Sources | None = None) -> list[Path]:
    """Fetch and verify every suite into ``out/<suite>`` and write its
    compile_flags.txt. ``source``: the bundle tarball or a folder (see
    :func:`dataset.sources.prepare_sources`; default ``$SLPVEC_CORPUS_FROM``,
    else git mirrors and upstream); ``sources``: the manifests (default the
    corpus's). Returns the suite folders; raises SlpvecError naming what is
    missing or differs."""
    out = Path(out)
    sources = sources or corpus_manifests()
    dests = {suite.name: out / suite.name for suite in sources.suites}
    prepare_sources(sources, dests, Path(source) if source else None, mirrors, log)
    for suite in build_recipes(sources):
        (dests[suite.name] / "compile_flags.txt").write_text("\n".join(suite.flags) + "\n")
    return list(dests.values())


def corpus_sources(corpus: Path = DEFAULT_CACHE) -> list[Path]:
    """Every C file of the prepared corpus, sorted, suites in a fixed order."""
    files = []
    for suite in SUITES:
        root = Path(corpus) / suite.name
        files += sorted(p for p in root.glob(suite.sources)
                        if not any(p.name.endswith(x) for x in suite.exclude))
    return files


def main(argv=None) -> int:
    """Entry point of ``python -m dataset.corpus``; errors are one line, exit 1."""
    parser = argparse.ArgumentParser(prog="python -m dataset.corpus",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sources = corpus_manifests()
    prep = sub.add_parser("prepare", help="fetch, verify and cache the suites")
    prep.add_argument("--from", dest="source", type=Path, default=None,
                      help=f"offline copy: {sources.bundle} or a folder of the suites' "
                      f"folders or git mirrors (default ${sources.env}, else fetch upstream)")
    prep.add_argument("--out", type=Path, default=DEFAULT_CACHE,
                      help="where the suites go (default $SLPVEC_CORPUS or ~/.cache/slpvec/corpus)")
    args = parser.parse_args(argv)
    try:
        folders = prepare(args.out, args.source, log=lambda line: print(line, file=sys.stderr))
    except SlpvecError as err:
        print(f"dataset.corpus: error: {err}", file=sys.stderr)
        return 1
    n = len(corpus_sources(args.out))
    print(f"corpus ready at {args.out}: {', '.join(f.name for f in folders)} ({n} C files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
