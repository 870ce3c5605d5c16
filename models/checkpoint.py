"""Model checkpoints: a directory with ``weights.pt``, ``config.json`` and
``metrics.json``.

``config.json`` holds the hyper-parameters, the feature-spec hash the model
was trained under, and the training dataset's manifest hash. Loading refuses
a checkpoint of another feature spec and turns a missing or corrupt file into
one :class:`ModelFileError` line.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import torch

from dataset.build import manifest_hash  # noqa: F401 (re-exported)
from slpvec.errors import SlpvecError
from slpvec.files import write_text_atomic
from slpvec.graph import feature_spec_hash

from .features import CANDIDATE_FEATURES, FOCUS_FEATURES
from .ggnn import GGNNPolicy, ModelConfig

WEIGHTS, CONFIG, METRICS = "weights.pt", "config.json", "metrics.json"


class ModelFileError(SlpvecError):
    """A model directory that cannot be used (missing, corrupt, other spec)."""


def pretrained_dir() -> Path:
    """The model shipped inside the package (``models/pretrained``)."""
    return Path(str(resources.files("models") / "pretrained"))


def save_checkpoint(out: str | Path, model: GGNNPolicy, extra: dict,
                    metrics: dict | None = None) -> Path:
    """Write weights + config (+ metrics) to ``out`` (each file atomically)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{WEIGHTS}.tmp"
    torch.save(model.state_dict(), tmp)
    tmp.chmod(0o644)
    tmp.replace(out / WEIGHTS)
    config = {"model": model.config.to_dict(), "feature_spec": feature_spec_hash(),
              "head_features": list(CANDIDATE_FEATURES + FOCUS_FEATURES), **extra}
    write_text_atomic(out / CONFIG, json.dumps(config, indent=1, sort_keys=True) + "\n")
    if metrics is not None:
        write_text_atomic(out / METRICS, json.dumps(metrics, indent=1) + "\n")
    for name in (CONFIG, METRICS):  # readable like any package data
        if (out / name).exists():
            (out / name).chmod(0o644)
    return out


def load_checkpoint(directory: str | Path | None = None) -> tuple[GGNNPolicy, dict]:
    """(model in eval mode, config dict) from ``directory`` (default: shipped)."""
    directory = Path(directory) if directory else pretrained_dir()
    config_path = directory / CONFIG
    if not config_path.is_file() or not (directory / WEIGHTS).is_file():
        raise ModelFileError(f"{directory}: not a slpvec model directory "
                             f"(needs {WEIGHTS} and {CONFIG})")
    try:
        config = json.loads(config_path.read_text())
        spec = config["feature_spec"]
        model_config = ModelConfig(**config["model"])
    except (ValueError, KeyError, TypeError) as err:
        raise ModelFileError(f"{config_path}: corrupt model config ({err})") from None
    head = config.get("head_features")
    if head is not None and head != list(CANDIDATE_FEATURES + FOCUS_FEATURES):
        raise ModelFileError(f"{directory}: model was trained with other decision features "
                             f"({len(head)} vs {len(CANDIDATE_FEATURES + FOCUS_FEATURES)}); "
                             f"retrain it")
    if spec != feature_spec_hash():
        raise ModelFileError(f"{directory}: model was trained under feature spec {spec}, "
                             f"this slpvec uses {feature_spec_hash()}; retrain it")
    model = GGNNPolicy(model_config)
    try:
        state = torch.load(directory / WEIGHTS, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    except Exception as err:  # noqa: BLE001 - pickle/zip/shape errors of many kinds
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFileError(f"{directory / WEIGHTS}: corrupt or incompatible weights "
                             f"({first})") from None
    model.eval()
    return model, config
