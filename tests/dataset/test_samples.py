"""Decision samples: oracle trajectories replay to the optimal plan; shards round-trip."""

import json

import numpy as np
import pytest

from dataset.samples import block_sample, load_shard, save_shard
from ilp_oracle import build_problem, plan_objective, solve
from slpvec.errors import SlpvecError

from ..ilp_oracle.helpers import small_contexts


def samples(count=12):
    return [block_sample(ctx) for _, ctx in small_contexts(count, max_candidates=40, first_seed=300)]


def test_trajectory_replays_to_the_oracle_plan():
    for (seed, ctx), sample in zip(small_contexts(12, max_candidates=40, first_seed=300), samples()):
        chosen = {int(a) for a in sample.action if a >= 0}
        problem = build_problem(ctx)
        assert plan_objective(problem, chosen) == pytest.approx(solve(problem).objective)
        for t, (focus, action) in enumerate(zip(sample.focus, sample.action)):
            legal = set(sample.legal[t].tolist())
            assert action == -1 or action in legal
            assert all(focus in ctx.candidates.packs[q].lanes for q in legal)
        # one decision per focus instruction not already covered by a chosen pack
        covered = {i for q in chosen for i in ctx.candidates.packs[q].lanes}
        members = {i for p in ctx.candidates.packs for i in p.lanes}
        assert len(sample.focus) == len(members - covered) + len(chosen)


def test_shard_round_trip(tmp_path):
    original = samples(8)
    path = tmp_path / "shard-000.npz"
    save_shard(path, original)
    loaded = load_shard(path)
    assert [s.block_id for s in loaded] == [s.block_id for s in original]
    for a, b in zip(original, loaded):
        for name in ("x", "edge_index", "edge_type"):
            assert np.array_equal(getattr(a.graph, name), getattr(b.graph, name))
        assert np.array_equal(a.focus, b.focus) and np.array_equal(a.action, b.action)
        assert all(np.array_equal(x, y) for x, y in zip(a.legal, b.legal))
        assert a.graph.packs == b.graph.packs and a.objective == b.objective


def test_shards_are_byte_reproducible(tmp_path):
    save_shard(tmp_path / "a.npz", samples(3))
    save_shard(tmp_path / "b.npz", samples(3))
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_shard_of_another_feature_spec_is_refused(tmp_path):
    path = tmp_path / "s.npz"
    save_shard(path, samples(1))
    with np.load(path) as data:
        arrays = dict(data)
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta["feature_spec"] = "0000000000000000"
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    from dataset.samples import _write_npz
    _write_npz(path, arrays)
    with pytest.raises(SlpvecError, match="feature spec 0000000000000000"):
        load_shard(path)
