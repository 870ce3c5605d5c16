"""The C training/evaluation corpus: pinned third-party C suites.

TSVC, PolyBench, kissfft and cglm are in the offline tarball; the other
suites (``bundle.toml``'s ``fetched``) come from their git repositories only.

Third-party sources are never committed: each suite's manifest
(``dataset/manifests/<suite>.toml``) pins its upstream commit, license and
file digest, and ``prepare`` fetches, verifies and caches it (default
``$SLPVEC_CORPUS`` or ``~/.cache/slpvec/corpus``; see :mod:`dataset.sources`),
then writes, per suite, a clangd-style ``compile_flags.txt`` (paths relative
to the suite folder) that every slpvec command and the dataset builder pass
to clang-22. NPB is never part of it (held-out benchmark).

    python -m dataset.corpus prepare [--from TARBALL_OR_FOLDER] [--out DIR] [--suites A,B]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from slpvec.entry import add_debug_option, entry_point
from slpvec.errors import SlpvecError

from .sources import DEFAULT_MIRRORS, Sources, load_sources, prepare_sources

DEFAULT_CACHE = Path(os.environ.get("SLPVEC_CORPUS") or Path.home() / ".cache/slpvec/corpus")
MANIFESTS = Path(__file__).parent / "manifests"
__all__ = ["DEFAULT_CACHE", "DEFAULT_MIRRORS", "SUITES", "corpus_sources", "prepare"]


@dataclass(frozen=True)
class Suite:
    """How one pinned suite is compiled."""

    name: str
    sources: tuple[str, ...]    # globs of the C files, relative to the suite folder
    flags: tuple[str, ...]      # clang flags, paths relative to the suite folder
    exclude: tuple[str, ...] = ()  # globs of relative paths left out ('*' spans folders)

    def files(self, root: Path) -> list[Path]:
        """The suite's C files below its folder ``root``, sorted, each once."""
        found = {p for pattern in self.sources for p in Path(root).glob(pattern)}
        return sorted(p for p in found if not any(
            fnmatch(p.relative_to(root).as_posix(), x) for x in self.exclude))


def corpus_manifests() -> Sources:
    """The pinned corpus suites and their offline bundle."""
    return load_sources(MANIFESTS)


def build_recipes(sources: Sources) -> tuple[Suite, ...]:
    """Each pinned suite's ``[build]`` table as a :class:`Suite` (``sources``:
    one glob or a list of them)."""
    return tuple(Suite(p.name, _globs(p.build["sources"]), tuple(p.build["flags"]),
                       tuple(p.build.get("exclude", ()))) for p in sources.suites)


def _globs(sources: str | list[str]) -> tuple[str, ...]:
    return (sources,) if isinstance(sources, str) else tuple(sources)


def select_suites(sources: Sources, names: str | None) -> Sources:
    """Only the suites ``names`` lists (comma-separated; ``bundled``: those the
    offline tarball holds; None: all). Raises SlpvecError for an unknown name."""
    if names is None:
        return sources
    wanted = set()
    for name in filter(None, (n.strip() for n in names.split(","))):
        wanted |= set(sources.bundled) if name == "bundled" else {name}
    unknown = wanted - {p.name for p in sources.suites}
    if unknown:
        raise SlpvecError(f"no corpus suite {', '.join(sorted(unknown))} (suites: "
                          f"{', '.join(p.name for p in sources.suites)})")
    return dataclasses.replace(sources, suites=tuple(p for p in sources.suites
                                                     if p.name in wanted))


SUITES = build_recipes(corpus_manifests())


def prepare(out: Path = DEFAULT_CACHE, source: Path | None = None,
            mirrors: Path = DEFAULT_MIRRORS, log=print,
            sources: Sources | None = None, only: str | None = None) -> list[Path]:
    """Fetch and verify every suite into ``out/<suite>`` and write its
    compile_flags.txt. ``source``: the bundle tarball or a folder (see
    :func:`dataset.sources.prepare_sources`; default ``$SLPVEC_CORPUS_FROM``,
    else git mirrors and upstream); ``sources``: the manifests (default the
    corpus's); ``only``: the suites to prepare (see :func:`select_suites`).
    Returns the suite folders; raises SlpvecError naming what is missing or
    differs."""
    out = Path(out)
    sources = select_suites(sources or corpus_manifests(), only)
    dests = {suite.name: out / suite.name for suite in sources.suites}
    prepare_sources(sources, dests, Path(source) if source else None, mirrors, log)
    for suite in build_recipes(sources):
        (dests[suite.name] / "compile_flags.txt").write_text("\n".join(suite.flags) + "\n")
    return list(dests.values())


def corpus_sources(corpus: Path = DEFAULT_CACHE) -> list[Path]:
    """Every C file of the prepared corpus (suites not prepared have none),
    sorted, suites in a fixed order."""
    return [path for suite in SUITES for path in suite.files(Path(corpus) / suite.name)]


@entry_point("dataset.corpus")
def main(argv: list[str]) -> int:
    """Entry point of ``python -m dataset.corpus`` (errors as :mod:`slpvec.entry` says)."""
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
    prep.add_argument("--suites", default=None, metavar="A,B",
                      help=f"only these suites ('bundled': those {sources.bundle} holds; "
                      "default all)")
    add_debug_option(prep)
    args = parser.parse_args(argv)
    folders = prepare(args.out, args.source, log=lambda line: print(line, file=sys.stderr),
                      only=args.suites)
    n = len(corpus_sources(args.out))
    print(f"corpus ready at {args.out}: {', '.join(f.name for f in folders)} ({n} C files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
