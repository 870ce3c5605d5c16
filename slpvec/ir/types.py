"""Frozen IR model: Module -> Function -> Block -> Instr.

The model is a faithful, read-only view of a parsed LLVM module. Every
instruction of the input appears exactly once, with its original text, so
nothing is ever dropped: instructions slpvec does not understand are marked
``Instr.kind == "barrier"`` and kept verbatim.

Indices: ``Instr.idx`` is the position of the instruction inside its block
(0-based). Operands that are instructions of the same block refer to it by
``Operand.index``; everything else (arguments, values of other blocks,
constants, globals, labels, metadata) is an external operand identified by its
text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Operand kinds.
LOCAL = "local"        # an instruction of the same block (Operand.index is set)
VALUE = "value"        # an argument or an instruction of another block
CONST = "const"        # a constant (int, float, vector, null, undef, poison, ...)
GLOBAL = "global"      # a global variable or function
LABEL = "label"        # a basic block (branch targets)
META = "meta"          # metadata / inline asm / anything else

# Instruction kinds (how the analyses treat an instruction).
PURE = "pure"          # arithmetic, casts, compares, select, GEP, pure intrinsics
LOAD = "load"
STORE = "store"
PHI = "phi"            # only at the top of a block
TERMINATOR = "term"    # br, ret, switch, ...
BARRIER = "barrier"    # calls with side effects, fences, atomics, unknown constructs


_PLAIN_NAME = re.compile(r"^[-\w.$]+$")


def value_ref(name: str) -> str:
    """``%name`` as LLVM writes it: quoted when the name needs quotes."""
    if _PLAIN_NAME.match(name):
        return f"%{name}"
    return '%"' + name.replace("\\", "\\5C").replace('"', "\\22") + '"'


@dataclass(frozen=True)
class Operand:
    """One operand of an instruction.

    ``text`` is the operand as written (``%x``, ``%"a b"``, ``4``,
    ``0x3FF0000000000000``, ``@g``); ``type`` its LLVM type as text
    (``"label"`` for blocks).
    """

    kind: str
    type: str
    text: str
    index: int | None = None  # for LOCAL operands: Instr.idx in the same block

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL


@dataclass(frozen=True)
class Instr:
    """One instruction.

    ``opcode``: LLVM opcode name (``fadd``, ``load``, ``call``, ...). For calls
    ``callee`` names the called function (``llvm.fmuladd.f64``), else ``""``.
    ``type``: result type text (``void`` for stores). ``name``: the result name
    without ``%`` (``"5"`` for unnamed ``%5``; ``""`` when there is no result).
    ``text``: the instruction exactly as LLVM prints it, without indentation.
    ``line``: 1-based line in the canonical module text.
    """

    idx: int
    opcode: str
    type: str
    operands: tuple[Operand, ...]
    name: str
    text: str
    kind: str
    callee: str = ""
    line: int = 0

    @property
    def is_memory(self) -> bool:
        return self.kind in (LOAD, STORE)

    @property
    def ref(self) -> str:
        """The value as an operand reference (``%name``), ``""`` if none."""
        return value_ref(self.name) if self.name else ""


@dataclass(frozen=True)
class Block:
    """A basic block.

    ``live_out``: sorted indices of instructions whose values are used outside
    this block (other blocks, or phis of this block via a back edge).
    """

    function: str
    label: str
    instrs: tuple[Instr, ...]
    live_out: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.function}:{self.label}"

    def __len__(self) -> int:
        return len(self.instrs)


@dataclass(frozen=True)
class Function:
    """A defined function: its header line, blocks in order, and arguments."""

    name: str
    header: str
    blocks: tuple[Block, ...]
    args: tuple[Operand, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()  # string attributes ("target-cpu", ...)
    noalias_args: tuple[str, ...] = ()  # "%a" for each argument marked noalias

    def attribute(self, key: str, default: str = "") -> str:
        return dict(self.attributes).get(key, default)


@dataclass(frozen=True)
class Module:
    """A parsed module: canonical text plus its functions.

    ``text`` is LLVM's own printing of the input (canonical form); every
    ``Instr.text`` is a line of it. ``unknown`` lists the instructions that were
    kept as barriers because slpvec does not model them, as
    ``(function, block label, instr idx, opcode)``.
    """

    text: str
    triple: str
    data_layout: str
    functions: tuple[Function, ...]
    unknown: tuple[tuple[str, str, int, str], ...] = field(default=())

    def blocks(self):
        """All blocks of all functions, in order."""
        for fn in self.functions:
            yield from fn.blocks

    def function(self, name: str) -> Function:
        for fn in self.functions:
            if fn.name == name:
                return fn
        raise KeyError(name)
