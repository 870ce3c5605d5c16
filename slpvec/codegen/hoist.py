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
just before the preheader's terminator (:func:`analysis.loops.loop_preheader`
finds the preheader).
"""

from __future__ import annotations

from .operands import OperandVector


def loop_invariant(vector: OperandVector) -> bool:
    """True if ``vector`` is a splat or gather with no lane computed in the
    block (every lane a constant, an argument, a global or a value of
    another block): the same vector on every iteration of a loop block."""
    return vector.kind in ("splat", "gather") and all(
        v.pack is None and v.instr is None for v in vector.lanes)
