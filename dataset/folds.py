"""Cross-validation folds over a built dataset, by source content hash or repository.

The standard split (``manifest["shards"][i]["split"]``) holds out few corpus
files as test; k-fold cross-validation holds out every source once. Fold
``k`` of ``n`` makes the shards whose source hash falls in fold ``k`` the test
split; every other shard keeps its split, except that standard-test shards
train. Shard names end in the first 12 hex digits of the source's sha256,
which fixes each shard's fold for good. A dataset built with
``--split-by repo`` records each shard's ``split_group`` (its repository)
and ``group_index`` (the group's place in a seeded order of all groups): the
fold is then ``group_index mod N``, so a fold holds out whole repositories and
the folds hold equally many (a hash mod N gave 2 to 13 of 39 repositories).
"""

from __future__ import annotations

from dataclasses import dataclass

from slpvec.errors import SlpvecError


@dataclass(frozen=True)
class Fold:
    """Fold ``index`` (0-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Fold":
        """``"K/N"`` (e.g. ``"0/5"``) -> Fold; a one-line error otherwise."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise SlpvecError(f"fold '{text}': expected K/N, e.g. 0/5") from None
        if count < 2 or not 0 <= index < count:
            raise SlpvecError(f"fold '{text}': need N >= 2 and 0 <= K < N")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def fold_of(shard_name: str, count: int) -> int:
    """The fold (0..count-1) of a shard, from the source hash in its name."""
    digest = shard_name.rsplit(".", 1)[0].rsplit("-", 1)[-1]
    return int(digest, 16) % count


def shard_fold(shard: dict, count: int) -> int:
    """The fold (0..count-1) of a manifest shard record: by its repository
    group when it has one, else by its source hash (:func:`fold_of`)."""
    if shard.get("split_group") and shard.get("group_index", -1) >= 0:
        return shard["group_index"] % count
    return fold_of(shard["shard"], count)


def shard_split(shard: dict, fold: Fold | None = None) -> str:
    """The split of a manifest shard record, under ``fold`` if given."""
    if fold is None:
        return shard["split"]
    if shard_fold(shard, fold.count) == fold.index:
        return "test"
    return "train" if shard["split"] == "test" else shard["split"]
