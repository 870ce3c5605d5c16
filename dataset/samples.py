"""Training samples: a block's graph plus the oracle's decision trajectory.

One :class:`BlockSample` per block with at least one candidate. Decision t
has a focus instruction, the legal candidate packs at that state (indices into
``graph.packs``) and the oracle's action (an index into ``graph.packs``, or -1
for "no pack"). The state at step t is the effect of actions 0..t-1, so a
loader can replay it. Shards are compressed ``.npz`` files of ragged arrays
flattened with offsets, with the feature-spec hash stored beside them.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ilp_oracle import build_problem, solve
from ilp_oracle.trajectory import plan_to_trajectory
from slpvec.context import BlockContext
from slpvec.errors import SlpvecError
from slpvec.graph import BlockGraph, build_graph, feature_spec_hash


@dataclass(frozen=True)
class BlockSample:
    """Graph + trajectory of one block. Arrays: ``focus`` (T,), ``action`` (T,)
    with -1 = no pack; ``legal[t]``: candidate indices legal at step t."""

    block_id: str
    graph: BlockGraph
    focus: np.ndarray
    action: np.ndarray
    legal: tuple[np.ndarray, ...]
    status: str
    objective: float
    scalar_cost: float
    solve_seconds: float  # not stored in shards (they must be byte-reproducible)


def block_sample(ctx: BlockContext, time_limit_s: float = 10.0, solver: str = "cbc"
                 ) -> BlockSample | None:
    """The oracle's trajectory for one block (None if it has no candidates)."""
    packs = ctx.candidates.packs
    if not packs:
        return None
    problem = build_problem(ctx)
    solution = solve(problem, time_limit_s, solver)
    decisions = plan_to_trajectory(ctx.block, packs, ctx.deps, solution.plan)
    index = {p: k for k, p in enumerate(packs)}
    return BlockSample(
        block_id=ctx.block.id, graph=build_graph(ctx.block, ctx.deps, packs),
        focus=np.array([d.focus for d in decisions], dtype=np.int64),
        action=np.array([index[d.action] if d.action is not None else -1 for d in decisions],
                        dtype=np.int64),
        legal=tuple(np.array([index[p] for p in d.legal], dtype=np.int64) for d in decisions),
        status=solution.status, objective=solution.objective,
        scalar_cost=problem.scalar_total, solve_seconds=solution.seconds)


def _flatten(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.cumsum([0] + [len(p) for p in parts]).astype(np.int64)
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return flat.astype(np.int64), offsets


def _split(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [flat[offsets[k]:offsets[k + 1]] for k in range(len(offsets) - 1)]


def save_shard(path: str | Path, samples: list[BlockSample]) -> None:
    """Write samples to one compressed ``.npz`` (atomically: temp + rename)."""
    path = Path(path)
    arrays = {}
    meta = []
    for name, get in (("x", lambda s: s.graph.x.reshape(-1)),
                      ("edge_index", lambda s: s.graph.edge_index.reshape(-1)),
                      ("edge_type", lambda s: s.graph.edge_type),
                      ("focus", lambda s: s.focus), ("action", lambda s: s.action)):
        arrays[name], arrays[f"{name}_offsets"] = _flatten([get(s) for s in samples])
    legal = [l for s in samples for l in s.legal]
    arrays["legal"], arrays["legal_offsets"] = _flatten(legal)
    for s in samples:
        meta.append({"block_id": s.block_id, "num_instrs": s.graph.num_instrs,
                     "num_nodes": s.graph.num_nodes, "steps": len(s.focus),
                     "packs": [list(p.lanes) for p in s.graph.packs], "status": s.status,
                     "objective": s.objective, "scalar_cost": s.scalar_cost})
    arrays["meta"] = np.frombuffer(json.dumps(
        {"feature_spec": feature_spec_hash(), "samples": meta}, sort_keys=True).encode(),
        dtype=np.uint8)
    tmp = path.with_name(f".{path.name}.tmp")
    _write_npz(tmp, arrays)
    tmp.replace(path)


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An ``.npz`` with fixed zip timestamps: same arrays, same bytes, same hash."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]),
                                      allow_pickle=False)
            archive.writestr(info, buffer.getvalue())


def load_shard(path: str | Path) -> list[BlockSample]:
    """Read a shard written by :func:`save_shard`; refuses another feature spec."""
    from slpvec.graph import NODE_FEATURES
    from slpvec.packs import Pack
    with np.load(path) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        if meta["feature_spec"] != feature_spec_hash():
            raise SlpvecError(f"{path}: made with feature spec {meta['feature_spec']}, "
                              f"this slpvec uses {feature_spec_hash()}")
        parts = {k: _split(data[k], data[f"{k}_offsets"])
                 for k in ("x", "edge_index", "edge_type", "focus", "action", "legal")}
    out, step = [], 0
    for k, m in enumerate(meta["samples"]):
        graph = BlockGraph(m["block_id"], parts["x"][k].reshape(-1, len(NODE_FEATURES)),
                           parts["edge_index"][k].reshape(2, -1), parts["edge_type"][k],
                           m["num_instrs"], tuple(Pack(tuple(p)) for p in m["packs"]),
                           meta["feature_spec"])
        legal = tuple(parts["legal"][step:step + m["steps"]])
        step += m["steps"]
        out.append(BlockSample(m["block_id"], graph, parts["focus"][k], parts["action"][k],
                               legal, m["status"], m["objective"], m["scalar_cost"], 0.0))
    return out
