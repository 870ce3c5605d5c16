"""Model checkpoints: a directory with ``weights.pt`` (torch, for training),
``weights.npz`` (the same tensors as numpy arrays, what inference reads),
``config.json`` and ``metrics.json``.

``config.json`` holds the hyper-parameters, the feature-spec hash the model
was trained under, and the training dataset's manifest hash. Loading refuses
a checkpoint of another feature spec and turns a missing or corrupt file into
one :class:`ModelFileError` line. Importing this module does not import torch
(inference runs on numpy); the functions that need torch import it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

from dataset.build import manifest_hash  # noqa: F401 (re-exported)
from slpvec.errors import SlpvecError
from slpvec.files import write_text_atomic
from slpvec.graph import feature_spec_hash

from .architecture import ModelConfig
from .features import CANDIDATE_FEATURES, FOCUS_FEATURES
from .numpy_ggnn import NumpyGGNN

WEIGHTS, ARRAYS, CONFIG, METRICS = "weights.pt", "weights.npz", "config.json", "metrics.json"


class ModelFileError(SlpvecError):
    """A model directory that cannot be used (missing, corrupt, other spec)."""


def pretrained_dir() -> Path:
    """The model shipped inside the package (``models/pretrained``)."""
    return Path(str(resources.files("models") / "pretrained"))


def save_checkpoint(out: str | Path, model, extra: dict, metrics: dict | None = None) -> Path:
    """Write weights (.pt and .npz) + config (+ metrics) of a torch
    :class:`models.ggnn.GGNNPolicy` to ``out``, each file atomically."""
    import torch
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    tmp = out / f".{WEIGHTS}.tmp"
    torch.save(state, tmp)
    tmp.replace(out / WEIGHTS)
    write_arrays(out, state)
    config = {"model": model.config.to_dict(), "feature_spec": feature_spec_hash(),
              "head_features": list(CANDIDATE_FEATURES + FOCUS_FEATURES), **extra}
    write_text_atomic(out / CONFIG, json.dumps(config, indent=1, sort_keys=True) + "\n")
    if metrics is not None:
        write_text_atomic(out / METRICS, json.dumps(metrics, indent=1) + "\n")
    for name in (WEIGHTS, ARRAYS, CONFIG, METRICS):  # readable like any package data
        if (out / name).exists():
            (out / name).chmod(0o644)
    return out


def write_arrays(out: Path, state: dict) -> None:
    """``weights.npz`` from a torch ``state_dict`` (what inference reads);
    ``write_arrays(d, _torch_state(d / WEIGHTS))`` adds it to an older
    checkpoint."""
    tmp = out / f".{ARRAYS}.tmp"
    with open(tmp, "wb") as f:
        np.savez(f, **{k: v.detach().cpu().numpy() for k, v in state.items()})
    tmp.replace(out / ARRAYS)


def read_config(directory: str | Path | None, weights: tuple[str, ...] = (ARRAYS, WEIGHTS)
                ) -> tuple[Path, ModelConfig, dict]:
    """(directory, hyper-parameters, config dict) of a checkpoint that has a
    config and one of ``weights``, checked against this slpvec's features."""
    directory = Path(directory) if directory else pretrained_dir()
    config_path = directory / CONFIG
    if not config_path.is_file() or not any((directory / w).is_file() for w in weights):
        raise ModelFileError(f"{directory}: not a slpvec model directory "
                             f"(needs {' or '.join(weights)} and {CONFIG})")
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
    return directory, model_config, config


def _weights_error(path: Path, err: Exception) -> ModelFileError:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return ModelFileError(f"{path}: corrupt or incompatible weights ({first})")


def _torch_state(path: Path) -> dict:
    import torch
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - pickle/zip errors of many kinds
        raise _weights_error(path, err) from None


def load_numpy_model(directory: str | Path | None = None) -> tuple[NumpyGGNN, dict]:
    """(numpy model, config dict) from ``directory`` (default: shipped),
    reading ``weights.npz`` (or, for a checkpoint without one, ``weights.pt``
    through torch)."""
    directory, model_config, config = read_config(directory)
    path = directory / ARRAYS
    try:
        if path.is_file():
            with np.load(path, allow_pickle=False) as arrays:
                weights = {k: arrays[k] for k in arrays.files}
        else:
            path = directory / WEIGHTS
            weights = {k: v.numpy() for k, v in _torch_state(path).items()}
        return NumpyGGNN(weights, model_config), config
    except ModelFileError:
        raise
    except Exception as err:  # noqa: BLE001 - zip/npy/shape errors of many kinds
        raise _weights_error(path, err) from None


def load_checkpoint(directory: str | Path | None = None):
    """(torch :class:`models.ggnn.GGNNPolicy` in eval mode, config dict) from
    ``directory`` (default: shipped); for training and tests."""
    from .ggnn import GGNNPolicy
    directory, model_config, config = read_config(directory, (WEIGHTS,))
    model = GGNNPolicy(model_config)
    try:
        model.load_state_dict(_torch_state(directory / WEIGHTS))
    except RuntimeError as err:  # missing keys, shape mismatch
        raise _weights_error(directory / WEIGHTS, err) from None
    model.eval()
    return model, config
