"""The corpus suites' manifests (dataset/manifests/*.toml): complete, consistent,
never a reserved repository; the suites the offline tarball does not hold come
from git even when --from names the tarball. No network needed."""

import dataclasses
import re
import subprocess
import tomllib
from fnmatch import fnmatch

import pytest

from dataset import corpus
from dataset.sources import Pinned, SourceError, load_sources, prepare_sources, tree_digest
from slpvec.errors import SlpvecError

from ..conftest import fake_sources
from .test_corpus import FILES, UNREACHABLE, _git, quiet

# Kept out of training: outside evaluation (llvm-test-suite, libjpeg-turbo, opus)
# and the benchmark (NPB, SNU NPB).
RESERVED = re.compile(r"llvm-test-suite|libjpeg-turbo|/opus$|npb", re.IGNORECASE)
FIELDS = {"name", "upstream", "commit", "license", "tree_sha256", "build"}
OPTIONAL = {"subdir"}


def manifests() -> dict[str, dict]:
    """Every suite manifest in the folder, by file stem."""
    return {path.stem: tomllib.loads(path.read_text())
            for path in sorted(corpus.MANIFESTS.glob("*.toml")) if path.stem != "bundle"}


def test_every_manifest_is_a_listed_suite_and_every_listed_suite_has_one():
    bundle = tomllib.loads((corpus.MANIFESTS / "bundle.toml").read_text())
    listed = [*bundle["suites"], *bundle["fetched"]]
    assert sorted(listed) == sorted(manifests()) and len(set(listed)) == len(listed)
    sources = corpus.corpus_manifests()
    assert sources.bundled == tuple(bundle["suites"])
    assert sources.fetched == tuple(bundle["fetched"])
    assert [suite.name for suite in corpus.SUITES] == listed


@pytest.mark.parametrize("stem", sorted(manifests()))
def test_manifest_is_complete(stem):
    manifest = manifests()[stem]
    assert FIELDS <= set(manifest) <= FIELDS | OPTIONAL, stem
    assert manifest["name"] == stem
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", manifest["upstream"])
    assert re.fullmatch("[0-9a-f]{40}", manifest["commit"])
    assert re.fullmatch("[0-9a-f]{64}", manifest["tree_sha256"])
    assert re.fullmatch(r"\w.*\(.*\w.*\)", manifest["license"]), "a license and its file"
    assert not RESERVED.search(manifest["upstream"]) and not RESERVED.search(stem)
    build = manifest["build"]
    assert set(build) <= {"sources", "flags", "exclude"}
    globs = [build["sources"]] if isinstance(build["sources"], str) else build["sources"]
    for path in [*globs, *build.get("exclude", []), manifest.get("subdir", "")]:
        assert not path.startswith(("/", "..")) and ".." not in path.split("/"), path
    assert globs and all(g.endswith(".c") for g in globs)
    assert all(isinstance(flag, str) and not flag.startswith("/") and "/work" not in flag
               and "/tmp" not in flag for flag in build["flags"])


def test_suites_are_distinct_repositories():
    pins = [(m["upstream"].lower(), m.get("subdir", "")) for m in manifests().values()]
    assert len(set(pins)) == len(pins)


def test_the_reserved_pattern_catches_the_reserved_repositories():
    for upstream in ("https://github.com/llvm/llvm-test-suite", "https://github.com/xiph/opus",
                     "https://github.com/libjpeg-turbo/libjpeg-turbo",
                     "https://github.com/benchmark-subsetting/NPB3.0-omp-C",
                     "https://github.com/snu-csl/snu-npb"):
        assert RESERVED.search(upstream), upstream
    assert not RESERVED.search("https://github.com/xiph/speexdsp")


