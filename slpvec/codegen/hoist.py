"""Loop-invariant operand vectors, built once before a single-block loop.

In a block that branches back to itself (a single-block loop), a splat or
gather whose lanes are all constants or values defined outside the block is
the same vector on every iteration. LLVM's SLP vectorizer builds such a
vector once, in the loop's preheader (the one predecessor outside the loop),
and the loop block does not pay for it; codegen does the same and
:mod:`slpvec.pricing` prices it at 0 in the block (for the estimate and the
ILP alike).

Every value the loop block uses from outside dominates the loop block, so it
dominates the end of the preheader too (any path to the preheader, followed
by the edge into the loop, reaches the loop block); the vector is inserted
just before the preheader's terminator, which must be a plain ``br`` or
``switch`` (an ``invoke`` defines its value only on its normal edge).
"""

from __future__ import annotations

from ..ir.types import LABEL, Block, Function, value_ref
from .operands import OperandVector

_PREHEADER_TERMINATORS = ("br", "switch")


def loop_preheader(function: Function, block: Block) -> Block | None:
    """The unique outside predecessor of ``block`` when ``block`` is a
    single-block loop (it branches to itself), else None."""
    if not block.instrs or not _branches_to(block, block):
        return None
    outside = [b for b in function.blocks if b is not block and _branches_to(b, block)]
    if len(outside) != 1 or not outside[0].instrs:
        return None
    if outside[0].instrs[-1].opcode not in _PREHEADER_TERMINATORS:
        return None
    return outside[0]


def _branches_to(source: Block, target: Block) -> bool:
    if not source.instrs:
        return False
    label = value_ref(target.label)
    return any(op.kind == LABEL and op.text == label for op in source.instrs[-1].operands)


def loop_invariant(vector: OperandVector) -> bool:
    """True if ``vector`` is a splat or gather with no lane computed in the
    block (every lane a constant, an argument, a global or a value of
    another block): the same vector on every iteration of a loop block."""
    return vector.kind in ("splat", "gather") and all(
        v.pack is None and v.instr is None for v in vector.lanes)
