"""Dataset shards -> torch-geometric ``Data``, one per block with all its decisions.

A :class:`BlockData` holds the block's static graph (``x`` (N, 8) int64,
``edge_index`` (2, E), ``edge_type`` (E,)) and its T decisions:

* ``focus`` (T,): focus node of each decision;
* ``cand_lanes`` (C, 8) node ids (padding 0, see ``cand_mask``) of every legal
  candidate of every decision, ``cand_decision`` (C,) which decision it
  belongs to, ``cand_feat`` (C, F) its state features (:mod:`models.features`);
* ``focus_feat`` (T, F'), ``num_cands`` (T,), and the label ``y`` (T,): the
  index of the chosen candidate among its decision's candidates, or
  ``num_cands`` for "no pack".

The graph is embedded once per block; the state enters through the features,
so one propagation serves all T decisions. Batching offsets node ids and
decision ids. A dataset of another feature spec is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import Data

from dataset.folds import Fold, shard_split
from dataset.samples import BlockSample, load_shard
from ilp_oracle import TIMEOUT_NO_SOLUTION
from slpvec.errors import SlpvecError
from slpvec.graph import BlockGraph, feature_spec_hash

from .architecture import MAX_LANES
from .features import OperandTables, RolloutState, Step, make_step

class BlockData(Data):
    """A block graph with its decisions; batches offset node and decision ids."""

    def __inc__(self, key, value, *args, **kwargs):
        if key in ("cand_lanes", "focus"):
            return self.num_nodes
        if key == "cand_decision":
            return self.focus.shape[0]
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key, value, *args, **kwargs):
        if key == "cand_lanes":
            return 0
        return super().__cat_dim__(key, value, *args, **kwargs)


def replay(sample: BlockSample) -> list[Step]:
    """The oracle trajectory of ``sample`` as steps, state replayed."""
    graph = sample.graph
    tables = OperandTables(graph)
    state = RolloutState()
    steps = []
    for focus, action, legal in zip(sample.focus.tolist(), sample.action.tolist(),
                                    sample.legal):
        legal = legal.tolist()
        lanes = tuple(graph.packs[q].lanes for q in legal)
        label = legal.index(action) if action >= 0 else len(legal)
        steps.append(make_step(tables, state, focus, lanes, label))
        state.apply(focus, graph.packs[action].lanes if action >= 0 else None)
    return steps


def block_data(graph: BlockGraph, steps: list[Step]) -> BlockData:
    """Tensors of one block and its labelled steps."""
    lanes = [l for s in steps for l in s.legal]
    cand = torch.zeros((len(lanes), MAX_LANES), dtype=torch.long)
    mask = torch.zeros((len(lanes), MAX_LANES), dtype=torch.bool)
    for row, l in enumerate(lanes):
        cand[row, :len(l)] = torch.tensor(l)
        mask[row, :len(l)] = True
    cand_feat = [s.cand_feat for s in steps if len(s.legal)]
    return BlockData(
        x=torch.as_tensor(graph.x, dtype=torch.long),
        edge_index=torch.as_tensor(graph.edge_index, dtype=torch.long),
        edge_type=torch.as_tensor(graph.edge_type, dtype=torch.long),
        focus=torch.tensor([s.focus for s in steps], dtype=torch.long),
        cand_lanes=cand, cand_mask=mask,
        cand_decision=torch.tensor([t for t, s in enumerate(steps) for _ in s.legal],
                                   dtype=torch.long),
        cand_feat=torch.as_tensor(np.concatenate(cand_feat) if cand_feat else
                                  np.zeros((0, steps[0].cand_feat.shape[1]), np.float32)),
        focus_feat=torch.as_tensor(np.stack([s.focus_feat for s in steps])),
        num_cands=torch.tensor([len(s.legal) for s in steps], dtype=torch.long),
        y=torch.tensor([s.label for s in steps], dtype=torch.long))


def check_spec(root: Path) -> dict:
    """The dataset manifest; refuses a dataset of another feature spec."""
    manifest = json.loads((root / "manifest.json").read_text())
    if manifest["feature_spec"] != feature_spec_hash():
        raise SlpvecError(f"{root}: dataset feature spec {manifest['feature_spec']} differs "
                          f"from this slpvec's {feature_spec_hash()}; rebuild the dataset")
    return manifest


def load_samples(root: str | Path, split: str | None = None, fold: Fold | None = None
                 ) -> list[BlockSample]:
    """Every block sample of a built dataset (optionally one split, under a
    cross-validation ``fold``)."""
    root = Path(root)
    manifest = check_spec(root)
    out = []
    for shard in manifest["shards"]:
        if split is None or shard_split(shard, fold) == split:
            out.extend(load_shard(root / "shards" / shard["shard"]))
    return out


def has_labels(sample: BlockSample) -> bool:
    """True if ``sample`` teaches something: it has decisions and the oracle
    found a plan (a solve that timed out with no solution leaves the block
    scalar, and "no pack" everywhere would be a wrong label)."""
    return bool(len(sample.focus)) and sample.status != TIMEOUT_NO_SOLUTION


def load_blocks(root: str | Path, split: str | None = None, fold: Fold | None = None
                ) -> list[BlockData]:
    """One :class:`BlockData` per block sample that :func:`has_labels`."""
    return [block_data(s.graph, replay(s)) for s in load_samples(root, split, fold)
            if has_labels(s)]
