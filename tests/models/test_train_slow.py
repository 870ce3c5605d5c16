"""Training end to end on a small dataset: loss falls, DAgger runs, the
checkpoint records its provenance and loads as a policy."""

import json
from dataclasses import asdict

import pytest

from dataset.build import build
from models.checkpoint import load_checkpoint, manifest_hash
from models.ggnn import ModelConfig
from models.policy import GnnPolicy
from models.settings import read_config
from models.train import TrainConfig, train

from ..conftest import KERNELS


@pytest.mark.slow
def test_tiny_training_lowers_the_loss(tmp_path):
    data = tmp_path / "ds"
    build(sorted(KERNELS.glob("*.c")), data, workers=2, progress=False, synthetic=150)
    out = tmp_path / "run"
    model_config = ModelConfig(hidden=16, steps=2, head=32)
    train_config = TrainConfig(epochs=6, dagger_rounds=1, dagger_epochs=2, patience=6, threads=1)
    metrics = train(str(data), str(out), model_config, train_config, progress=False)
    bc = [h for h in metrics["history"] if h["phase"] == "bc"]
    assert len(bc) == 6 and bc[-1]["train_loss"] < 0.8 * bc[0]["train_loss"]
    dagger = next(h for h in metrics["history"] if h["phase"] == "dagger1"
                  and "rollout_steps" in h)
    assert dagger["rollout_steps"] > 0
    assert [p["phase"] for p in metrics["phases"]] == ["bc", "dagger1"]
    config = json.loads((out / "config.json").read_text())
    assert config["dataset_manifest"] == manifest_hash(data)
    # the run's settings, readable as the --config of the next run
    assert read_config(out / "config.json") == {**asdict(model_config), **asdict(train_config)}
    load_checkpoint(out)
    GnnPolicy(model=str(out))
