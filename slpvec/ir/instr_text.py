"""What an instruction's printed text says beyond its operands.

llvmlite exposes an instruction's opcode, type and operands, but not its
predicate, flags, alignment or attached metadata; those are read here, once,
from LLVM's own (canonical) printing of the instruction, and stored in the IR
model's fields. Nothing else in slpvec reads instruction text for semantics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .typesize import split_top_level

FAST_MATH = ("reassoc", "nnan", "ninf", "nsz", "arcp", "contract", "afn")
# Poison-generating and fast-math flags LLVM prints right after the opcode.
FLAGS = frozenset({"nsw", "nuw", "exact", "disjoint", "nneg", "samesign", "inbounds", "nusw",
                   "fast", *FAST_MATH})
_CALL_PREFIXES = ("tail", "musttail", "notail")
_ALIGNED = frozenset({"load", "store", "alloca", "atomicrmw", "cmpxchg"})
_ALIGN = re.compile(r", align (\d+)")
# Attachments print last: ", !tbaa !12, !range !3"; a call's metadata argument
# (", metadata !"...") never has this shape.
_ATTACHMENT = re.compile(r', !([-a-zA-Z$._][-a-zA-Z$._0-9]*) !')
_LHS = re.compile(r'^%("(?:[^"\\]|\\.)*"|[-\w.$]+) = ')


@dataclass(frozen=True)
class InstrText:
    """The facts of one instruction's text (see :class:`slpvec.ir.types.Instr`).

    ``result``: the printed result name (``x``, ``"a b"``, ``5``), ``""`` if
    none; ``ordered``: a volatile or atomic load/store.
    """

    result: str
    predicate: str
    flags: tuple[str, ...]
    align: int
    metadata: tuple[str, ...]
    ordered: bool
    source_type: str = ""


def read_instr_text(opcode: str, text: str) -> InstrText:
    """Parse the facts of ``text``, an instruction as LLVM prints it (one line)."""
    lhs = _LHS.match(text)
    body = text[lhs.end():] if lhs else text
    words = body.split(" ")
    while words and words[0] in _CALL_PREFIXES:
        words.pop(0)
    if words and words[0] == opcode:
        words.pop(0)
    flags: list[str] = []
    rest = 0
    while rest < len(words) and words[rest] in FLAGS:
        flags.extend(FAST_MATH if words[rest] == "fast" else (words[rest],))
        rest += 1
    predicate = words[rest] if opcode in ("icmp", "fcmp") and rest < len(words) else ""
    ordered = opcode in ("load", "store") and bool(words) and words[0] in ("volatile", "atomic")
    align = _ALIGN.search(body) if opcode in _ALIGNED else None
    source = split_top_level(" ".join(words[rest:]))[0] if opcode == "getelementptr" else ""
    return InstrText(result=lhs.group(1) if lhs else "", predicate=predicate,
                     flags=tuple(dict.fromkeys(flags)), align=int(align.group(1)) if align else 0,
                     metadata=tuple(_ATTACHMENT.findall(body)), ordered=ordered,
                     source_type=source)
