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


_PLAIN_NAME = re.compile(r"[-a-zA-Z._][-a-zA-Z._0-9]*|[0-9]+")
_ESCAPED = re.compile(rb"\\([0-9A-Fa-f]{2})")


def llvm_name(name: str, sigil: str = "%") -> str:
    """A name as LLVM prints a reference to it (``%x``, ``%"a b"``, ``@"\\01f"``).

    Mirrors LLVM's printer: plain when the name is an identifier, or all digits
    (an unnamed value's slot number); otherwise quoted, every byte that is not
    printable ASCII, and ``"`` and ``\\``, written as ``\\XX``.
    """
    if _PLAIN_NAME.fullmatch(name):
        return sigil + name
    body = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}"
                   for b in name.encode("utf-8", "surrogateescape"))
    return f'{sigil}"{body}"'


def value_ref(name: str) -> str:
    """``%name`` as LLVM writes it: quoted when the name needs quotes."""
    return llvm_name(name, "%")


def unescape_name(printed: str) -> str:
    """The name a printed reference stands for: ``"a\\22b"`` -> ``a"b``
    (quotes removed, ``\\XX`` escapes decoded); plain names unchanged."""
    if not printed.startswith('"'):
        return printed
    raw = _ESCAPED.sub(lambda m: bytes([int(m.group(1), 16)]),
                       printed[1:-1].encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Operand:
    """One operand of an instruction.

    ``text`` is the operand as written (``%x``, ``%"a b"``, ``4``,
    ``0x3FF0000000000000``, ``@g``, ``@0`` for an unnamed global); ``type`` its
    LLVM type as text (``"label"`` for blocks). ``object``, for GLOBAL
    operands: the global object it stands for, aliases resolved (``@g`` for
    ``@alias_of_g``); ``""`` when an alias resolves to something that is not a
    plain global object (a constant expression, an ifunc).

    ``gep``, for a CONST operand that is a constant-expression
    ``getelementptr`` (possibly nested) with all-constant integer indices over
    a global: its levels, innermost first, each (source element type text,
    ((index type, index constant text), ...)); ``object`` is then the global
    object at its base (aliases resolved, ``""`` if none). ``None`` for
    anything else (any other constant expression stays opaque).
    """

    kind: str
    type: str
    text: str
    index: int | None = None  # for LOCAL operands: Instr.idx in the same block
    object: str = ""
    gep: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] | None = None

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
    ``text``: the instruction exactly as LLVM prints it, without indentation
    (an instruction LLVM prints over several lines is joined with spaces).
    ``line``/``end_line``: its first and last 1-based line in the canonical
    module text.

    Semantic facts, parsed once (consumers read these, never ``text``):
    ``predicate`` of an icmp/fcmp (``slt``, ``olt``); ``flags``: poison and
    fast-math flags in text order (``nsw``, ``samesign``, ``inbounds``, ...;
    ``fast`` expanded into its seven flags); ``immargs``: for calls, (operand
    position, constant text) of each argument whose parameter is ``immarg``;
    ``align``: the ``align N`` of a load/store/alloca (0 if none);
    ``metadata``: kinds of the attached metadata (``tbaa``, ``range``, ...);
    ``source_type``: a GEP's source element type (``[4 x float]``), else "".
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
    end_line: int = 0
    predicate: str = ""
    flags: tuple[str, ...] = ()
    immargs: tuple[tuple[int, str], ...] = ()
    align: int = 0
    metadata: tuple[str, ...] = ()
    source_type: str = ""

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
    """A defined function: its header line, blocks in order, and arguments.

    ``name``: the LLVM name (what opt and llvmlite report); an unnamed
    function is named by its slot number (``3`` for ``@3``), and a named
    function whose name is all digits keeps its quotes (``"3"``), so names are
    unique within a module. ``data_layout``: the datalayout code is compiled
    under (the module's, else its triple's default; see
    :func:`slpvec.ir.datalayout.effective_layout`).
    """

    name: str
    header: str
    blocks: tuple[Block, ...]
    args: tuple[Operand, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()  # string attributes ("target-cpu", ...)
    noalias_args: tuple[str, ...] = ()  # "%a" for each argument marked noalias
    data_layout: str = ""
    optnone: bool = False  # no pass may change it: every block stays scalar
    # the module's identified struct types, (name, body): ("%struct.S", "{ double, double }")
    named_types: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str, default: str = "") -> str:
        return dict(self.attributes).get(key, default)

    def local_names(self) -> set[str]:
        """Every name of the function's local namespace (arguments, values,
        block labels), without the ``%``: what a new value must not be called."""
        names = {unescape_name(arg.text[1:]) for arg in self.args}
        for block in self.blocks:
            names.add(block.label)
            names.update(ins.name for ins in block.instrs if ins.name)
        return names


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
