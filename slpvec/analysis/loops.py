"""Single-block loops: their preheader, and the phis a pack may vectorize.

A block that branches to itself with exactly one other predecessor (the
preheader) is a *single-block loop*. Its phis of a vectorizable type whose
incoming blocks are the preheader and the block itself may share a vector
phi, as LLVM's SLP vectorizer packs loop-carried values: the vector is
entered from a vector built in the preheader and carried around the back
edge by a vector computed in the block, so neither the scalar phis' lanes
need gathering every iteration nor the back-edge values extracting. In any
block, phis whose values from other blocks are constants pack too (the
vector enters as a constant literal, as LLVM packs the phis that sink
constant stores into a join block).

Such a phi's back-edge value counts as *live out* in :attr:`Block.live_out`
(the parser records phi uses as uses from outside);
:func:`used_by_other_blocks` says which values are really read elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter

from ..ir.operand_text import _fields, _skip_flags, take_type
from ..ir.types import BARRIER, CONST, LABEL, LOAD, PHI, STORE, Block, Function, Instr, value_ref
from ..ir.typesize import VECTORIZABLE, scalar_bits
from .dependence import build_dependence_graph

_PREHEADER_TERMINATORS = ("br", "switch")


def loop_preheader(function: Function, block: Block) -> Block | None:
    """The unique outside predecessor of ``block`` when ``block`` is a
    single-block loop (it branches to itself), else None. Its terminator is
    a plain ``br`` or ``switch`` (an ``invoke`` defines its value only on its
    normal edge), so code may go just before it."""
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


class PreheaderLoads:
    """Loads at the end of a single-block loop's preheader, read as vectors.

    A loop-invariant gather whose lanes are loads of the preheader at
    consecutive addresses, in lane order, with no store or barrier after them
    in the preheader that may write their bytes, is the same vector as one
    load of those bytes at the preheader's end (where codegen builds
    loop-invariant vectors): LLVM's SLP enters NPB LU's loop-carried
    ``<4 x double>`` phis so, from the loads GVN hoisted into the preheader.
    The scalar loads then often die.
    """

    def __init__(self, function: Function | None, block: Block):
        self.block = block
        self.preheader = loop_preheader(function, block) if function is not None else None
        self.deps = None
        if self.preheader is not None:
            self.deps = build_dependence_graph(self.preheader, function)
            self.named = {ins.ref: ins for ins in self.preheader.instrs if ins.name}

    def lanes(self, texts: list[str]) -> tuple[Instr, ...] | None:
        """The preheader loads whose values are ``texts``, lane by lane, if one
        vector load at the preheader's end reads exactly them, else None."""
        if self.deps is None or len(texts) < 2:
            return None
        loads = tuple(self.named.get(t) for t in texts)
        if any(ins is None or ins.kind != LOAD for ins in loads):
            return None
        elem = loads[0].type
        bits = scalar_bits(elem)
        if elem not in VECTORIZABLE or not bits or bits % 8 or any(ins.type != elem for ins in loads):
            return None
        addrs = [self.deps.addresses.get(ins.idx) for ins in loads]
        if any(a is None for a in addrs) or not all(
                a.same_object_and_terms(addrs[0]) and a.offset == addrs[0].offset + k * a.size
                for k, a in enumerate(addrs)):
            return None
        mask = sum(1 << ins.idx for ins in loads)
        later = self.preheader.instrs[min(ins.idx for ins in loads) + 1:]
        if any(self.deps.memory_preds[ins.idx] & mask for ins in later
               if ins.kind in (STORE, BARRIER)):
            return None  # the earliest writer of their bytes is ordered after them
        return loads


def phi_labels(ins: Instr) -> tuple[str, ...]:
    """The incoming block of each of a phi's operands, as written (``%entry``)."""
    _, rest = take_type(_skip_flags(ins.text.split(" = phi ", 1)[1]))
    return tuple(_fields(incoming.strip()[1:-1])[1] for incoming in _fields(rest))


def packable_phi(ins: Instr, block: Block, preheader: Block | None) -> bool:
    """True for a phi that may be a lane of a vector phi: every incoming
    value comes around the block's own back edge (its vector is built in the
    block), from the preheader of single-block loop ``block`` (``preheader``:
    its :func:`loop_preheader`; the vector is built there), or is a constant
    (the vector is a constant literal), so nothing needs building anywhere
    else."""
    if ins.kind != PHI:
        return False
    labels = phi_labels(ins)
    placed = {value_ref(block.label)} | ({value_ref(preheader.label)} if preheader else set())
    return len(labels) == len(ins.operands) and all(
        label in placed or op.kind == CONST for op, label in zip(ins.operands, labels))


def used_by_other_blocks(function: Function | None, block: Block) -> frozenset[int]:
    """Instructions of ``block`` whose values another block reads: the block's
    live-out values less those only its own phis read (the back-edge values of
    a single-block loop). A value is read elsewhere when its name appears in
    another block's text at all (an operand, a debug record, anything).
    Without the function, all of ``live_out``."""
    live = frozenset(block.live_out)
    if function is None or not any(ins.kind == PHI for ins in block.instrs):
        return live
    blocks_naming = _names_per_block(function)
    own = blocks_naming[1][block.label]
    return frozenset(i for i in live
                     if blocks_naming[0][block.instrs[i].ref] > (block.instrs[i].ref in own))


_VALUE_NAME = re.compile(r'%(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)')
_NAMES_CACHE: dict[int, tuple[Function, tuple[Counter, dict[str, set[str]]]]] = {}


def _names_per_block(function: Function) -> tuple[Counter, dict[str, set[str]]]:
    """(per value name, how many blocks' text names it; per block label, the
    names its text holds), kept for the last few functions asked."""
    cached = _NAMES_CACHE.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    per_block = {b.label: set(_VALUE_NAME.findall("\n".join(ins.text for ins in b.instrs)))
                 for b in function.blocks}
    counts = Counter(name for names in per_block.values() for name in names)
    if len(_NAMES_CACHE) >= 8:
        _NAMES_CACHE.pop(next(iter(_NAMES_CACHE)))
    _NAMES_CACHE[id(function)] = (function, (counts, per_block))
    return counts, per_block
