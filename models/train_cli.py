"""``slpvec-train --data DS --out RUN_DIR``: BC + DAgger training of the GNN policy."""

from __future__ import annotations

import argparse
import json
import sys

from slpvec.errors import SlpvecError


def build_parser() -> argparse.ArgumentParser:
    from .ggnn import ModelConfig
    from .train import TrainConfig

    model, train = ModelConfig(), TrainConfig()
    p = argparse.ArgumentParser(prog="slpvec-train", description=__doc__)
    p.add_argument("--data", required=True, help="a dataset built by slpvec-dataset build")
    p.add_argument("--out", required=True, help="run directory (weights.pt, config.json, "
                                                "metrics.json)")
    p.add_argument("--hidden", type=int, default=model.hidden)
    p.add_argument("--steps", type=int, default=model.steps, help="propagation rounds")
    p.add_argument("--head", type=int, default=model.head)
    p.add_argument("--epochs", type=int, default=train.epochs, help="BC epochs at most")
    p.add_argument("--dagger-rounds", type=int, default=train.dagger_rounds)
    p.add_argument("--dagger-epochs", type=int, default=train.dagger_epochs)
    p.add_argument("--patience", type=int, default=train.patience)
    p.add_argument("--batch-size", type=int, default=train.batch_size)
    p.add_argument("--lr", type=float, default=train.lr)
    p.add_argument("--seed", type=int, default=train.seed)
    p.add_argument("--device", default=train.device, help="cpu, or cuda when a GPU is present")
    p.add_argument("--threads", type=int, default=train.threads)
    p.add_argument("--oracle-time-limit", type=float, default=train.oracle_time_limit_s,
                   help="seconds per DAgger relabelling solve")
    p.add_argument("--oracle-solves", type=int, default=train.oracle_solves_per_block,
                   help="DAgger relabelling solves per block at most; the rest of a "
                        "rollout is then not labelled")
    p.add_argument("--max-blocks", type=int, default=0, help="use only this many blocks "
                                                             "per split (smoke tests)")
    p.add_argument("--fold", default="", help="K/N: hold out cross-validation fold K of N "
                                              "(see dataset.folds); default: the dataset's "
                                              "own train/val/test split")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import torch

        from .ggnn import ModelConfig
        from .train import TrainConfig, train

        if args.device.startswith("cuda") and not torch.cuda.is_available():
            raise SlpvecError("--device cuda: no GPU is available here (use --device cpu)")
        metrics = train(args.data, args.out,
                        ModelConfig(args.hidden, args.steps, args.head),
                        TrainConfig(epochs=args.epochs, dagger_rounds=args.dagger_rounds,
                                    dagger_epochs=args.dagger_epochs, patience=args.patience,
                                    batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                                    device=args.device, threads=args.threads,
                                    oracle_time_limit_s=args.oracle_time_limit,
                                    oracle_solves_per_block=args.oracle_solves,
                                    max_blocks=args.max_blocks, fold=args.fold),
                        progress=not args.quiet)
    except (SlpvecError, FileNotFoundError) as err:
        print(f"slpvec-train: error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(metrics["phases"], indent=1))
    print(f"selected {metrics['selected_phase']}; wrote {args.out} in "
          f"{metrics['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
