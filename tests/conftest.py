"""Shared fixtures: an isolated cost cache, compiled kernels, and the
third-party sources the ``slow`` and ``nas`` tests need.

Those sources come from the offline tarballs next to a clone
(``../shared/bench/*.tar.gz``, the files ``manifests/bundle.toml`` names)
when present, else from the prepared cache or upstream; when none can be had
the test FAILS with the command that fetches them (never a silent skip). The
default run needs none of them.
"""

import functools
from pathlib import Path

import pytest

from slpvec.errors import SlpvecError
from slpvec.toolchain import compile_c_to_ir

KERNELS = Path(__file__).parent / "data" / "kernels"
KERNEL_FILES = sorted(KERNELS.glob("*.c"))
BUNDLED = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cost_cache(tmp_path_factory):
    """Each test session gets its own on-disk cost cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SLPVEC_CACHE_DIR", str(tmp_path_factory.mktemp("slpvec-cache")))
    yield
    mp.undo()


@functools.cache
def kernel_ir(name: str, march: str = "haswell") -> str:
    """IR of a test kernel, compiled once per session."""
    return compile_c_to_ir(KERNELS / name, march)


def bundled(name: str, folder: Path = BUNDLED) -> Path | None:
    """The offline tarball ``name`` next to the clone, if there is one."""
    path = folder / name
    return path if path.is_file() else None


def require_sources(get, sources):
    """``get()``'s result; a SlpvecError fails the test with the command that
    fetches the sources (the slow and nas tests must not pass without them)."""
    try:
        return get()
    except SlpvecError as err:
        problem = str(err)
    pytest.fail(f"{problem}\nthis test needs them: run '{sources.command}' (with network) or "
                f"'{sources.command} --from {sources.bundle}'", pytrace=False)


@pytest.fixture(scope="session")
def corpus_root(tmp_path_factory) -> Path:
    """The prepared corpus's bundled suites (from the tarball into a session
    folder when present, else the cache, prepared on first use)."""
    from dataset.corpus import DEFAULT_CACHE, corpus_manifests, prepare

    sources = corpus_manifests()
    tarball = bundled(sources.bundle)
    out = tmp_path_factory.mktemp("corpus") if tarball else DEFAULT_CACHE
    require_sources(lambda: prepare(out, tarball, log=lambda line: None, only="bundled"),
                    sources)
    return out


@pytest.fixture(scope="session")
def npb_root(tmp_path_factory):
    """NPB3.3-SER-C (from the bundled tarball when present, else ``$SLPVEC_NPB``
    or the cache, fetched on first use), also as ``$SLPVEC_NPB`` for the session."""
    from nas_bench.npb import fetch_npb, npb_manifests, resolve_npb

    sources = npb_manifests()
    tarball = bundled(sources.bundle)
    dest = tmp_path_factory.mktemp("npb") / "NPB3.3-SER-C"
    path = require_sources(lambda: fetch_npb(tarball, dest, log=lambda line: None) if tarball
                           else resolve_npb(None, log=lambda line: None), sources)
    mp = pytest.MonkeyPatch()
    mp.setenv("SLPVEC_NPB", str(path))
    yield path
    mp.undo()


def fake_sources(root: Path, files: dict[str, str], name: str = "suite", subdir: str = "",
                 upstream: str = "https://example.invalid/owner/suite", **bundle):
    """A one-suite :class:`dataset.sources.Sources` pinned to ``files``, and the
    bundle tarball holding them (``root/bundle.tar.gz``, top folder ``name``)."""
    import tarfile

    from dataset.sources import Pinned, Sources, file_sha256, tree_digest

    tree = root / "tree" / name
    for rel, text in files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    tarball = root / "bundle.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(tree, arcname=name)
    pinned = Pinned(name, upstream, "0" * 40, "MIT", tree_digest(tree), subdir,
                    {"sources": "*.c", "flags": ["-Iinc"]})
    fields = {"bundle": "bundle.tar.gz", "bundle_sha256": file_sha256(tarball),
              "env": "SLPVEC_TEST_FROM", "command": "prepare-it", **bundle}
    return Sources((pinned,), **fields), tarball
