"""Repository-aware splits and folds, and the caps that bound a build."""

import json
import re

import pytest

from dataset.build import build, plan_work, split_of
from dataset.cli import main
from dataset.folds import Fold, fold_of, shard_split
from dataset.provenance import NO_ORIGIN, Origin, source_origin
from dataset.selection import Caps, cap_per_group, rank
from dataset.sources import STAMP
from slpvec.errors import SlpvecError

# under split seed 0: o/r0 trains, o/r6 is test, o/r34 is val (split_of of the name)
REPOS = {"alpha": "o/r0", "beta": "o/r6", "gamma": "o/r34"}


def two_lane_functions(tag: str, count: int) -> str:
    """C with ``count`` functions, each one block whose two stores pack."""
    return "\n".join(f"void {tag}_f{k}(double *restrict a, const double *restrict b) "
                     f"{{ a[0] = b[0] * {k + 2}.0; a[1] = b[1] * {k + 3}.0; }}"
                     for k in range(count)) + "\n"


def stamped_suite(root, name, repository, files=3, functions=1):
    """A prepared-looking suite folder (stamp naming ``repository``) with
    ``files`` distinct C files in a sub-folder."""
    folder = root / name
    (folder / "src").mkdir(parents=True)
    (folder / STAMP).write_text(json.dumps({"upstream": f"https://github.com/{repository}.git"}))
    for k in range(files):
        (folder / "src" / f"{name}{k}.c").write_text(two_lane_functions(f"{name}{k}", functions))
    return folder


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for name, repository in REPOS.items():
        stamped_suite(root, name, repository)
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "own.c").write_text(two_lane_functions("own", 1))
    return sorted(root.rglob("*.c")) + [loose / "own.c"]


def test_origin_is_the_nearest_stamped_folder(corpus, tmp_path):
    assert source_origin(tmp_path / "corpus" / "beta" / "src" / "beta1.c") == Origin("beta", "o/r6")
    assert source_origin(tmp_path / "loose" / "own.c") == NO_ORIGIN


def test_repo_split_keeps_each_repository_in_one_split(corpus):
    items = plan_work(corpus, "haswell", "throughput", 1.0, 0, split_by="repo")
    assert len(items) == 10
    by_split = {}
    for item in items:
        by_split.setdefault(item.split, []).append(item.repository or item.source)
    own = [i for i in items if i.repository == ""]
    assert [i.split_group for i in own] == [""] and own[0].group_index == -1
    assert sorted(by_split["test"]) == ["o/r6"] * 3 and sorted(by_split["val"]) == ["o/r34"] * 3
    assert by_split["train"].count("o/r0") == 3 and len(by_split["train"]) == 4
    assert sorted({i.group_index for i in items if i.repository}) == [0, 1, 2]
    # by source (the default), each file's split is its content hash's, as before
    by_source = plan_work(corpus, "haswell", "throughput", 1.0, 0)
    assert all(i.split_group == "" and i.suite for i in by_source if i.repository)
    with pytest.raises(SlpvecError, match="split by 'folder'"):
        plan_work(corpus, "haswell", "throughput", 1.0, 0, split_by="folder")


def test_source_split_is_the_content_hash_split(corpus):
    import hashlib
    items = plan_work(corpus, "haswell", "throughput", 1.0, 0)
    for item in items:
        digest = hashlib.sha256(open(item.source, "rb").read()).hexdigest()
        assert item.split == split_of(digest, 0)


def test_repo_folds_hold_out_whole_repositories_equally(corpus):
    from dataclasses import asdict
    items = plan_work(corpus, "haswell", "throughput", 1.0, 0, split_by="repo")
    shards = [asdict(i) for i in items]
    held = {k: sorted({s["repository"] for s in shards
                       if s["repository"] and shard_split(s, Fold(k, 3)) == "test"})
            for k in range(3)}
    assert sorted(len(v) for v in held.values()) == [1, 1, 1]  # 3 repositories, 3 folds
    assert sorted(r for v in held.values() for r in v) == sorted(REPOS.values())
    for k in range(3):  # a held-out repository has no shard in train or val
        splits = {(s["repository"], shard_split(s, Fold(k, 3))) for s in shards}
        assert all((r, "test") not in splits or {(r, "train"), (r, "val")}.isdisjoint(splits)
                   for r in REPOS.values())
    # a shard of an older manifest (no split_group) folds by its source hash
    old = {"shard": "mat2-00000000000a.npz", "split": "train"}
    assert [shard_split(old, Fold(k, 5)) for k in range(5)] == \
        ["test" if fold_of(old["shard"], 5) == k else "train" for k in range(5)]


