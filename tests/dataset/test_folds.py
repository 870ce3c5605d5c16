"""Cross-validation folds: every shard held out exactly once, by source hash."""

import hashlib

import pytest

from dataset.folds import Fold, fold_of, shard_split
from slpvec.errors import SlpvecError


def shards(n=60):
    out = []
    for k in range(n):
        digest = hashlib.sha256(str(k).encode()).hexdigest()[:12]
        out.append({"shard": f"src{k}-{digest}.npz", "split": ("train", "val", "test")[k % 3]})
    return out


def test_every_shard_is_held_out_in_exactly_one_fold():
    folds = [Fold(k, 5) for k in range(5)]
    for shard in shards():
        tested = [f.index for f in folds if shard_split(shard, f) == "test"]
        assert tested == [fold_of(shard["shard"], 5)]
        for f in folds:
            if f.index not in tested:  # standard test shards train; val stays val
                want = "val" if shard["split"] == "val" else "train"
                assert shard_split(shard, f) == want
        assert shard_split(shard) == shard["split"]


def test_fold_is_the_name_hash_mod_n():
    assert fold_of("mat2-00000000000a.npz", 5) == 0
    assert fold_of("synthetic-0-0001-000000000007.npz", 5) == 2
    assert {fold_of(s["shard"], 5) for s in shards()} == set(range(5))


@pytest.mark.parametrize("text", ["3", "a/b", "5/5", "0/1", "-1/4"])
def test_bad_fold_is_a_one_line_error(text):
    with pytest.raises(SlpvecError, match="fold"):
        Fold.parse(text)


def test_fold_round_trips():
    assert str(Fold.parse("2/5")) == "2/5" and Fold.parse("2/5") == Fold(2, 5)
