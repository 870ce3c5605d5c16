"""Training settings are declared once (the dataclasses): the command line,
the --config file (JSON or TOML), checkpoints and cross-validation all follow
them, and a key or option they do not declare is an error."""

import json
import subprocess
from dataclasses import asdict, fields

import pytest

from dataset.folds import Fold
from models import crossval
from models.architecture import ModelConfig
from models.settings import (SECTIONS, TrainConfig, config_record, option_flag, read_config,
                             settings_from_args, write_config)
from models.train_cli import build_parser, main, parse_args

PATHS = ["--data", "ds", "--out", "run"]
MODEL = ModelConfig(hidden=16, steps=2, head=32)
TRAIN = TrainConfig(epochs=3, lr=0.01, oracle_time_limit_s=0.5, fold="1/4", device="cpu")


def test_every_field_is_an_option_with_its_default():
    model, train = settings_from_args(parse_args(PATHS))
    assert (model, train) == (ModelConfig(), TrainConfig())
    helps = build_parser().format_help()
    for cls in SECTIONS.values():
        for f in fields(cls):
            assert option_flag(f) in helps and f.metadata["help"].split()[0] in helps


def test_options_take_the_fields_types_and_names():
    args = parse_args(PATHS + ["--hidden", "16", "--lr", "0.5", "--oracle-time-limit", "3",
                               "--oracle-solves", "7", "--fold", "2/5"])
    model, train = settings_from_args(args)
    assert model.hidden == 16 and train.lr == 0.5 and train.oracle_time_limit_s == 3.0
    assert train.oracle_solves_per_block == 7 and train.fold == "2/5"
    with pytest.raises(SystemExit):
        parse_args(PATHS + ["--epochs", "many"])


def test_a_json_config_round_trips(tmp_path):
    path = tmp_path / "settings.json"
    write_config(path, MODEL, TRAIN)
    assert settings_from_args(parse_args(PATHS + ["--config", str(path)])) == (MODEL, TRAIN)


def test_a_toml_config_and_the_command_line_winning(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[model]\nhidden = 16\n\n[train]\nepochs = 3\nlr = 1\nfold = '1/4'\n")
    model, train = settings_from_args(parse_args(PATHS + ["--config", str(path),
                                                          "--epochs", "9"]))
    assert model == ModelConfig(hidden=16) and train.lr == 1.0 and train.fold == "1/4"
    assert train.epochs == 9  # the command line wins over the file


@pytest.mark.parametrize("text, message", [
    ('{"train": {"epoch": 3}}', "unknown key 'epoch' in section 'train' (keys: epochs, "),
    ('{"trian": {"epochs": 3}}', "unknown section 'trian' (sections: model, train)"),
    ('{"train": {"epochs": "3"}}', "train.epochs must be int, got '3'"),
    ('{"train": {"epochs": true}}', "train.epochs must be int, got True"),
    ('{"train": {"epochs": 3', "not a valid JSON config"),
])
def test_a_bad_config_is_a_one_line_error(tmp_path, capsys, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert main(PATHS + ["--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"slpvec-train: error: {path}: ") and message in err
    assert err.count("\n") == 1


def test_a_checkpoint_records_its_settings_as_a_config(tmp_path):
    """What train() writes to config.json (the settings record plus its
    provenance keys) is itself a config for the next run."""
    from models.checkpoint import save_checkpoint
    from models.ggnn import GGNNPolicy

    save_checkpoint(tmp_path, GGNNPolicy(MODEL), {**config_record(MODEL, TRAIN),
                                                   "dataset_manifest": "0" * 16,
                                                   "selected_phase": "bc"})
    recorded = json.loads((tmp_path / "config.json").read_text())
    assert recorded["model"] == asdict(MODEL) and recorded["train"] == asdict(TRAIN)
    assert read_config(tmp_path / "config.json") == {**asdict(MODEL), **asdict(TRAIN)}


def test_crossval_checks_training_options_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("trained"))
    with pytest.raises(SystemExit) as stopped:
        crossval.run("no-dataset", str(tmp_path), folds=2, train_args=["--epoch", "3"],
                     progress=False)
    assert stopped.value.code == 2 and "unrecognized arguments: --epoch 3" in \
        capsys.readouterr().err


def test_crossval_hands_each_fold_its_settings(tmp_path, monkeypatch):
    config = tmp_path / "base.json"
    write_config(config, MODEL, TRAIN)
    model, train = crossval.training_settings(["--config", str(config), "--epochs", "5"])
    assert model == MODEL and train.epochs == 5 and train.lr == TRAIN.lr
    commands = []
    monkeypatch.setattr(subprocess, "run",
                        lambda command, **_: commands.append(command) or
                        subprocess.CompletedProcess(command, 0))
    run = crossval.train_fold("ds", tmp_path, Fold(0, 3), model, train)
    assert "--config" in commands[0]
    given = settings_from_args(parse_args(["--data", "ds", "--out", str(run),
                                           *commands[0][commands[0].index("--config"):]]))
    assert given == (MODEL, TrainConfig(**{**asdict(train), "fold": "0/3", "threads": 1}))
