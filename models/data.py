"""Dataset shards -> torch-geometric ``Data``, one per oracle decision.

Each :class:`DecisionData` is the block graph in the state before the
decision: node features plus two state columns (in a pack chosen so far;
decided so far), the focus node, the legal candidate packs as node-index
rows (``cand_index``: (A, 8), padded, with ``cand_mask``), and the label
``y``: the index of the oracle's pack among the A candidates, or A for
"no pack". Batching offsets node indices and numbers candidates per graph
(``cand_sample``), so a model can score all candidates of a batch at once.
A dataset whose feature-spec hash differs from this slpvec's is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch_geometric.data import Data

from dataset.samples import BlockSample, load_shard
from slpvec.errors import SlpvecError
from slpvec.graph import feature_spec_hash

MAX_LANES = 8


class DecisionData(Data):
    """A graph-level sample whose candidate rows are node indices."""

    def __inc__(self, key, value, *args, **kwargs):
        if key in ("cand_index", "focus_index"):
            return self.num_nodes
        if key == "cand_sample":
            return 1
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key, value, *args, **kwargs):
        if key in ("cand_index", "focus_index"):  # rows, unlike edge_index's columns
            return 0
        return super().__cat_dim__(key, value, *args, **kwargs)


def decisions(sample: BlockSample) -> list[DecisionData]:
    """The sample's decisions, each with its replayed state."""
    base = torch.as_tensor(sample.graph.x, dtype=torch.long)
    edge_index = torch.as_tensor(sample.graph.edge_index, dtype=torch.long)
    edge_type = torch.as_tensor(sample.graph.edge_type, dtype=torch.long)
    packs = sample.graph.packs
    chosen = torch.zeros(base.shape[0], dtype=torch.long)
    decided = torch.zeros(base.shape[0], dtype=torch.long)
    out = []
    for focus, action, legal in zip(sample.focus.tolist(), sample.action.tolist(), sample.legal):
        legal = legal.tolist()
        cand = torch.full((len(legal), MAX_LANES), -1, dtype=torch.long)
        for row, q in enumerate(legal):
            cand[row, :packs[q].width] = torch.tensor(packs[q].lanes)
        label = legal.index(action) if action >= 0 else len(legal)
        out.append(DecisionData(
            x=torch.cat([base, chosen[:, None], decided[:, None]], dim=1),
            edge_index=edge_index, edge_type=edge_type,
            focus_index=torch.tensor([focus]), cand_index=cand.clamp(min=0),
            cand_mask=cand >= 0, cand_sample=torch.zeros(len(legal), dtype=torch.long),
            y=torch.tensor([label]), num_cands=torch.tensor([len(legal)])))
        if action >= 0:
            lanes = list(packs[action].lanes)
            chosen[lanes] = 1
            decided[lanes] = 1
        else:
            decided[focus] = 1
    return out


def load_decisions(root: str | Path, split: str | None = None) -> list[DecisionData]:
    """Every decision of a built dataset (optionally one split: train/val/test)."""
    root = Path(root)
    manifest = json.loads((root / "manifest.json").read_text())
    if manifest["feature_spec"] != feature_spec_hash():
        raise SlpvecError(f"{root}: dataset feature spec {manifest['feature_spec']} differs "
                          f"from this slpvec's {feature_spec_hash()}; rebuild the dataset")
    out = []
    for shard in manifest["shards"]:
        if split is None or shard["split"] == split:
            for sample in load_shard(root / "shards" / shard["shard"]):
                out.extend(decisions(sample))
    return out
