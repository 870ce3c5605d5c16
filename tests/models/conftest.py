"""A tiny dataset and an untrained model, shared by the model tests."""

import pytest
import torch

from dataset.build import build
from models.checkpoint import save_checkpoint
from models.ggnn import GGNNPolicy, ModelConfig

from ..conftest import KERNELS


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds")
    build([KERNELS / "mat2.c", KERNELS / "reversed.c"], out, workers=1, progress=False)
    return out


@pytest.fixture(scope="session")
def random_model_dir(tmp_path_factory):
    """A seeded, untrained checkpoint: its decisions are arbitrary but legal."""
    torch.manual_seed(0)
    model = GGNNPolicy(ModelConfig(hidden=16, steps=2, head=16))
    return save_checkpoint(tmp_path_factory.mktemp("model"), model, {"note": "untrained"})
