"""Plans as decision sequences (DESIGN.md, "Decisions").

Focus order: instructions that belong to some candidate, stores first, each
group bottom-up (last instruction first). At each focus not yet covered by an
earlier decision, the action is a candidate pack containing it that overlaps
no earlier decision and keeps the chosen packs schedulable, or ``None``
("no pack"). Every policy speaks this protocol; an oracle plan becomes a
trajectory of (focus, action) labels, and a trajectory becomes a plan again.
"""

from __future__ import annotations

from dataclasses import dataclass

from slpvec.codegen.schedule import PackCycleTracker
from slpvec.ir.types import STORE, Block
from slpvec.packs import Pack, PackPlan


@dataclass(frozen=True)
class Decision:
    """At ``focus``, the policy chose ``action`` (None = no pack) among
    ``legal`` (the candidate packs it could have chosen)."""

    focus: int
    action: Pack | None
    legal: tuple[Pack, ...]


def focus_order(block: Block, candidates: tuple[Pack, ...]) -> list[int]:
    """Instructions in some candidate: stores bottom-up, then the rest bottom-up."""
    members = sorted({i for p in candidates for i in p.lanes}, reverse=True)
    stores = [i for i in members if block.instrs[i].kind == STORE]
    return stores + [i for i in members if block.instrs[i].kind != STORE]


class DecisionState:
    """Walks the focus order; tracks decided instructions and chosen packs."""

    def __init__(self, block: Block, candidates: tuple[Pack, ...], deps):
        self.block, self.candidates, self.deps = block, candidates, deps
        self.order = focus_order(block, candidates)
        self.position = 0
        self.decided: set[int] = set()
        self.chosen: list[Pack] = []
        self.cycles = PackCycleTracker(deps.ancestors)
        self.by_instr: dict[int, list[Pack]] = {}
        for p in candidates:
            for i in p.lanes:
                self.by_instr.setdefault(i, []).append(p)

    def next_focus(self) -> int | None:
        """The next undecided focus instruction (None when done)."""
        while self.position < len(self.order) and self.order[self.position] in self.decided:
            self.position += 1
        return self.order[self.position] if self.position < len(self.order) else None

    def legal(self, focus: int) -> tuple[Pack, ...]:
        """Packs containing ``focus`` that fit the decisions made so far."""
        return tuple(p for p in self.by_instr.get(focus, ())
                     if not self.decided & set(p.lanes) and not self.cycles.would_cycle(p))

    def apply(self, focus: int, action: Pack | None) -> None:
        if action is None:
            self.decided.add(focus)
        else:
            self.decided |= set(action.lanes)
            self.chosen.append(action)
            self.cycles.add(action)

    def fixed(self) -> dict[int, Pack | None]:
        """The decisions so far in the form ``ilp_oracle.solve(fixed=...)`` takes."""
        out: dict[int, Pack | None] = {i: None for i in self.decided}
        for p in self.chosen:
            for i in p.lanes:
                out[i] = p
        return out


def plan_to_trajectory(block: Block, candidates: tuple[Pack, ...], deps,
                       plan: PackPlan) -> list[Decision]:
    """The decisions that reproduce ``plan`` (its packs must be candidates)."""
    pack_of = {i: p for p in plan.packs for i in p.lanes}
    state = DecisionState(block, candidates, deps)
    out = []
    while (focus := state.next_focus()) is not None:
        action = pack_of.get(focus)
        legal = state.legal(focus)
        if action is not None and action not in legal:
            raise ValueError(f"pack {action} of the plan is not legal at focus {focus}")
        out.append(Decision(focus, action, legal))
        state.apply(focus, action)
    return out


def trajectory_to_plan(block_id: str, decisions: list[Decision]) -> PackPlan:
    """The plan a decision sequence builds."""
    return PackPlan(block_id, tuple(d.action for d in decisions if d.action is not None))
