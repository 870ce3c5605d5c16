"""nas_bench fetch: NPB3.3-SER-C at its pinned commit from a tarball, a git
checkout of its upstream (the folder inside it) or the network; checked
against the manifest; offline without a copy, one line naming the upstream."""

import dataclasses
import re
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from nas_bench import npb
from nas_bench.cli import main
from nas_bench.npb import NPB_DIR, NasError, fetch_npb, resolve_npb

from ..conftest import BUNDLED, bundled, fake_sources

FILES = {"sys/setparams.c": "int main(void) { return 0; }\n", "sys/print_header": "#!/bin/sh\n",
         "sys/print_instructions": "#!/bin/sh\n", "common/wtime.c": "double w;\n",
         "sys/setparams": "a stale foreign binary"}
REPO = Path(__file__).resolve().parents[2]


def quiet(line):
    pass


@pytest.fixture
def pinned_npb(tmp_path, monkeypatch):
    """A fake NPB manifest (the folder NPB3.3-SER-C of its repository) and its tarball."""
    sources, tarball = fake_sources(tmp_path / "src", FILES, name=NPB_DIR, subdir=NPB_DIR,
                                    upstream="https://127.0.0.1:9/owner/npb",
                                    command="python -m nas_bench fetch", env="SLPVEC_NPB_FROM")
    monkeypatch.setattr(npb, "npb_manifests", lambda: sources)
    monkeypatch.setattr(npb, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("SLPVEC_NPB", raising=False)
    monkeypatch.setenv("SLPVEC_MIRRORS", str(tmp_path / "mirrors"))
    return sources, tarball


def test_tarball_is_verified_and_cleaned(pinned_npb, tmp_path):
    _, tarball = pinned_npb
    found = fetch_npb(tarball, tmp_path / "dest" / NPB_DIR, log=quiet)
    assert (found / "sys/setparams.c").is_file() and not (found / "sys/setparams").exists()
    assert (found / "sys/print_header").stat().st_mode & stat.S_IXUSR
    cached = resolve_npb(str(tarball), log=quiet)
    assert cached == tmp_path / "cache" / "npb" / NPB_DIR and (cached / "common/wtime.c").is_file()
    assert resolve_npb(str(found.parent)) == found           # a folder is used as it is
    with pytest.raises(NasError, match="not an NPB3.3-SER-C folder"):
        resolve_npb(str(tmp_path / "src"))


def test_altered_tarball_is_refused(pinned_npb, tmp_path):
    tree = tmp_path / "src" / "tree" / NPB_DIR
    (tree / "common" / "wtime.c").write_text("double w = 1;\n")
    with tarfile.open(tmp_path / "npb.tar.gz", "w:gz") as tar:
        tar.add(tree, arcname=NPB_DIR)
    assert main(["fetch", "--from", str(tmp_path / "npb.tar.gz"), "--dest",
                 str(tmp_path / "dest")]) == 1
    assert not (tmp_path / "dest").exists()


def test_the_folder_inside_a_checkout_of_upstream(pinned_npb, tmp_path, monkeypatch):
    checkout = tmp_path / "SNU_NPB"
    for rel, text in FILES.items():
        (checkout / NPB_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
        (checkout / NPB_DIR / rel).write_text(text)
    (checkout / "README").write_text("other folders of the repository")
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "npb"]):
        subprocess.run([*git, *args], cwd=checkout, check=True, capture_output=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True,
                            text=True).stdout.strip()
    sources, _ = pinned_npb
    pinned = dataclasses.replace(sources.suites[0], commit=commit)
    monkeypatch.setattr(npb, "npb_manifests", lambda: dataclasses.replace(sources, suites=(pinned,)))
    found = fetch_npb(checkout, tmp_path / "dest", log=quiet)
    assert (found / "sys/setparams.c").is_file() and not (found / "README").exists()


def test_offline_without_a_copy_is_one_line_naming_the_upstream(pinned_npb, tmp_path, capsys):
    assert main(["fetch", "--dest", str(tmp_path / "dest")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("nas_bench: error: cannot fetch NPB3.3-SER-C from "
                              "https://127.0.0.1:9/owner/npb at ")
    assert "python -m nas_bench fetch --from bundle.tar.gz" in err[-1]
    assert "SLPVEC_NPB_FROM" in err[-1] and "Traceback" not in "".join(err)


def test_npb_manifest_pins_upstream():
    sources = npb.npb_manifests()
    [pinned] = sources.suites
    assert sources.bundle == "npb3.3-ser-c.tar.gz" and re.fullmatch("[0-9a-f]{64}",
                                                                      sources.bundle_sha256)
    assert pinned.upstream == "https://github.com/akshay9594/SNU_NPB-1.0.3"
    assert pinned.subdir == NPB_DIR and re.fullmatch("[0-9a-f]{40}", pinned.commit)


@pytest.mark.skipif(bundled("npb3.3-ser-c.tar.gz") is None, reason=f"no bundled tarball in {BUNDLED}")
def test_fetch_from_the_bundled_tarball(tmp_path):
    dest = tmp_path / NPB_DIR
    proc = subprocess.run([sys.executable, "-m", "nas_bench", "fetch", "--from",
                           "../shared/bench/npb3.3-ser-c.tar.gz", "--dest", str(dest)],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(dest) and "verified" in proc.stderr
    assert (dest / "CG" / "cg.c").is_file() and not (dest / "sys" / "setparams").exists()
