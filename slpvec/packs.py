"""Packs and pack plans: the currency between analysis, policies and codegen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .policies.base import SolveRecord


@dataclass(frozen=True, order=True)
class Pack:
    """Instructions of one block packed into one vector op.

    ``lanes``: instruction indices (``Instr.idx``) in lane order: lane 0 first.
    Memory packs are in address order; other packs in the order their
    consumer (or producer) pack needs.
    """

    lanes: tuple[int, ...]

    @property
    def width(self) -> int:
        return len(self.lanes)

    def __contains__(self, idx: int) -> bool:
        return idx in self.lanes

    def __str__(self) -> str:
        return "[" + ",".join(map(str, self.lanes)) + "]"


@dataclass(frozen=True)
class PackPlan:
    """The packs chosen for one block (``block_id`` is ``function:label``);
    ``note``: how the policy chose them, or why it chose none (in the report);
    ``solve``: how a searching or learned policy reached them (in the report;
    not part of the plan's equality)."""

    block_id: str
    packs: tuple[Pack, ...] = ()
    note: str = ""
    solve: SolveRecord | None = field(default=None, compare=False)

    def packed(self) -> frozenset[int]:
        """Indices of every instruction in some pack."""
        return frozenset(i for p in self.packs for i in p.lanes)
