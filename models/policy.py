"""``--policy gnn``: the trained GGNN rolls out the decision protocol.

Per batch of blocks: build each block's typed graph, run one batched
propagation, precompute the state-independent part of every candidate's
score, then walk each block's focus order (:class:`ilp_oracle.trajectory.
DecisionState`), scoring only the legal actions with the small head in numpy.
Every action is legal by construction; codegen still re-checks the plan and
leaves a block scalar if anything fails.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ilp_oracle.trajectory import DecisionState
from slpvec.context import BlockContext
from slpvec.estimate import plan_cost
from slpvec.graph import GraphTooLarge, build_graph
from slpvec.packs import Pack, PackPlan
from slpvec.policies.base import PlanOutcome, Policy, SolveRecord, register, with_budget
from slpvec.policies.refine import refined
from slpvec.policies.simple import RefinedGreedy

from .architecture import MAX_LANES
from .checkpoint import load_numpy_model
from .features import OperandTables, RolloutState, Step, candidate_features, focus_features
from .numpy_ggnn import NumpyGGNN


@register
class GnnPolicy(Policy):
    """Imitation-learned packing (``model``: a model directory, default the
    model shipped in the package; ``network``: a torch model in training),
    followed by the cost-model repair of :mod:`slpvec.policies.refine` and a
    comparison with the greedy plan, the cheaper by the estimate winning
    (``gnn-raw``, :class:`RawGnnPolicy`, for the model alone). A block too
    large for a graph (:class:`slpvec.graph.GraphTooLarge`) gets the
    ``greedy-refined`` plan, and its note says why. Each plan's solve record
    says which plan was kept (``model``, ``greedy-refined`` or ``scalar``)."""

    name = "gnn"
    refine = True

    def __init__(self, model: str | None = None, network=None):
        self.greedy = RefinedGreedy()
        if network is not None:  # a torch model in training (DAgger, validation)
            self.model, self.config = NumpyGGNN.from_torch(network), {}
        else:
            self.model, self.config = load_numpy_model(model)

    def plan(self, ctx: BlockContext) -> PackPlan:
        return self.plan_blocks([ctx], None)[0].unwrap()

    def plan_blocks(self, ctxs: Sequence[BlockContext], budget_s: float | None
                    ) -> list[PlanOutcome]:
        """One GNN propagation for the whole batch, then each block's rollout
        and repair under ``budget_s`` from its start. A block's seconds: its
        graph, its share of the propagation (by nodes + edges), its rollout
        and repair."""
        seconds, graphs, too_large = [], [], {}
        for k, c in enumerate(ctxs):
            t0 = time.perf_counter()
            try:
                graphs.append(build_graph(c.block, c.deps, c.candidates.packs))
            except GraphTooLarge as err:
                graphs.append(None)
                too_large[k] = err
            seconds.append(time.perf_counter() - t0)
        modelled = [k for k, g in enumerate(graphs) if g is not None]
        t0 = time.perf_counter()
        heads = {}
        if modelled:
            inputs = self._head_inputs([graphs[k] for k in modelled],
                                       [ctxs[k].candidates.packs for k in modelled])
            heads = dict(zip(modelled, inputs))
        shared = time.perf_counter() - t0
        size = {k: graphs[k].num_nodes + graphs[k].edge_index.shape[1] for k in modelled}
        total = sum(size.values()) or 1  # propagation work is shared by size
        outcomes = []
        for k, ctx in enumerate(ctxs):
            t0 = time.perf_counter()
            ctx = with_budget(ctx, budget_s)
            try:
                plan = (self._too_large(ctx, too_large[k]) if k in too_large else
                        self._decide(ctx, graphs[k], heads[k]))
                error = None
            except Exception as err:  # noqa: BLE001 - the driver classifies it
                plan, error = None, err
            seconds[k] += time.perf_counter() - t0 + shared * size.get(k, 0) / total
            outcomes.append(PlanOutcome(plan, seconds[k], error))
        return outcomes

    def _too_large(self, ctx: BlockContext, err: GraphTooLarge) -> PackPlan:
        """The ``greedy-refined`` plan of a block the model cannot take."""
        packs = self.greedy.plan(ctx).packs
        kept = self.greedy.name if packs else "scalar"
        return PackPlan(ctx.block.id, packs, f"{self.name}: {err}; {self.greedy.name} plan instead",
                        self._record(ctx, "graph_too_large", kept))

    def _decide(self, ctx: BlockContext, graph, head) -> PackPlan:
        """The model's rollout, then the repair (raw: only the scalar check)."""
        t0 = time.perf_counter()
        packs, kept = self._rollout(ctx, graph, head).packs, "model"
        if self.refine:  # complete trees the model left unfinished, drop what does not pay
            packs, kept = self._best_of(ctx, *refined(ctx, packs))
        elif packs and plan_cost(ctx, packs) >= ctx.scalar_total - 1e-9:
            # the same safety net as the ilp policy: never take a plan the
            # cost model prices at or above the scalar block
            packs = ()
        return PackPlan(ctx.block.id, packs, solve=self._record(
            ctx, "model", kept if packs else "scalar", time.perf_counter() - t0))

    def _best_of(self, ctx: BlockContext, packs, cost: float) -> tuple[tuple[Pack, ...], str]:
        """(packs, which) of the refined model plan (``model``, estimated
        ``cost``) and the refined greedy plan (``greedy-refined``), the
        latter only if cheaper by the estimate (the model proposes, the cost
        model disposes). The refined greedy plan is :class:`RefinedGreedy`'s,
        its estimate the repair's own (no estimate moved between the plans)."""
        greedy, greedy_cost = refined(ctx, self.greedy.greedy.plan(ctx).packs)
        if greedy and (not packs or greedy_cost < cost - 1e-9):
            return greedy, self.greedy.name
        return tuple(packs), "model"

    def _record(self, ctx: BlockContext, status: str, kept: str, seconds: float = 0.0
                ) -> SolveRecord:
        return SolveRecord(self.name, status, kept, seconds, scalar_cost=ctx.scalar_total,
                           n_candidates=len(ctx.candidates.packs))

    def _head_inputs(self, graphs, pack_lists) -> list[tuple[np.ndarray, ...]]:
        """Per block: (node states (N, H), candidates' state-independent
        first-layer part (A, D), focus projections (N, D)), all blocks in one
        propagation and one pass of the head's static layers."""
        x = np.concatenate([g.x for g in graphs])
        offsets = np.cumsum([0] + [g.num_nodes for g in graphs])
        edge_index = np.concatenate([g.edge_index + o for g, o in zip(graphs, offsets)], axis=1)
        edge_type = np.concatenate([g.edge_type for g in graphs])
        h = self.model.node_states(x, edge_index, edge_type)
        packs = [p for ps in pack_lists for p in ps]
        lanes = np.zeros((len(packs), MAX_LANES), dtype=np.int64)
        mask = np.zeros((len(packs), MAX_LANES), dtype=bool)
        row = 0
        for ps, o in zip(pack_lists, offsets):
            for p in ps:
                lanes[row, :p.width] = np.asarray(p.lanes) + o
                mask[row, :p.width] = True
                row += 1
        static = self.model.candidate_hidden(h, lanes, mask)
        focus_proj = self.model.focus_projection(h)
        firsts = np.cumsum([0] + [len(ps) for ps in pack_lists])
        return [(h[offsets[k]:offsets[k + 1]], static[firsts[k]:firsts[k + 1]],
                 focus_proj[offsets[k]:offsets[k + 1]]) for k in range(len(graphs))]

    def _rollout(self, ctx: BlockContext, graph, head, expert=None):
        """Walk the focus order choosing argmax actions (``head``: this block's
        part of :meth:`_head_inputs`). Returns the plan, or with an ``expert``
        (DAgger) also the visited states as labelled :class:`Step` s:
        ``expert.label(focus, legal)`` names the oracle's action,
        ``expert.observe(state, action, label)`` follows the policy, and
        states are labelled while ``expert.labelling`` holds."""
        packs = ctx.candidates.packs
        h, static, focus_proj = head
        row_of = {p: k for k, p in enumerate(packs)}
        tables = OperandTables(graph)
        state = DecisionState(ctx.block, packs, ctx.deps)
        rollout = RolloutState()
        steps = []
        while (focus := state.next_focus()) is not None:
            legal = state.legal(focus)
            action: Pack | None = None
            if legal:
                cand = candidate_features(tables, rollout, [p.lanes for p in legal])
                focus_feat = focus_features(tables, rollout, focus, cand)
                logits = self.model.scores(static[[row_of[p] for p in legal]], cand, h[focus],
                                          focus_proj[focus], focus_feat)
                best = int(np.argmax(logits))
                action = legal[best] if best < len(legal) else None
            labelling = expert is not None and expert.labelling
            if labelling:
                label = expert.label(focus, legal)
                if legal:
                    index = legal.index(label) if label is not None else len(legal)
                    steps.append(Step(focus, tuple(p.lanes for p in legal), index, cand,
                                      focus_feat))
            state.apply(focus, action)
            rollout.apply(focus, action.lanes if action else None)
            if labelling:
                expert.observe(state, action, label)
        plan = PackPlan(ctx.block.id, tuple(state.chosen))
        return plan if expert is None else (plan, steps)

    def rollout_with_expert(self, ctx: BlockContext, expert):
        """(plan, labelled steps) of one block under the current model."""
        graph = build_graph(ctx.block, ctx.deps, ctx.candidates.packs)
        head = self._head_inputs([graph], [ctx.candidates.packs])[0]
        return self._rollout(ctx, graph, head, expert)


@register
class RawGnnPolicy(GnnPolicy):
    """The model's own decisions, with only the not-worse-than-scalar check."""

    name = "gnn-raw"
    refine = False
