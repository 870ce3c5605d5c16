"""Cross-validation end to end on a small dataset: one model per fold, each
source evaluated once, by the model of the fold that held it out."""

import csv

import pytest

from dataset.build import build
from models.crossval import POLICIES, fold_dir, run
from dataset.folds import Fold

from ..conftest import KERNELS

TINY = ["--hidden", "16", "--steps", "2", "--head", "16", "--epochs", "1",
        "--dagger-rounds", "0", "--max-blocks", "30"]


@pytest.mark.slow
def test_crossval_holds_out_every_source_once(tmp_path):
    data = tmp_path / "ds"
    sources = sorted(KERNELS.glob("*.c"))[:16]
    build(sources, data, workers=2, progress=False, synthetic=300)
    text = run(str(data), str(tmp_path / "cv"), folds=2, jobs=2, time_limit_s=2.0,
               train_args=TINY, progress=False)
    for k in range(2):
        assert (fold_dir(tmp_path / "cv", Fold(k, 2)) / "weights.pt").exists()
    rows = list(csv.DictReader(open(tmp_path / "cv" / "rows.csv")))
    corpus = {r["source"] for r in rows if "/synthetic/" not in r["source"]}
    assert corpus == {str(s) for s in sources}
    for source in corpus:  # each source once per policy: held out by exactly one fold
        assert sorted(r["policy"] for r in rows if r["source"] == source) == sorted(POLICIES)
    assert "### corpus" in text and "### synthetic" in text and "x the ILP's reduction" in text
