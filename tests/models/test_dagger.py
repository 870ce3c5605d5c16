"""DAgger's oracle relabelling: fixed-prefix solves, bounded per block."""

from models.checkpoint import load_checkpoint
from models.contexts import load_rollouts
from models.dagger import dagger_round


def test_relabelling_stops_at_the_solve_budget(dataset, random_model_dir):
    rollouts = [r for split in ("train", "val", "test")
                for r in load_rollouts(dataset, split, progress=False)]
    model, _ = load_checkpoint(random_model_dir)  # untrained: disagrees often
    free = dagger_round(model, rollouts, progress=False, max_solves=1000)
    capped = dagger_round(model, rollouts, progress=False, max_solves=0)
    assert free.solves > 0 and capped.solves == 0
    assert capped.steps < free.steps
    # without solves, a rollout is labelled up to its first disagreement only
    assert capped.steps - capped.agreed <= len(rollouts)
    assert free.steps - free.agreed > len(rollouts)
