"""Decision-state features: what the packs chosen so far mean for a candidate.

The GNN embeds a block's *static* graph once; the state of a rollout (packs
chosen so far, instructions decided scalar) enters the policy head through
the small per-candidate vectors computed here, the same way in training
(replaying oracle trajectories) and at inference (rolling out the policy).
This keeps inference at one graph propagation per block instead of one per
decision (Vemal re-propagates after every decision).

Candidate features (:data:`CANDIDATE_FEATURES`), each in [0, 1]:

* ``user_exact``: a chosen pack uses this candidate, lane for lane, as one of
  its operand vectors (the vector is reused as is);
* ``user_perm``: a chosen pack uses exactly these lanes in another order;
* ``user_any`` / ``user_scalar``: share of lanes with a user in a chosen pack /
  with a user decided scalar (which would need an extract);
* ``operand_exact`` / ``operand_any``: an operand vector of the candidate is a
  chosen pack / share of lanes with an operand in a chosen pack;
* ``width_2``, ``width_4``, ``width_8``; ``legal_count``: log(1 + A) / 3;
* static, per operand slot: share of slots whose lane-wise operand vector is
  itself a candidate pack / one value in every lane (splat) / all constants
  (the rest need a gather, the costly case).

Focus features (for the "no pack" action): the focus has a user in a chosen
pack, has a user decided scalar, ``legal_count``, and the best ``user_exact``
among the legal candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from slpvec.graph import EDGE_TYPES, NODE_KINDS, BlockGraph

CANDIDATE_FEATURES = ("user_exact", "user_perm", "user_any", "user_scalar", "operand_exact",
                      "operand_any", "width_2", "width_4", "width_8", "legal_count",
                      "operand_candidate", "operand_splat", "operand_const")
FOCUS_FEATURES = ("user_packed", "user_scalar", "legal_count", "best_user_exact")
_OPERAND_TYPES = tuple(k for k, name in enumerate(EDGE_TYPES) if name.startswith("operand_"))


class OperandTables:
    """Operand and user lookups of one block graph (instruction nodes only).

    ``operands[i]``: {slot k: source node}; ``users[i]``: [(user node, slot k)],
    from the graph's ``operand_k`` edges; ``packs``: the candidates' lane
    tuples; ``constants``: constant nodes.
    """

    def __init__(self, graph: BlockGraph):
        num_instrs = graph.num_instrs
        self.operands: list[dict[int, int]] = [{} for _ in range(num_instrs)]
        self.users: dict[int, list[tuple[int, int]]] = {}
        # operand edges into instructions, in edge order (a block whose
        # accesses all alias has ~100x more memory edges than operand edges)
        keep = np.isin(graph.edge_type, _OPERAND_TYPES) & (graph.edge_index[1] < num_instrs)
        for src, dst, kind in zip(graph.edge_index[0][keep].tolist(),
                                  graph.edge_index[1][keep].tolist(),
                                  graph.edge_type[keep].tolist()):
            self.operands[dst].setdefault(kind, src)
            self.users.setdefault(src, []).append((dst, kind))
        self.packs = {p.lanes for p in graph.packs}
        self.constants = set(np.flatnonzero(graph.x[:, 0] == NODE_KINDS.index("const")).tolist())
        self._static: dict[tuple[int, ...], tuple[float, float, float]] = {}

    def static(self, lanes: tuple[int, ...]) -> tuple[float, float, float]:
        """(operand_candidate, operand_splat, operand_const) of a candidate."""
        if lanes not in self._static:
            slots = list(self.operands[lanes[0]])
            vectors = [tuple(self.operands[l].get(k, -1) for l in lanes) for k in slots]
            n = max(len(vectors), 1)
            self._static[lanes] = (sum(v in self.packs for v in vectors) / n,
                                   sum(len(set(v)) == 1 for v in vectors) / n,
                                   sum(all(x in self.constants for x in v) for v in vectors) / n)
        return self._static[lanes]


class RolloutState:
    """Packs chosen and instructions decided so far (node ids = instr idx)."""

    def __init__(self):
        self.pack_of: dict[int, tuple[tuple[int, ...], int]] = {}  # node -> (lanes, lane pos)
        self.decided: set[int] = set()

    def apply(self, focus: int, lanes: tuple[int, ...] | None) -> None:
        """Record the action at ``focus``: a pack's lanes, or None (scalar)."""
        if lanes is None:
            self.decided.add(focus)
            return
        for pos, node in enumerate(lanes):
            self.pack_of[node] = (lanes, pos)
            self.decided.add(node)


