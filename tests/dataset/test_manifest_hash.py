"""Dataset provenance: the manifest hash a checkpoint records."""

import json

from dataset.build import manifest_hash


def _write(folder, shards):
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"cpu": "haswell", "shards": shards}))
    return folder


def test_manifest_hash_ignores_build_timings_but_not_labels(tmp_path):
    shard = {"shard": "a-0123.npz", "sha256": "aa", "blocks": 3, "seconds": 1.5}
    first = _write(tmp_path / "first", [shard])
    rebuilt = _write(tmp_path / "rebuilt", [{**shard, "seconds": 9.25}])
    relabelled = _write(tmp_path / "relabelled", [{**shard, "sha256": "bb"}])
    assert manifest_hash(first) == manifest_hash(rebuilt)
    assert manifest_hash(first) != manifest_hash(relabelled)
    assert len(manifest_hash(first)) == 16
