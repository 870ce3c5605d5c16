"""Imitation learning of the oracle's packings: behaviour cloning, then DAgger.

``train(dataset, out)``:

1. **BC**: epochs over the oracle trajectories of the train split (one
   propagation per block, all its decisions scored at once; cross-entropy
   over each decision's legal actions), validation after each epoch, early
   stopping on validation loss (best weights kept).
2. **DAgger** rounds: roll the current policy out on the train blocks, label
   every visited state with the oracle (:mod:`models.dagger`), add those
   states to the training data (aggregation) and train again.

After each phase the policy is rolled out on the validation blocks: on-policy
action accuracy (oracle-relabelled) and the cost ratio (estimated cost saved
by the policy / saved by the oracle). The phase with the best validation cost
ratio is written to ``out`` (weights.pt, config.json, metrics.json).
"""

from __future__ import annotations

import copy
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.loader import DataLoader
from tqdm import tqdm

from dataset.folds import Fold
from slpvec.errors import SlpvecError
from slpvec.estimate import plan_cost

from .checkpoint import manifest_hash, save_checkpoint
from .contexts import Rollout, load_rollouts
from .dagger import dagger_round
from .data import BlockData, load_blocks
from .ggnn import GGNNPolicy, ModelConfig
from .policy import GnnPolicy
from .settings import TrainConfig, config_record


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def run_epoch(model: GGNNPolicy, blocks: list[BlockData], config: TrainConfig,
              optimizer=None, progress: bool = False) -> dict:
    """One pass; trains if ``optimizer`` is given. Returns loss and accuracy
    per decision (mean over decisions)."""
    loader = DataLoader(blocks, batch_size=config.batch_size, shuffle=optimizer is not None)
    model.train(optimizer is not None)
    total = correct = count = 0.0
    with torch.set_grad_enabled(optimizer is not None):
        for batch in tqdm(loader, desc="train" if optimizer else "val", unit="batch",
                          leave=False, disable=not progress):
            batch = batch.to(config.device)
            logits = model(batch)
            loss = F.cross_entropy(logits, batch.y)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
            total += float(loss.detach()) * len(batch.y)
            correct += float((logits.argmax(1) == batch.y).sum())
            count += len(batch.y)
    return {"loss": total / max(count, 1), "accuracy": correct / max(count, 1)}


def cost_ratio(model: GGNNPolicy, rollouts: list[Rollout]) -> float:
    """Estimated cost saved by the policy's plans / saved by the oracle's."""
    policy = GnnPolicy(network=model.cpu())
    saved = oracle = 0.0
    for start in range(0, len(rollouts), 64):
        chunk = rollouts[start:start + 64]
        for r, outcome in zip(chunk, policy.plan_blocks([r.ctx for r in chunk], None)):
            plan = outcome.unwrap()
            after = plan_cost(r.ctx, plan.packs) if plan.packs else r.ctx.scalar_total
            saved += r.ctx.scalar_total - after
            oracle += r.sample.scalar_cost - min(r.sample.objective, r.sample.scalar_cost)
    return saved / oracle if oracle else 1.0


def fit(model: GGNNPolicy, train: list[BlockData], val: list[BlockData], epochs: int,
        config: TrainConfig, phase: str, history: list, progress: bool) -> None:
    """Train with early stopping on validation loss; ``model`` ends at its best."""
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    best, best_state, stale = float("inf"), copy.deepcopy(model.state_dict()), 0
    bar = tqdm(range(epochs), desc=phase, unit="epoch", disable=not progress)
    for epoch in bar:
        t0 = time.perf_counter()
        trained = run_epoch(model, train, config, optimizer, progress)
        checked = run_epoch(model, val, config)
        history.append({"phase": phase, "epoch": epoch, "train_loss": trained["loss"],
                        "train_accuracy": trained["accuracy"], "val_loss": checked["loss"],
                        "val_accuracy": checked["accuracy"],
                        "seconds": time.perf_counter() - t0})
        bar.set_postfix(loss=f"{trained['loss']:.3f}", val_loss=f"{checked['loss']:.3f}",
                        val_acc=f"{checked['accuracy']:.3f}")
        if checked["loss"] < best - 1e-4:
            best, best_state, stale = checked["loss"], copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= config.patience:
                break
    model.load_state_dict(best_state)


def _limit(items: list, n: int) -> list:
    return items[:n] if n else items


def train(dataset: str, out: str, model_config: ModelConfig = ModelConfig(),
          config: TrainConfig = TrainConfig(), progress: bool = True) -> dict:
    """BC then DAgger on ``dataset``; writes the best phase's checkpoint to
    ``out`` and returns the metrics written to ``metrics.json``."""
    start = time.perf_counter()
    seed_everything(config.seed)
    torch.set_num_threads(config.threads)
    fold = Fold.parse(config.fold) if config.fold else None
    train_blocks = _limit(load_blocks(dataset, "train", fold), config.max_blocks)
    val_blocks = _limit(load_blocks(dataset, "val", fold), config.max_blocks)
    if not train_blocks or not val_blocks:
        raise SlpvecError(f"{dataset}: training needs blocks in both the train and the val "
                          f"split (has {len(train_blocks)} and {len(val_blocks)})")
    val_rollouts = _limit(load_rollouts(dataset, "val", progress, fold), config.max_blocks)
    model = GGNNPolicy(model_config).to(config.device)
    history: list[dict] = []
    phases: list[dict] = []

    def finish_phase(name: str) -> None:
        model.cpu()
        check = dagger_round(model, val_rollouts, config.oracle_time_limit_s, progress,
                             desc=f"{name}: val rollouts",
                             max_solves=config.oracle_solves_per_block)
        phases.append({"phase": name, "val_accuracy": history[-1]["val_accuracy"],
                       "val_on_policy_accuracy": check.on_policy_accuracy,
                       "val_cost_ratio": cost_ratio(model, val_rollouts),
                       "state": copy.deepcopy(model.state_dict())})
        model.to(config.device)

    fit(model, train_blocks, val_blocks, config.epochs, config, "bc", history, progress)
    finish_phase("bc")
    aggregated: list[BlockData] = []
    train_rollouts = (_limit(load_rollouts(dataset, "train", progress, fold), config.max_blocks)
                      if config.dagger_rounds else [])
    for r in range(config.dagger_rounds):
        model.cpu()
        round_ = dagger_round(model, train_rollouts, config.oracle_time_limit_s, progress,
                              desc=f"dagger {r + 1}: train rollouts",
                              max_solves=config.oracle_solves_per_block)
        aggregated += round_.data
        history.append({"phase": f"dagger{r + 1}", "rollout_steps": round_.steps,
                        "train_on_policy_accuracy": round_.on_policy_accuracy,
                        "oracle_solves": round_.solves})
        model.to(config.device)
        fit(model, train_blocks + aggregated, val_blocks, config.dagger_epochs, config,
            f"dagger{r + 1}", history, progress)
        finish_phase(f"dagger{r + 1}")
    best = max(phases, key=lambda p: (p["val_cost_ratio"], p["phase"] != "bc"))
    model.load_state_dict(best["state"])
    metrics = {"history": history,
               "phases": [{k: v for k, v in p.items() if k != "state"} for p in phases],
               "selected_phase": best["phase"], "train_blocks": len(train_blocks),
               "val_blocks": len(val_blocks), "seconds": time.perf_counter() - start}
    save_checkpoint(out, model.cpu(), {**config_record(model_config, config),
                                       "dataset_manifest": manifest_hash(dataset),
                                       "selected_phase": best["phase"]}, metrics)
    return metrics
