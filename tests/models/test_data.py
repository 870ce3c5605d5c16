"""Shards load as torch-geometric block batches with correct offsets, state and labels."""

import json

import pytest
import torch
from torch_geometric.loader import DataLoader

from models.data import load_blocks, load_samples, replay
from models.features import CANDIDATE_FEATURES
from slpvec.errors import SlpvecError


def test_blocks_hold_every_decision_with_its_label(dataset):
    samples = [s for s in load_samples(dataset) if len(s.focus)]
    blocks = load_blocks(dataset)
    assert len(blocks) == len(samples)
    for sample, block in zip(samples, blocks):
        steps = replay(sample)
        assert block.focus.tolist() == [s.focus for s in steps] == sample.focus.tolist()
        assert block.num_cands.tolist() == [len(l) for l in sample.legal]
        assert block.cand_lanes.shape[0] == sum(len(l) for l in sample.legal)
        assert block.cand_feat.shape == (block.cand_lanes.shape[0], len(CANDIDATE_FEATURES))
        for t, (action, legal) in enumerate(zip(sample.action.tolist(), sample.legal)):
            want = legal.tolist().index(action) if action >= 0 else len(legal)
            assert int(block.y[t]) == want
        # every candidate row contains its decision's focus
        for row, decision in enumerate(block.cand_decision.tolist()):
            lanes = block.cand_lanes[row][block.cand_mask[row]].tolist()
            assert int(block.focus[decision]) in lanes


def test_replayed_state_sees_the_oracle_packs(dataset):
    """After the store pack is chosen, its value operands are an exact
    user match for the candidate that equals them (user_exact feature)."""
    sample = next(s for s in load_samples(dataset) if (s.action >= 0).sum() >= 2)
    steps = replay(sample)
    packed = [s for s in steps if s.label < len(s.legal)]
    assert packed[0].cand_feat[:, 0].max() == 0      # nothing chosen yet
    assert any(s.cand_feat[s.label, 0] == 1 for s in packed[1:])


def test_batching_offsets_nodes_and_decisions(dataset):
    blocks = load_blocks(dataset)[:3]
    batch = next(iter(DataLoader(blocks, batch_size=3)))
    node_offsets = torch.tensor([0] + [b.num_nodes for b in blocks[:-1]]).cumsum(0)
    steps = [b.focus.shape[0] for b in blocks]
    assert batch.focus.tolist() == [int(f) + int(o) for b, o in zip(blocks, node_offsets)
                                    for f in b.focus]
    decision_offsets = torch.tensor([0] + steps[:-1]).cumsum(0)
    assert batch.cand_decision.tolist() == [int(d) + int(o) for b, o in
                                            zip(blocks, decision_offsets) for d in b.cand_decision]


def test_other_feature_spec_is_refused(dataset, tmp_path):
    manifest = json.loads((dataset / "manifest.json").read_text())
    manifest["feature_spec"] = "ffffffffffffffff"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SlpvecError, match="rebuild the dataset"):
        load_blocks(bad)


def test_a_block_the_oracle_found_no_plan_for_is_not_a_label(dataset, tmp_path):
    """A solve that timed out without a solution leaves the block scalar;
    its all-"no pack" trajectory must not be taught."""
    import dataclasses
    import shutil

    from dataset.samples import load_shard, save_shard
    from ilp_oracle import TIMEOUT_NO_SOLUTION

    copy = tmp_path / "ds"
    shutil.copytree(dataset, copy)
    shard = sorted((copy / "shards").glob("*.npz"))[0]
    samples = load_shard(shard)
    assert samples and len(samples[0].focus)
    before = len(load_blocks(copy))
    save_shard(shard, [dataclasses.replace(samples[0], status=TIMEOUT_NO_SOLUTION)]
               + samples[1:])
    assert len(load_blocks(copy)) == before - 1