def test_suite_cap_keeps_the_lowest_ranked_sources(tmp_path):
    root = tmp_path / "corpus"
    for name, repository in REPOS.items():
        stamped_suite(root, name, repository, files=5)
    (tmp_path / "own.c").write_text(two_lane_functions("own", 1))
    sources = sorted(root.rglob("*.c")) + [tmp_path / "own.c"]
    every = plan_work(sources, "haswell", "throughput", 1.0, 0)
    items = plan_work(sources, "haswell", "throughput", 1.0, 0,
                      caps=Caps(max_sources_per_suite=2))
    assert len(every) == 16 and len(items) == 7  # 2 per suite + the unstamped file
    for suite in REPOS:
        ranks = sorted(rank(0, i.shard) for i in every if i.suite == suite)
        assert sorted(rank(0, i.shard) for i in items if i.suite == suite) == ranks[:2]
    again = plan_work(list(reversed(sources)), "haswell", "throughput", 1.0, 0,
                         caps=Caps(max_sources_per_suite=2))
    assert again == items
    other = plan_work(sources, "haswell", "throughput", 1.0, 1, caps=Caps(0, 2))
    assert {i.shard for i in other} != {i.shard for i in items}  # the seed chooses
    assert cap_per_group([1, 2, 3], 0, 0, str, str) == ([1, 2, 3], [])
    with pytest.raises(SlpvecError, match="caps"):
        Caps(max_blocks_per_source=-1)


def test_block_cap_labels_the_chosen_blocks_and_resumes(tmp_path):
    source = stamped_suite(tmp_path / "corpus", "alpha", "o/r0", files=1, functions=5) \
        / "src" / "alpha0.c"
    full = build([source], tmp_path / "full", workers=1, progress=False, time_limit_s=5)
    assert full["counts"]["blocks"] == 5
    out = tmp_path / "capped"
    capped = build([source], out, workers=1, progress=False, time_limit_s=5,
                   caps=Caps(max_blocks_per_source=2), split_by="repo")
    [shard] = capped["shards"]
    assert shard["blocks"] == 2 and shard["max_blocks"] == 2 and shard["repository"] == "o/r0"
    assert capped["caps"] == {"max_blocks_per_source": 2, "max_sources_per_suite": 0,
                              "sources_left_out": 0} and capped["split_by"] == "repo"
    path = out / "shards" / shard["shard"]
    stamp = path.stat().st_mtime_ns
    build([source], out, workers=1, progress=False, time_limit_s=5, caps=Caps(2))
    assert path.stat().st_mtime_ns == stamp  # same cap: kept (a new split relabels nothing)
    bigger = build([source], out, workers=1, progress=False, time_limit_s=5, caps=Caps(9))
    assert bigger["shards"][0]["blocks"] == 5 and path.stat().st_mtime_ns != stamp
    # every block is in it now: the uncapped build keeps it, and it is the same bytes
    stamp = path.stat().st_mtime_ns
    uncapped = build([source], out, workers=1, progress=False, time_limit_s=5)
    assert path.stat().st_mtime_ns == stamp
    assert uncapped["shards"][0]["sha256"] == full["shards"][0]["sha256"]


def test_time_budget_stops_starting_shards_and_the_bar_shows_progress(tmp_path, capsys):
    sources = sorted(stamped_suite(tmp_path / "corpus", "alpha", "o/r0", files=8).rglob("*.c"))
    first = build(sources, tmp_path / "ds", workers=1, time_limit_s=5, time_budget_s=1e-9)
    assert first["counts"]["sources"] == 8 and first["counts"]["shards"] == 1
    shown = capsys.readouterr()
    assert "time budget of 1e-09s spent: 1 of 8 shards done; rerun to finish" in shown.out
    assert "dataset (0 of 8 shards done)" in shown.err and "1/8" in shown.err
    assert "blocks=1" in shown.err
    # the shard done and those already handed to the pool (how many depends on the
    # executor's timing) are kept; the rest of the queue is cancelled, never built
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "ds").rglob("*.npz")}
    assert len(stamps) < len(sources)
    done = build(sources, tmp_path / "ds", workers=1, time_limit_s=5)
    assert done["counts"]["shards"] == 8
    [kept] = re.findall(r"dataset \((\d) of 8 shards done\)", capsys.readouterr().err)[:1]
    assert int(kept) == len(stamps)
    # the rerun reuses exactly those shards and builds the others
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert len(list((tmp_path / "ds").rglob("*.npz"))) == 8


def test_cli_build_by_repository_with_caps(corpus, tmp_path, capsys):
    out = tmp_path / "ds"
    folders = [str(tmp_path / "corpus" / name) for name in ("alpha", "beta")]
    assert main(["build", *folders, str(out), "--workers", "1", "-q", "--split-by", "repo",
                 "--max-sources-per-suite", "1", "--max-blocks-per-source", "1"]) == 0
    built = capsys.readouterr().out
    assert "2/2 shards, 2 blocks" in built and "4 sources left out" in built
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "split_by          repo" in info
    assert [line.split()[0] for line in info.splitlines() if line.endswith("o/r6")] == ["test"]
    assert main(["sources", str(out), "--split", "test"]) == 0
    assert [p.split("/")[-3] for p in capsys.readouterr().out.split()] == ["beta"]


@pytest.mark.parametrize("option", ["--max-blocks-per-source=-1", "--time-budget=nan",
                                    "--max-sources-per-suite=x"])
def test_bad_cap_is_a_usage_error(option, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(tmp_path), str(tmp_path / "ds"), option])
    assert exit_.value.code == 2
