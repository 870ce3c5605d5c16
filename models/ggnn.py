"""The gated graph neural network policy (Li et al. 2016; Vemal, Mendis et al. 2019).

Nodes start from embeddings of their static features (:data:`slpvec.graph.
NODE_FEATURES`). Each of ``steps`` propagation rounds sends messages along
every typed edge, both ways (a separate weight matrix per edge type and
direction: 2 x 8 types), sums them per node and updates the node state with a
shared GRU cell. The policy head then scores, for each decision, every legal
candidate pack (ordered concatenation of its lanes' states, the focus state
and the candidate's rollout-state features) and "no pack" (focus state and
focus features); a softmax over exactly those actions gives the policy.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.nn import MessagePassing

from slpvec.graph import EDGE_TYPES

from .architecture import FEATURE_VOCAB, MAX_LANES, NUM_RELATIONS, ModelConfig
from .features import CANDIDATE_FEATURES, FOCUS_FEATURES

__all__ = ["GGNNPolicy", "ModelConfig", "TypedGatedConv"]


class TypedGatedConv(MessagePassing):
    """One GGNN round: per-edge-type linear messages, sum, GRU update.

    Each node's state is transformed once per edge type (N, T, H); an edge of
    type t from u reads row ``u * T + t`` of that table, so message passing is
    bipartite from (N * T) transformed states to N nodes and gathers (E, H),
    not (E, T, H).
    """

    def __init__(self, hidden: int, num_edge_types: int):
        super().__init__(aggr="add")
        self.hidden, self.num_edge_types = hidden, num_edge_types
        self.message_weight = nn.Linear(hidden, hidden * num_edge_types, bias=False)
        self.gru = nn.GRUCell(hidden, hidden)

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor):
        """h: (N, H) -> (N, H)."""
        n = h.shape[0]
        per_type = self.message_weight(h).view(n * self.num_edge_types, self.hidden)
        typed = torch.stack([edge_index[0] * self.num_edge_types + edge_type, edge_index[1]])
        messages = self.propagate(typed, x=(per_type, h), size=(per_type.shape[0], n))
        return self.gru(messages, h)

    def message(self, x_j: torch.Tensor) -> torch.Tensor:
        return x_j


class GGNNPolicy(nn.Module):
    """Node embeddings by GGNN, then a per-decision softmax over legal actions."""

    def __init__(self, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        h, d = config.hidden, config.head
        self.embed = nn.ModuleList(nn.Embedding(v, h) for v in FEATURE_VOCAB)
        self.conv = TypedGatedConv(h, NUM_RELATIONS)
        self.lanes = nn.Linear(MAX_LANES * h, d)
        self.cand_state = nn.Linear(len(CANDIDATE_FEATURES), d, bias=False)
        self.focus = nn.Linear(h, d, bias=False)
        self.score = nn.Sequential(nn.ReLU(), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 1))
        self.no_pack = nn.Sequential(nn.Linear(h + len(FOCUS_FEATURES), d), nn.ReLU(),
                                     nn.Linear(d, 1))

    def node_states(self, x: torch.Tensor, edge_index: torch.Tensor,
                    edge_type: torch.Tensor) -> torch.Tensor:
        """x: (N, 8) int64 static features -> (N, H) node states."""
        h = sum(emb(x[:, k]) for k, emb in enumerate(self.embed))
        both = torch.cat([edge_index, edge_index.flip(0)], dim=1)
        types = torch.cat([edge_type, edge_type + len(EDGE_TYPES)])
        for _ in range(self.config.steps):
            h = self.conv(h, both, types)
        return h

    def candidate_hidden(self, h: torch.Tensor, cand_lanes: torch.Tensor,
                         cand_mask: torch.Tensor) -> torch.Tensor:
        """State-independent part of the first head layer: (C, D)."""
        lanes = h[cand_lanes] * cand_mask[..., None]
        return self.lanes(lanes.flatten(1))

    def forward(self, batch) -> torch.Tensor:
        """Logits (T, A_max + 1) per decision; column ``num_cands[t]`` is "no
        pack", columns beyond it are -inf (not legal)."""
        h = self.node_states(batch.x, batch.edge_index, batch.edge_type)
        focus_h = h[batch.focus]
        cand = (self.candidate_hidden(h, batch.cand_lanes, batch.cand_mask)
                + self.cand_state(batch.cand_feat) + self.focus(focus_h[batch.cand_decision]))
        cand_scores = self.score(cand).squeeze(-1)
        no_pack = self.no_pack(torch.cat([focus_h, batch.focus_feat], dim=1)).squeeze(-1)
        counts = batch.num_cands
        width = int(counts.max()) + 1 if len(counts) else 1
        logits = torch.full((len(counts), width), float("-inf"), device=h.device)
        start = torch.cumsum(counts, 0) - counts
        position = torch.arange(len(cand_scores), device=h.device) - start[batch.cand_decision]
        logits[batch.cand_decision, position] = cand_scores
        logits[torch.arange(len(counts), device=h.device), counts] = no_pack
        return logits
