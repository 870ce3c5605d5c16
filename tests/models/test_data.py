"""Shards load as torch-geometric batches with correct offsets and state."""

import json

import pytest
import torch
from torch_geometric.loader import DataLoader

from dataset.build import build
from models.data import decisions, load_decisions
from slpvec.errors import SlpvecError

from ..conftest import KERNELS


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds")
    build([KERNELS / "mat2.c", KERNELS / "reversed.c"], out, workers=1, progress=False)
    return out


def test_decisions_replay_state_and_labels(dataset):
    items = load_decisions(dataset)
    assert items and all(d.x.shape[1] == 10 for d in items)
    for d in items:
        assert 0 <= int(d.y) <= int(d.num_cands)
        assert d.cand_index.shape == (int(d.num_cands), 8)
        focus = int(d.focus_index)
        # every legal candidate contains the focus; the focus is not decided yet
        assert all(focus in row[mask].tolist() for row, mask in zip(d.cand_index, d.cand_mask))
        assert d.x[focus, -1] == 0


def test_batching_offsets_node_indices(dataset):
    items = load_decisions(dataset)
    batch = next(iter(DataLoader(items, batch_size=4)))
    sizes = [d.num_nodes for d in items[:4]]
    offsets = torch.tensor([0] + sizes[:-1]).cumsum(0)
    assert batch.focus_index.tolist() == [int(d.focus_index) + o for d, o in zip(items[:4], offsets)]
    counts = [int(d.num_cands) for d in items[:4]]
    assert batch.cand_sample.tolist() == [k for k, c in enumerate(counts) for _ in range(c)]
    assert batch.cand_index.shape[0] == sum(counts)


def test_other_feature_spec_is_refused(dataset, tmp_path):
    manifest = json.loads((dataset / "manifest.json").read_text())
    manifest["feature_spec"] = "ffffffffffffffff"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SlpvecError, match="rebuild the dataset"):
        load_decisions(bad)