def _user_match(tables: OperandTables, state: RolloutState, lanes) -> tuple[float, float]:
    exact = perm = 0.0
    for user, slot in tables.users.get(lanes[0], ()):
        if user not in state.pack_of:
            continue
        pack = state.pack_of[user][0]
        if len(pack) != len(lanes):
            continue
        vector = [tables.operands[p].get(slot, -1) for p in pack]
        if vector == list(lanes):
            exact = 1.0
        elif set(vector) == set(lanes):
            perm = 1.0
    return exact, perm


def _operand_exact(tables: OperandTables, state: RolloutState, lanes) -> float:
    for slot, first in tables.operands[lanes[0]].items():
        hit = state.pack_of.get(first)
        if hit and hit[1] == 0 and len(hit[0]) == len(lanes) and all(
                tables.operands[l].get(slot, -1) == p for l, p in zip(lanes, hit[0])):
            return 1.0
    return 0.0


def candidate_features(tables: OperandTables, state: RolloutState,
                       candidates: list[tuple[int, ...]]) -> np.ndarray:
    """(A, len(CANDIDATE_FEATURES)) float32 for the legal candidates' lanes."""
    out = np.zeros((len(candidates), len(CANDIDATE_FEATURES)), dtype=np.float32)
    count = math.log1p(len(candidates)) / 3
    for row, lanes in enumerate(candidates):
        exact, perm = _user_match(tables, state, lanes)
        users = [tables.users.get(l, ()) for l in lanes]
        packed = sum(any(u in state.pack_of for u, _ in us) for us in users)
        scalar = sum(any(u in state.decided and u not in state.pack_of for u, _ in us)
                     for us in users)
        operand_any = sum(any(s in state.pack_of for s in tables.operands[l].values())
                          for l in lanes)
        width = len(lanes)
        out[row] = (exact, perm, packed / width, scalar / width,
                    _operand_exact(tables, state, lanes), operand_any / width,
                    width == 2, width == 4, width == 8, count, *tables.static(lanes))
    return out


def focus_features(tables: OperandTables, state: RolloutState, focus: int,
                   cand_features: np.ndarray) -> np.ndarray:
    """(len(FOCUS_FEATURES),) float32 describing the focus for "no pack"."""
    users = tables.users.get(focus, ())
    packed = any(u in state.pack_of for u, _ in users)
    scalar = any(u in state.decided and u not in state.pack_of for u, _ in users)
    best = float(cand_features[:, 0].max()) if len(cand_features) else 0.0
    return np.array([packed, scalar, math.log1p(len(cand_features)) / 3, best],
                    dtype=np.float32)


@dataclass(frozen=True)
class Step:
    """One labelled decision: ``legal`` candidates (lane tuples), the label
    (index into legal, ``len(legal)`` = no pack) and the state features."""

    focus: int
    legal: tuple[tuple[int, ...], ...]
    label: int
    cand_feat: np.ndarray
    focus_feat: np.ndarray


def make_step(tables: OperandTables, state: RolloutState, focus: int,
              legal: tuple[tuple[int, ...], ...], label: int) -> Step:
    """A :class:`Step` with the features of ``state`` (before the action)."""
    cand = candidate_features(tables, state, list(legal))
    return Step(focus, legal, label, cand, focus_features(tables, state, focus, cand))
