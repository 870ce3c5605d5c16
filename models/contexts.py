"""Block contexts for a dataset's samples, rebuilt from the manifest's sources.

Shards hold graphs and trajectories; rolling a policy out (DAgger, the
validation cost ratio) also needs each block's analyses and costs. They are
rebuilt the way the dataset builder made them (same cpu and cost kind), and
paired with their samples by block id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from dataset.folds import Fold, shard_split
from dataset.samples import BlockSample, load_shard
from slpvec.context import BlockContext, make_context

from .data import check_spec, has_labels


@dataclass(frozen=True)
class Rollout:
    """A sample with the context it came from."""

    sample: BlockSample
    ctx: BlockContext


def load_rollouts(root: str | Path, split: str, progress: bool = True,
                  fold: Fold | None = None) -> list[Rollout]:
    """(sample, context) for every block of ``split``; blocks whose source or
    candidates no longer match the shard are skipped."""
    from slpvec.driver import prepare
    from slpvec.inputs import load_module
    from slpvec.target import target_for

    root = Path(root)
    manifest = check_spec(root)
    shards = [s for s in manifest["shards"] if shard_split(s, fold) == split]
    out = []
    for shard in tqdm(shards, desc=f"contexts[{split}]", unit="source", disable=not progress):
        samples = {s.block_id: s for s in load_shard(root / "shards" / shard["shard"])}
        if not samples or not Path(shard["source"]).exists():
            continue
        raw = load_module(Path(shard["source"]), manifest["cpu"])
        module, target, costs, table = prepare(raw, target_for(raw, manifest["cpu"]),
                                               manifest["cost_kind"], shard["source"])
        for fn in module.functions:
            for block in fn.blocks:
                sample = samples.get(block.id)
                if sample is None or not has_labels(sample):
                    continue
                ctx = make_context(block, fn, target, costs[(fn.name, block.label)], table)
                if ctx.candidates.packs == sample.graph.packs:
                    out.append(Rollout(sample, ctx))
    return out
