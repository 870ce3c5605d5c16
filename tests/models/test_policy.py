"""The GNN policy: the numpy model equals the torch model, plans are legal
and correct, inference imports no torch, and bad model files give one clear
error."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from models.checkpoint import ModelFileError, load_checkpoint, load_numpy_model
from models.data import load_blocks
from models.numpy_ggnn import NumpyGGNN
from models.policy import GnnPolicy
from slpvec.cli import main
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.tools.validate import validate_modules

from ..conftest import kernel_ir


def test_numpy_model_equals_the_torch_model(dataset, random_model_dir):
    model, _ = load_checkpoint(random_model_dir)
    numpy_model, _ = load_numpy_model(random_model_dir)  # from weights.npz
    for block in load_blocks(dataset):
        with torch.no_grad():
            logits = model(block).numpy()
            reference = model.node_states(block.x, block.edge_index, block.edge_type).numpy()
        h = numpy_model.node_states(block.x.numpy(), block.edge_index.numpy(),
                                    block.edge_type.numpy())
        np.testing.assert_allclose(h, reference, rtol=1e-4, atol=1e-5)
        static = numpy_model.candidate_hidden(h, block.cand_lanes.numpy(),
                                              block.cand_mask.numpy())
        focus_proj = numpy_model.focus_projection(h)
        start = 0
        for t, count in enumerate(block.num_cands.tolist()):
            rows = slice(start, start + count)
            start += count
            focus = int(block.focus[t])
            scores = numpy_model.scores(static[rows], block.cand_feat[rows].numpy(), h[focus],
                                 focus_proj[focus], block.focus_feat[t].numpy())
            np.testing.assert_allclose(scores, logits[t, :count + 1], rtol=1e-4, atol=1e-4)
            assert np.isneginf(logits[t, count + 1:]).all()


@pytest.mark.parametrize("kernel", ["mat2.c", "reversed.c", "complex_mul.c", "mat4.c", "int16_mac.c", "particles.c"])
def test_gnn_plans_are_legal_and_correct(kernel, random_model_dir):
    """Even an untrained model only takes legal actions: no fallback, and the
    output computes what the input does."""
    source = parse_module(kernel_ir(kernel)).text
    text, report = run_slp(source, GnnPolicy(model=str(random_model_dir)))
    assert not report.fallbacks
    assert all(b.policy_seconds >= 0 for b in report.blocks)
    for block in (b for b in report.blocks if b.n_candidates):  # the report's solve records
        assert block.solve.policy == "gnn" and block.solve.status == "model"
        assert (block.solve.kept == "scalar") == (not block.vectorized)
        assert block.solve.kept in ("model", "greedy-refined", "scalar")
    assert validate_modules(source, text, seeds=2).ok


def test_batched_and_single_planning_agree(random_model_dir):
    from slpvec.driver import prepare
    from slpvec.context import make_context
    module, target, costs, table = prepare(parse_module(kernel_ir("vec4.c")))
    ctxs = [make_context(b, f, target, costs[(f.name, b.label)], table)
            for f in module.functions for b in f.blocks]
    ctxs = [c for c in ctxs if c.candidates.packs]
    assert len(ctxs) > 1
    policy = GnnPolicy(model=str(random_model_dir))
    batched = policy.plan_blocks(ctxs, None)
    assert [o.unwrap() for o in batched] == [policy.plan(c) for c in ctxs]
    assert [o.unwrap().solve.kept for o in batched] == [policy.plan(c).solve.kept for c in ctxs]


def _bad_model(tmp_path, random_model_dir, what):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("weights.pt", "weights.npz", "config.json"):
        (bad / name).write_bytes((random_model_dir / name).read_bytes())
    if what == "weights":
        (bad / "weights.pt").write_bytes(b"\x00garbage")
        (bad / "weights.npz").write_bytes(b"\x00garbage")
    elif what == "arrays":  # the right file format, the wrong model
        other = {k: np.zeros((2, 2), np.float32) for k in np.load(bad / "weights.npz").files}
        np.savez(bad / "weights.npz", **other)
    elif what == "config":
        (bad / "config.json").write_text("{not json")
    elif what == "spec":
        config = json.loads((bad / "config.json").read_text())
        config["feature_spec"] = "0123456789abcdef"
        (bad / "config.json").write_text(json.dumps(config))
    elif what == "missing":
        (bad / "weights.pt").unlink()
        (bad / "weights.npz").unlink()
    return bad


@pytest.mark.parametrize("what,message", [
    ("weights", "corrupt or incompatible weights"),
    ("config", "corrupt model config"),
    ("spec", "trained under feature spec 0123456789abcdef"),
    ("missing", "not a slpvec model directory"),
])
def test_bad_model_file_is_one_clear_error(tmp_path, random_model_dir, what, message):
    bad = _bad_model(tmp_path, random_model_dir, what)
    for load in (load_checkpoint, load_numpy_model):
        with pytest.raises(ModelFileError, match=message):
            load(bad)


def test_numpy_weights_of_another_shape_are_one_clear_error(tmp_path, random_model_dir):
    bad = _bad_model(tmp_path, random_model_dir, "arrays")
    with pytest.raises(ModelFileError, match=r"weights.npz: corrupt or incompatible weights "
                                             r"\(weight embed.0.weight has shape \(2, 2\)"):
        load_numpy_model(bad)


def test_a_checkpoint_without_numpy_weights_still_loads(tmp_path, random_model_dir):
    old = _bad_model(tmp_path, random_model_dir, "none")
    (old / "weights.npz").unlink()
    reference, _ = load_numpy_model(random_model_dir)
    model, _ = load_numpy_model(old)  # through torch
    np.testing.assert_array_equal(model.relation, reference.relation)


def test_gnn_inference_imports_neither_torch_nor_pyg():
    import subprocess
    import sys
    code = ("import sys\n"
            "from slpvec.driver import run_slp\n"
            "from slpvec.policies import get_policy\n"
            "from tests.conftest import kernel_ir\n"
            "text, report = run_slp(kernel_ir('mat4.c'), get_policy('gnn'))\n"
            "assert any(b.vectorized for b in report.blocks)\n"
            "print(sorted(m for m in ('torch', 'torch_geometric') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_cli_bad_model_exits_1_and_writes_nothing(tmp_path, random_model_dir, capsys):
    bad = _bad_model(tmp_path, random_model_dir, "weights")
    src = tmp_path / "k.ll"
    src.write_text(kernel_ir("vec4.c"))
    out = tmp_path / "out.ll"
    assert main(["vectorize", str(src), "-o", str(out), "--policy", "gnn",
                 "--model", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slpvec: error:") and "weights" in err[0]
    assert not out.exists()


def test_typed_conv_equals_a_dense_reference():
    """Bipartite (node, type) gathering computes sum over in-edges of
    W_type(edge) h_src, then the GRU update."""
    from models.ggnn import TypedGatedConv
    torch.manual_seed(0)
    conv = TypedGatedConv(8, 4)
    h = torch.randn(10, 8)
    edge_index, edge_type = torch.randint(0, 10, (2, 30)), torch.randint(0, 4, (30,))
    weights = conv.message_weight.weight.view(4, 8, 8)  # (type, out, in)
    messages = torch.zeros(10, 8)
    for (u, v), t in zip(edge_index.T.tolist(), edge_type.tolist()):
        messages[v] += weights[t] @ h[u]
    torch.testing.assert_close(conv(h, edge_index, edge_type), conv.gru(messages, h))


def test_shipped_model_is_the_default_and_vectorizes_correctly():
    from models.checkpoint import pretrained_dir
    config = json.loads((pretrained_dir() / "config.json").read_text())
    assert config["dataset_manifest"] and config["selected_phase"]
    metrics = json.loads((pretrained_dir() / "metrics.json").read_text())
    assert {p["phase"] for p in metrics["phases"]} >= {"bc", "dagger1"}
    policy = GnnPolicy()
    source = parse_module(kernel_ir("mat4.c")).text
    text, report = run_slp(source, policy)
    assert any(b.vectorized for b in report.blocks) and not report.fallbacks
    assert validate_modules(source, text, seeds=2).ok


def test_dense_relations_sum_by_one_matrix_product_as_the_torch_model_does(random_model_dir,
                                                                           monkeypatch):
    """A nearly complete memory relation (a block whose accesses all alias)
    is summed by a 0/1 matrix product (duplicate edges counted twice); the
    node states equal the torch model's and those of the per-edge sums."""
    import models.numpy_ggnn as numpy_ggnn
    from models.architecture import FEATURE_VOCAB
    from slpvec.graph import EDGE_TYPES

    rng = np.random.default_rng(3)
    n = 120
    x = np.stack([rng.integers(0, size, n) for size in FEATURE_VOCAB], axis=1)
    pairs = [(a, b) for b in range(n) for a in range(b) if rng.random() < 0.6]
    pairs += pairs[:5]  # duplicate edges count twice
    memory = np.array(pairs).T
    operand = np.stack([rng.integers(0, n, 40), rng.integers(0, n, 40)])
    edge_index = np.concatenate([memory, operand], axis=1)
    edge_type = np.r_[np.full(memory.shape[1], EDGE_TYPES.index("memory")),
                      np.zeros(40, dtype=np.int64)]
    groups = numpy_ggnn._relation_groups(edge_index, edge_type)
    assert any(multi is not None and multi.matrix is not None for *_, multi, _ in groups)
    numpy_model, _ = load_numpy_model(random_model_dir)
    h = numpy_model.node_states(x, edge_index, edge_type)
    model, _ = load_checkpoint(random_model_dir)
    with torch.no_grad():
        reference = model.node_states(torch.from_numpy(x), torch.from_numpy(edge_index),
                                      torch.from_numpy(edge_type)).numpy()
    np.testing.assert_allclose(h, reference, rtol=1e-4, atol=1e-5)
    monkeypatch.setattr(numpy_ggnn._SegmentSums, "MAX_CELLS", 0)  # every sum edge by edge
    np.testing.assert_allclose(numpy_model.node_states(x, edge_index, edge_type), h,
                               rtol=1e-4, atol=1e-5)


def test_gnn_compares_its_plans_by_the_repair_s_own_estimates(monkeypatch):
    """Choosing between the refined model plan and the refined greedy plan
    prices neither again (each full plan priced moved the whole estimate)."""
    import models.policy as policy_module

    priced = []
    monkeypatch.setattr(policy_module, "plan_cost", lambda *args: priced.append(args))
    module_text = parse_module(kernel_ir("mat4.c")).text
    text, report = run_slp(module_text, GnnPolicy())  # the shipped model
    assert any(b.vectorized for b in report.blocks) and not priced
