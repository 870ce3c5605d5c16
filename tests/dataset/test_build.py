"""Dataset builds: manifest, resume without redoing shards, reproducible hashes."""

import json
import shutil
from pathlib import Path

import pytest

from dataset.build import build, split_of, verify
from ilp_oracle import LABEL_VERSION
from dataset.cli import main
from slpvec.errors import SlpvecError

from ..conftest import KERNELS

SOURCES = [KERNELS / n for n in ("mat2.c", "fma.c", "reversed.c", "butterfly.c")]


def test_build_resume_and_verify(tmp_path, capsys):
    out = tmp_path / "ds"
    manifest = build(SOURCES, out, workers=2, progress=False)
    counts = manifest["counts"]
    assert counts["shards"] == counts["sources"] == 4 and counts["failures"] == 0
    assert counts["blocks"] >= 4 and counts["decisions"] > counts["blocks"]
    hashes = {s["shard"]: s["sha256"] for s in manifest["shards"]}
    # a killed build: one shard never finished (no file, no sidecar)
    victim = manifest["shards"][1]["shard"]
    (out / "shards" / victim).unlink()
    (out / "shards" / victim).with_suffix(".json").unlink()
    before = {p: p.stat().st_mtime_ns for p in (out / "shards").glob("*.npz")}
    again = build(SOURCES, out, workers=2, progress=False)
    assert {s["shard"]: s["sha256"] for s in again["shards"]} == hashes  # same bytes
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())  # others not redone
    assert verify(out) == [] and main(["verify", str(out)]) == 0
    (out / "shards" / victim).write_bytes(b"tampered")
    assert verify(out) == [f"hash mismatch {victim}"]
    assert main(["info", str(out)]) == 0
    assert "oracle status: {'optimal':" in capsys.readouterr().out
    # a shard labelled by an older oracle is relabelled, the others are kept
    stale = manifest["shards"][2]["shard"]
    sidecar = (out / "shards" / stale).with_suffix(".json")
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "label_version": 0}))
    kept = {p: p.stat().st_mtime_ns for p in (out / "shards").glob("*.npz")
            if p.name not in (stale, victim)}
    relabelled = build(SOURCES, out, workers=2, progress=False)
    assert relabelled["label_version"] == LABEL_VERSION
    assert all(s["label_version"] == LABEL_VERSION for s in relabelled["shards"])
    assert (out / "shards" / stale).stat().st_mtime_ns != before[out / "shards" / stale]
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())


def test_fresh_build_has_identical_hashes(tmp_path):
    a = build(SOURCES[:2], tmp_path / "a", workers=1, progress=False)
    b = build(SOURCES[:2], tmp_path / "b", workers=2, progress=False)
    assert [s["sha256"] for s in a["shards"]] == [s["sha256"] for s in b["shards"]]


def test_dask_local_cluster_gives_the_same_shards(tmp_path):
    pool = build(SOURCES[:2], tmp_path / "pool", workers=2, progress=False)
    dask = build(SOURCES[:2], tmp_path / "dask", workers=2, progress=False, scheduler="local")
    assert [s["sha256"] for s in dask["shards"]] == [s["sha256"] for s in pool["shards"]]


def test_synthetic_blocks_are_mixed_in(tmp_path):
    manifest = build(SOURCES[:1], tmp_path / "ds", workers=2, progress=False, synthetic=60)
    synthetic = [s for s in manifest["shards"] if "synthetic-" in s["source"]]
    assert len(synthetic) == 2 and sum(s["blocks"] for s in synthetic) >= 50
    assert manifest["synthetic_blocks"] == 60 and manifest["counts"]["failures"] == 0


def test_npb_is_refused(tmp_path):
    npb = tmp_path / "NPB3.3-SER-C" / "BT"
    npb.mkdir(parents=True)
    shutil.copy(SOURCES[0], npb / "bt.c")
    with pytest.raises(SlpvecError, match="held-out"):
        build([npb / "bt.c"], tmp_path / "ds", progress=False)


def test_split_is_stable_and_covers_all():
    splits = [split_of(f"{k:064x}", 0) for k in range(1000)]
    assert splits == [split_of(f"{k:064x}", 0) for k in range(1000)]
    assert 700 < splits.count("train") < 900 and splits.count("val") > 50
    assert splits != [split_of(f"{k:064x}", 1) for k in range(1000)]


def test_synthetic_files_of_an_older_generator_are_rewritten(tmp_path):
    from dataset.build import write_synthetic
    first = write_synthetic(tmp_path, 60, seed=0)
    fresh = [p.read_text() for p in first]
    first[0].write_text("; written by an older generator\n")
    again = write_synthetic(tmp_path, 60, seed=0)
    assert again == first and [p.read_text() for p in again] == fresh
