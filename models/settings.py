"""Training settings, declared once.

A training run is set by two frozen dataclasses: :class:`TrainConfig`
(optimisation) and :class:`models.architecture.ModelConfig` (the network's
shape). Their fields are the only declaration of each setting's name, type,
default and help; from them

- :func:`add_settings` adds one command-line option per field:
  ``--name-with-dashes`` (or the field's ``flag`` metadata), of the field's
  type, with its default and its ``help`` metadata;
- :func:`read_config` reads a ``--config FILE`` (JSON, or TOML for ``.toml``)
  with a ``model`` and a ``train`` section, every key and value checked
  against the same fields. A checkpoint's ``config.json`` records the
  settings it was trained with in the same two sections (:func:`config_record`),
  so it is such a file too;
- :func:`settings_from_args` builds the dataclasses from parsed options.

Importing this module does not import torch.
"""

from __future__ import annotations

import argparse
import json
import tomllib
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from slpvec.errors import SlpvecError
from slpvec.files import write_text_atomic

from .architecture import ModelConfig


def setting(default, help: str, flag: str | None = None):
    """A settings field: its default, its ``--help`` text, and optionally
    its command-line name (default: the field name with dashes)."""
    return field(default=default, metadata={"help": help, "flag": flag})


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (recorded in the checkpoint's ``config.json``)."""

    epochs: int = setting(25, "BC epochs at most")
    dagger_rounds: int = setting(2, "DAgger rounds after BC")
    dagger_epochs: int = setting(8, "epochs at most after each DAgger round")
    patience: int = setting(4, "epochs without a lower validation loss before stopping")
    batch_size: int = setting(32, "blocks per training batch")
    lr: float = setting(1e-3, "Adam learning rate")
    seed: int = setting(0, "seed of python's, numpy's and torch's generators")
    device: str = setting("cpu", "cpu, or cuda when a GPU is present")
    threads: int = setting(2, "torch CPU threads")
    oracle_time_limit_s: float = setting(2.0, "seconds per DAgger relabelling solve",
                                         flag="oracle-time-limit")
    oracle_solves_per_block: int = setting(
        4, "DAgger relabelling solves per block at most; the rest of a rollout is then "
        "not labelled", flag="oracle-solves")
    max_blocks: int = setting(0, "use only this many blocks per split (0: all; smoke tests)")
    fold: str = setting("", "K/N: hold out cross-validation fold K of N (see dataset.folds; whole "
                        "repositories for a dataset built with --split-by repo); default: the "
                        "dataset's own train/val/test split")


# config file / checkpoint section -> the settings dataclass it holds
SECTIONS: dict[str, type] = {"model": ModelConfig, "train": TrainConfig}
# what a checkpoint's config.json holds besides the settings (models.checkpoint
# and models.train write them); a --config file may carry them, they set nothing
CHECKPOINT_KEYS = ("feature_spec", "head_features", "dataset_manifest", "selected_phase")


def _types(cls: type) -> dict[str, type]:
    return typing.get_type_hints(cls)


def option_flag(f) -> str:
    """The command-line option of settings field ``f``."""
    return "--" + (f.metadata.get("flag") or f.name.replace("_", "-"))


def add_settings(parser: argparse.ArgumentParser) -> None:
    """One option per field of every settings dataclass, in a group per section."""
    for section, cls in SECTIONS.items():
        group = parser.add_argument_group(f"{section} settings ([{section}] in --config)")
        types = _types(cls)
        for f in fields(cls):
            help_text = f.metadata.get("help", "")
            group.add_argument(option_flag(f), dest=f.name, type=types[f.name],
                               default=f.default,
                               help=f"{help_text} (default: {f.default!r})".lstrip())


def settings_from_args(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig]:
    """The settings dataclasses of parsed options."""
    model, train = (cls(**{f.name: getattr(args, f.name) for f in fields(cls)})
                    for cls in SECTIONS.values())
    return model, train


def config_record(model: ModelConfig, train: TrainConfig) -> dict:
    """The settings as a config file (and a checkpoint's config.json) holds them."""
    return {"model": asdict(model), "train": asdict(train)}


def write_config(path: str | Path, model: ModelConfig, train: TrainConfig) -> None:
    """``path`` as a JSON config file of these settings, written atomically."""
    write_text_atomic(path, json.dumps(config_record(model, train), indent=1) + "\n")


def read_config(path: str | Path) -> dict[str, object]:
    """Field name -> value of a JSON or TOML config file, every key and value
    checked against the settings dataclasses (one-line SlpvecError naming the
    file and the key otherwise)."""
    path = Path(path)
    try:
        text = path.read_text()
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except OSError as err:
        raise SlpvecError(f"cannot read config {path}: {err.strerror or err}") from None
    except (ValueError, tomllib.TOMLDecodeError) as err:
        kind = "TOML" if path.suffix == ".toml" else "JSON"
        raise SlpvecError(f"{path}: not a valid {kind} config ({err})") from None
    if not isinstance(data, dict):
        raise SlpvecError(f"{path}: a config holds sections {', '.join(SECTIONS)}")
    values: dict[str, object] = {}
    for section, entries in data.items():
        if section in CHECKPOINT_KEYS:
            continue
        if section not in SECTIONS:
            raise SlpvecError(f"{path}: unknown section '{section}' "
                              f"(sections: {', '.join(SECTIONS)})")
        if not isinstance(entries, dict):
            raise SlpvecError(f"{path}: section '{section}' must hold key = value pairs")
        cls = SECTIONS[section]
        types = _types(cls)
        for key, value in entries.items():
            if key not in types:
                raise SlpvecError(f"{path}: unknown key '{key}' in section '{section}' "
                                  f"(keys: {', '.join(types)})")
            values[key] = _checked(path, f"{section}.{key}", types[key], value)
    return values


def _checked(path: Path, name: str, kind: type, value):
    """``value`` as ``kind`` (an int is a float too; a bool is no number)."""
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise SlpvecError(f"{path}: {name} must be {kind.__name__}, got {value!r}")
