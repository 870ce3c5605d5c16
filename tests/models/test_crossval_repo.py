"""Cross-validation of a dataset split by repository holds out whole repositories."""

import json

from dataset.folds import Fold
from models.crossval import held_out, report
from slpvec.tools.evaluate import EvalRow

from ..dataset.test_repo_split import stamped_suite


def test_repository_folds_hold_out_whole_repositories(tmp_path):
    shards = []
    for index, (name, repository) in enumerate([("alpha", "o/a"), ("beta", "o/b"),
                                                ("gamma", "o/c")]):
        folder = stamped_suite(tmp_path / "corpus", name, repository, files=2)
        for k, source in enumerate(sorted(folder.rglob("*.c"))):
            shards.append({"shard": f"{name}{k}-00000000000{k}.npz", "source": str(source),
                           "split": "train", "repository": repository,
                           "split_group": repository, "group_index": index})
    (tmp_path / "manifest.json").write_text(json.dumps({"shards": shards}))
    held = [sorted(p.parent.parent.name for p in held_out(str(tmp_path), Fold(k, 3))["corpus"])
            for k in range(3)]
    assert held == [["alpha", "alpha"], ["beta", "beta"], ["gamma", "gamma"]]
    sources = [str(p) for p in held_out(str(tmp_path), Fold(1, 3))["corpus"]]
    rows = [EvalRow(s, policy, 1, 100.0, 90.0, 0.1, 0, 0) for s in sources
            for policy in ("none", "llvm", "greedy", "greedy-refined", "ilp", "gnn-raw", "gnn")]
    assert report("corpus", rows, [], 3).startswith(
        "### corpus: 2 sources of 1 repositories held out over 3 folds")
