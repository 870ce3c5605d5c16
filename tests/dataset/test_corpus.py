"""Pinned third-party sources (dataset.sources, dataset.corpus prepare): a
tarball, a folder, a git repository or https; every copy checked against the
manifest; offline without a copy, one line naming the upstream."""

import dataclasses
import http.server
import re
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from dataset import corpus
from dataset.sources import STAMP, SourceError, load_sources, prepare_sources, tree_digest

from ..conftest import BUNDLED, bundled, fake_sources, require_sources

FILES = {"k.c": "#include \"h.h\"\nfloat f(float x) { return x * K; }\n", "inc/h.h": "#define K 2\n"}
UNREACHABLE = "https://127.0.0.1:9/owner/suite"      # refused at once, offline or not
REPO = Path(__file__).resolve().parents[2]


def quiet(line):
    pass


def test_tarball_is_checked_and_prepared_once(tmp_path):
    sources, tarball = fake_sources(tmp_path, FILES)
    [folder] = corpus.prepare(tmp_path / "out", tarball, log=quiet, sources=sources)
    assert (folder / "k.c").read_text() == FILES["k.c"]
    assert (folder / "compile_flags.txt").read_text() == "-Iinc\n"
    assert f'"commit": "{"0" * 40}"' in (folder / STAMP).read_text()
    (folder / "k.c").write_text("changed")          # prepared: kept as it is, no source needed
    corpus.prepare(tmp_path / "out", None, log=quiet, sources=sources)
    assert (folder / "k.c").read_text() == "changed"


def test_another_archive_of_the_same_files_passes_altered_files_do_not(tmp_path):
    sources, tarball = fake_sources(tmp_path, FILES)
    other = tmp_path / "other.tar"                 # same files, other bytes: a note, then the tree
    with tarfile.open(other, "w") as tar:
        tar.add(tmp_path / "tree" / "suite", arcname="suite")
    notes = []
    prepare_sources(sources, {"suite": tmp_path / "a"}, other, log=notes.append)
    assert "checking each suite's files instead" in notes[0] and (tmp_path / "a" / STAMP).is_file()
    (tmp_path / "tree" / "suite" / "k.c").write_text("float f(float x) { return x; }\n")
    with tarfile.open(other, "w") as tar:
        tar.add(tmp_path / "tree" / "suite", arcname="suite")
    with pytest.raises(SourceError, match=r"suite: files differ from the pinned .* \(tree sha256"):
        prepare_sources(sources, {"suite": tmp_path / "b"}, other, log=quiet)
    assert not (tmp_path / "b").exists()
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(SourceError, match="not a readable tarball"):
        prepare_sources(sources, {"suite": tmp_path / "c"}, tmp_path / "junk.tar.gz", log=quiet)


def test_folder_of_suites_and_refusing_a_foreign_folder(tmp_path, monkeypatch):
    sources, _ = fake_sources(tmp_path, FILES)
    prepare_sources(sources, {"suite": tmp_path / "a"}, tmp_path / "tree", log=quiet)
    assert tree_digest(tmp_path / "a") == sources.suites[0].tree_sha256   # the stamp aside
    monkeypatch.setenv("SLPVEC_TEST_FROM", str(tmp_path / "tree"))  # the environment's copy
    prepare_sources(sources, {"suite": tmp_path / "b"}, log=quiet)
    assert (tmp_path / "b" / STAMP).is_file()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("someone's work")
    with pytest.raises(SourceError, match="exists and was not prepared from a pinned source"):
        prepare_sources(sources, {"suite": tmp_path / "mine"}, tmp_path / "tree", log=quiet)
    assert (tmp_path / "mine" / "notes.txt").is_file()


def _git(*args, cwd=None):
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=cwd,
                   check=True, capture_output=True)


