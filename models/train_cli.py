"""``slpvec-train --data DS --out RUN_DIR [--config FILE]``: BC + DAgger training of the GNN policy.

Every setting is an option (see ``--help``); ``--config FILE`` (JSON, or TOML
for ``.toml``) gives them as ``[model]`` and ``[train]`` sections keyed by
field name, e.g. a finished run's ``config.json``; options on the command line
win over the file.
"""

from __future__ import annotations

import argparse
import json
import sys

from slpvec.entry import add_debug_option, entry_point
from slpvec.errors import SlpvecError

from .settings import add_settings, read_config, settings_from_args


def build_parser(prog: str = "slpvec-train", paths: bool = True) -> argparse.ArgumentParser:
    """The command line; without ``paths`` only the settings (what
    ``models.crossval`` passes on to each fold's training)."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0],
                                allow_abbrev=False)  # --epoch is no --epochs
    if paths:
        p.add_argument("--data", required=True,
                       help="a dataset built by slpvec-dataset build")
        p.add_argument("--out", required=True, help="run directory (weights.pt, config.json, "
                                                    "metrics.json)")
    p.add_argument("--config", help="JSON or TOML file of settings ([model] and [train] "
                                    "sections, keys named like the fields below, e.g. a "
                                    "run's config.json); options given here win")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    add_debug_option(p)
    add_settings(p)
    return p


def parse_args(argv: list[str] | None, prog: str = "slpvec-train", paths: bool = True
               ) -> argparse.Namespace:
    """Options with the ``--config`` file's settings as their defaults (the
    command line wins); SlpvecError for a bad config file."""
    parser = build_parser(prog, paths)
    first = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    first.add_argument("--config")
    config = first.parse_known_args(argv)[0].config
    if config:
        parser.set_defaults(**read_config(config))
    return parser.parse_args(argv)


@entry_point("slpvec-train", user_errors=(FileNotFoundError,))
def main(argv: list[str]) -> int:
    """Entry point of ``slpvec-train`` (errors as :mod:`slpvec.entry` says)."""
    args = parse_args(argv)
    import torch

    from .train import train

    model_config, train_config = settings_from_args(args)
    if train_config.device.startswith("cuda") and not torch.cuda.is_available():
        raise SlpvecError("--device cuda: no GPU is available here (use --device cpu)")
    metrics = train(args.data, args.out, model_config, train_config, progress=not args.quiet)
    print(json.dumps(metrics["phases"], indent=1))
    print(f"selected {metrics['selected_phase']}; wrote {args.out} in "
          f"{metrics['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