def test_suite_files_take_several_globs_and_exclude_by_relative_path(tmp_path):
    for rel in ("src/a.c", "src/a_sse2.c", "src/deep/b.c", "lib/c.c", "lib/test_c.c", "x.h"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    suite = corpus.Suite("s", ("src/**/*.c", "lib/*.c", "src/*.c"), (),
                         ("*_sse2.c", "lib/test_*.c"))
    assert [p.relative_to(tmp_path).as_posix() for p in suite.files(tmp_path)] == \
        ["lib/c.c", "src/a.c", "src/deep/b.c"]
    assert corpus.Suite("s", ("nothing/*.c",), ()).files(tmp_path / "absent") == []


def test_polybench_leaves_out_its_template_and_orig_files():
    [polybench] = [s for s in corpus.SUITES if s.name == "polybench"]
    assert any(fnmatch("utilities/template-for-new-benchmark.c", x)
               for x in polybench.exclude)
    assert any(fnmatch("linear-algebra/kernels/2mm/2mm.orig.c", x)
               for x in polybench.exclude)


def test_select_suites_by_name_or_bundled():
    sources = corpus.corpus_manifests()
    assert [p.name for p in corpus.select_suites(sources, "bundled").suites] == \
        list(sources.bundled)
    assert [p.name for p in corpus.select_suites(sources, "zfp, tsvc").suites] == ["tsvc", "zfp"]
    with pytest.raises(SlpvecError, match="no corpus suite nosuch"):
        corpus.select_suites(sources, "tsvc,nosuch")


def _two_suites(tmp_path):
    """One suite in the tarball and one ('extra') only in a git upstream."""
    sources, tarball = fake_sources(tmp_path, FILES)
    upstream = tmp_path / "hub" / "owner" / "extra"
    upstream.mkdir(parents=True)
    _git("init", "-q", cwd=upstream)
    (upstream / "e.c").write_text("int e(int x) { return x + 1; }\n")
    _git("add", ".", cwd=upstream)
    _git("commit", "-qm", "pinned", cwd=upstream)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=upstream, capture_output=True,
                            text=True).stdout.strip()
    extra_tree = tmp_path / "extra-tree"
    extra_tree.mkdir()
    (extra_tree / "e.c").write_text((upstream / "e.c").read_text())
    extra = Pinned("extra", upstream.as_uri(), commit, "MIT (LICENSE)", tree_digest(extra_tree),
                   build=sources.suites[0].build)
    return dataclasses.replace(sources, suites=(*sources.suites, extra), fetched=("extra",)), \
        tarball


def test_a_tarball_origin_still_fetches_the_suites_it_does_not_hold(tmp_path):
    sources, tarball = _two_suites(tmp_path)
    dests = {"suite": tmp_path / "out" / "suite", "extra": tmp_path / "out" / "extra"}
    prepare_sources(sources, dests, tarball, mirrors=tmp_path / "mirrors", log=quiet)
    assert (dests["suite"] / "k.c").read_text() == FILES["k.c"]
    assert (dests["extra"] / "e.c").is_file()
    assert (tmp_path / "mirrors" / "owner+extra" / "repo" / "HEAD").is_file()


def test_offline_a_fetched_suite_asks_for_git_mirrors_not_the_tarball(tmp_path):
    sources, tarball = _two_suites(tmp_path)
    extra = dataclasses.replace(sources.suites[1], upstream=UNREACHABLE)
    sources = dataclasses.replace(sources, suites=(sources.suites[0], extra))
    with pytest.raises(SourceError, match=r"cannot fetch extra from .*--from a folder of git "
                       r"mirrors holding owner\+suite/repo"):
        prepare_sources(sources, {"suite": tmp_path / "a", "extra": tmp_path / "b"}, tarball,
                        mirrors=tmp_path / "mirrors", log=quiet)


def test_load_sources_reads_the_fetched_list(tmp_path):
    (tmp_path / "bundle.toml").write_text(
        'file = "b.tar.gz"\nsha256 = "00"\nsuites = ["a"]\nfetched = ["b"]\nenv = "E"\n'
        'command = "c"\n')
    for name in "ab":
        (tmp_path / f"{name}.toml").write_text(
            f'name = "{name}"\nupstream = "https://github.com/o/{name}"\ncommit = "{"0" * 40}"\n'
            f'license = "MIT (LICENSE)"\ntree_sha256 = "{"0" * 64}"\n')
    sources = load_sources(tmp_path)
    assert [p.name for p in sources.suites] == ["a", "b"]
    assert sources.bundled == ("a",) and sources.fetched == ("b",)