def test_git_fetches_the_pinned_commit_into_the_mirrors_cache(tmp_path):
    sources, _ = fake_sources(tmp_path, FILES)
    upstream = tmp_path / "hub" / "owner" / "suite"
    upstream.mkdir(parents=True)
    _git("init", "-q", cwd=upstream)
    for rel, text in FILES.items():
        (upstream / rel).parent.mkdir(exist_ok=True)
        (upstream / rel).write_text(text)
    _git("add", ".", cwd=upstream)
    _git("commit", "-qm", "pinned", cwd=upstream)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=upstream, capture_output=True,
                            text=True).stdout.strip()
    (upstream / "k.c").write_text("later")          # upstream moved on; the pin did not
    _git("commit", "-qam", "later", cwd=upstream)
    pinned = dataclasses.replace(sources.suites[0], upstream=upstream.as_uri(), commit=commit)
    sources = dataclasses.replace(sources, suites=(pinned,))
    mirrors = tmp_path / "mirrors"
    prepare_sources(sources, {"suite": tmp_path / "a"}, mirrors=mirrors, log=quiet)
    assert (tmp_path / "a" / "k.c").read_text() == FILES["k.c"]
    assert (mirrors / "owner+suite" / "repo" / "HEAD").is_file()
    # the mirror serves the next prepare without the upstream; so does a checkout as --from
    (upstream / ".git").rename(tmp_path / "checkout.git")
    prepare_sources(sources, {"suite": tmp_path / "b"}, mirrors=mirrors, log=quiet)
    prepare_sources(sources, {"suite": tmp_path / "c"}, tmp_path / "checkout.git", log=quiet)
    assert (tmp_path / "c" / "k.c").read_text() == FILES["k.c"]


def test_https_archive_when_git_is_missing(tmp_path, monkeypatch):
    sources, tarball = fake_sources(tmp_path, FILES)
    (tmp_path / "www" / "owner" / "suite" / "archive").mkdir(parents=True)
    (tmp_path / "www" / "owner" / "suite" / "archive" / f"{'0' * 40}.tar.gz").write_bytes(
        tarball.read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr("dataset.sources.shutil.which", lambda name: None)
        url = f"http://127.0.0.1:{server.server_address[1]}/owner/suite"
        pinned = dataclasses.replace(sources.suites[0], upstream=url)
        lines = []
        prepare_sources(dataclasses.replace(sources, suites=(pinned,)), {"suite": tmp_path / "a"},
                        mirrors=tmp_path / "mirrors", log=lines.append)
    finally:
        server.shutdown()
    assert f"downloading {url}/archive/{'0' * 40}.tar.gz" in lines[0]
    assert (tmp_path / "a" / "k.c").read_text() == FILES["k.c"]


def test_offline_without_a_copy_is_one_line_naming_the_upstream(tmp_path, monkeypatch, capsys):
    sources, _ = fake_sources(tmp_path, FILES, upstream=UNREACHABLE, command=corpus.__name__)
    monkeypatch.setattr(corpus, "corpus_manifests", lambda: sources)
    monkeypatch.setenv("SLPVEC_MIRRORS", str(tmp_path / "mirrors"))
    assert corpus.main(["prepare", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith(f"dataset.corpus: error: cannot fetch suite from {UNREACHABLE} at ")
    assert "--from bundle.tar.gz (sha256 " in err[-1] and "SLPVEC_TEST_FROM" in err[-1]
    assert "Traceback" not in "".join(err) and not (tmp_path / "mirrors").exists()


def test_missing_sources_fail_the_test_with_the_fetch_command():
    def offline():
        raise SourceError("cannot fetch tsvc from https://github.com/UoB-HPC/TSVC_2 at ...")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)cannot fetch tsvc.*run 'python -m "
                       r"dataset.corpus prepare' .* --from corpus.tar.gz"):
        require_sources(offline, corpus.corpus_manifests())


def test_corpus_manifests_pin_every_suite():
    sources = corpus.corpus_manifests()
    assert [p.name for p in sources.suites] == [s.name for s in corpus.SUITES]
    assert sources.bundled == ("tsvc", "polybench", "kissfft", "cglm")
    assert re.fullmatch("[0-9a-f]{64}", sources.bundle_sha256) and sources.bundle == "corpus.tar.gz"
    for pinned in sources.suites:
        assert re.fullmatch("https://github.com/[^/]+/[^/]+", pinned.upstream), pinned
        assert re.fullmatch("[0-9a-f]{40}", pinned.commit) and pinned.license
        assert re.fullmatch("[0-9a-f]{64}", pinned.tree_sha256)
        assert not any(f.startswith("/") or "/work" in f or "/tmp" in f for f in pinned.build["flags"])
    assert load_sources(corpus.MANIFESTS) == sources


@pytest.mark.skipif(bundled("corpus.tar.gz") is None, reason=f"no bundled tarball in {BUNDLED}")
def test_prepare_from_the_bundled_tarball(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dataset.corpus", "prepare", "--from",
                           "../shared/bench/corpus.tar.gz", "--out", str(tmp_path / "c"),
                           "--suites", "bundled"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"corpus ready at {tmp_path / 'c'}: tsvc, polybench, kissfft, cglm")
    assert proc.stderr.count(", verified") == 4
    assert corpus.corpus_sources(tmp_path / "c")[0].name.endswith(".c")
