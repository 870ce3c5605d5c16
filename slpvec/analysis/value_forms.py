"""Linear forms of a function's integer and pointer values.

An integer value is ``sum(coef * term) + const`` (:class:`Linear`), where
``terms`` are values the analysis cannot see through (loop indices, loads,
phis); a pointer is ``root + Linear`` bytes (:class:`PointerForm`), where the
root is an argument, a global object, an alloca, or an opaque pointer value
(a phi, a select, a loaded pointer, ...).

Sizes, GEP strides and struct field offsets come from the function's
datalayout (:class:`slpvec.ir.datalayout.DataLayout`): a GEP steps by the
alloc size. A module without a datalayout means LLVM's defaults, but code
generators and the JIT substitute the target's, so there an offset on which
the defaults and x86-64 disagree (a struct field after an ``i64``) is
unknown. Identified struct types are replaced by their bodies
(``Function.named_types``); types the layout still cannot size make the
pointer unknown too: never a guess.

Address arithmetic wraps at the index width of the pointer's address space
(64 bits on x86-64), so coefficients and offsets are kept modulo ``2**bits``
(signed). Integer arithmetic is followed through add/sub/mul/shl/``or
disjoint``, exact in that width, and through ``sext``/``zext`` only when the
inner operation has ``nsw``/``nuw`` (otherwise the extension is an opaque
term).

Values are followed across the whole function: a GEP hoisted into a
preheader or an index extended in the entry is taken apart like a local one.
That is exact: a value defined in another block and used in this one
dominates it, and so do the operands it was computed from, which therefore
still hold the values they had then (had one been defined again since, the
path through its definition would reach this block without passing the
value's). Phis are never followed (terms or roots: another edge's value).
Definitions in blocks unreachable from the entry, where dominance says
nothing, are not followed either. Other blocks are evaluated in reverse
post-order, operands before users, so nothing recurses deeply.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from ..ir.datalayout import X86_64_LINUX, DataLayout, LayoutError
from ..ir.typesize import element_type, literal_type, struct_fields
from ..ir.types import (CONST, GLOBAL, LABEL, LOCAL, VALUE, Block, Function, Operand,
                        value_ref)
from .linear import Linear, Shift

# Root kinds. Distinct "identified objects" never alias each other; OBJECTS is
# an opaque root whose underlying objects are known (slpvec.analysis.objects).
NOALIAS_ARG, ARG, GLOBAL_ROOT, ALLOCA, OPAQUE = "noalias", "arg", "global", "alloca", "opaque"
OBJECTS = "objects"
ROOT_KINDS = (NOALIAS_ARG, ARG, GLOBAL_ROOT, ALLOCA, OPAQUE, OBJECTS)
_INT_CONST = re.compile(r"^-?\d+$")
_INT_TYPE = re.compile(r"^i(\d+)$")
_ADDRSPACE = re.compile(r"^ptr addrspace\((\d+)\)$")
# Integer values summing more terms are one opaque term: keeps each step O(1)
# (a 10,000-instruction add chain would otherwise cost quadratic time).
MAX_TERMS = 8
_BUSY = object()  # memo mark of a value being computed (a cycle in unreachable code)
_UNKNOWN_ERRORS = (LayoutError, ValueError, IndexError, RecursionError)


@dataclass(frozen=True)
class PointerForm:
    """A pointer as ``root + offset`` bytes, modulo ``2**index_bits``.

    ``where``: (block number, instruction index) of the root's definition in
    the function, ``None`` for an argument, global or constant root."""

    root: str
    kind: str
    offset: Linear
    index_bits: int
    where: tuple[int, int] | None = None


def _addrspace(pointer_type: str) -> int:
    match = _ADDRSPACE.match(pointer_type)
    return int(match.group(1)) if match else 0


def function_layouts(function: Function | None) -> tuple[DataLayout, ...]:
    """The layouts a function's memory accesses must be exact under: its
    module's datalayout, or with none both LLVM's defaults and x86-64's.
    Raises LayoutError for a datalayout string it cannot read."""
    text = function.data_layout if function is not None else ""
    if text:
        return (DataLayout.parse(text),)
    return DataLayout.parse(""), DataLayout.parse(X86_64_LINUX)


def reverse_postorder(blocks: tuple[Block, ...]) -> list[int]:
    """Numbers of the blocks reachable from the first, in reverse post-order
    of the branch graph (a block's dominators come before it)."""
    labels = {value_ref(b.label): n for n, b in enumerate(blocks)}
    successors = [[labels[op.text] for op in b.instrs[-1].operands
                   if op.kind == LABEL and op.text in labels] if b.instrs else []
                  for b in blocks]
    seen, order, stack = {0}, [], [(0, iter(successors[0]))] if blocks else []
    while stack:
        node, todo = stack[-1]
        nxt = next((s for s in todo if s not in seen), None)
        if nxt is None:
            order.append(node)
            stack.pop()
        else:
            seen.add(nxt)
            stack.append((nxt, iter(successors[nxt])))
    return order[::-1]


class ValueForms:
    """Linear forms of the integer and pointer values of a function (or of
    one block without its function), computed once and remembered.

    Values are named by (block number, instruction index); ``blocks`` is the
    function's blocks, or the one block analysed alone (then every value of
    another block is an opaque term or root)."""

    def __init__(self, blocks: tuple[Block, ...], function: Function | None,
                 follow_others: bool):
        self.blocks = blocks  # never the function itself: the cache must not keep it alive
        self.noalias = set(function.noalias_args) if function else set()
        self.args = {a.text for a in function.args} if function else set()
        self.named_types = dict(function.named_types) if function else {}
        try:
            self.layouts: tuple[DataLayout, ...] | None = function_layouts(function)
        except LayoutError:
            self.layouts = None  # every address unknown
        # intermediate integer forms are exact modulo 2**widest index width
        self._widest = max((spec.index_bits for layout in self.layouts or ()
                            for _, spec in layout.pointers), default=64)
        self.defs: dict[str, tuple[int, int]] = {}
        self._order: list[int] = []  # reachable blocks, dominators first
        if follow_others:
            self.defs = {ins.ref: (b, ins.idx) for b, block in enumerate(blocks)
                         for ins in block.instrs if ins.name}
            self._order = reverse_postorder(blocks)
        self._position = {b: n for n, b in enumerate(self._order)}
        self._done = 0  # blocks of self._order evaluated so far
        self._int_memo: dict[tuple[int, int, str], Linear] = {}
        # term -> how far at least it is from another term (see _note_shift)
        self.shifts: dict[str, Shift] = {}
        self._ptr_memo: dict[tuple[int, int], object] = {}
        self.object_memo: dict = {}  # for slpvec.analysis.objects

    # -- evaluation order ------------------------------------------------------

    def prepare(self, b: int) -> None:
        """Compute the forms of block ``b``'s values in order, so each
        instruction's local operands are known before it."""
        for ins in self.blocks[b].instrs:
            if _INT_TYPE.match(ins.type):
                for ext in ("", "sext", "zext"):
                    self._def_integer((b, ins.idx), ext)
            elif ins.type.startswith("ptr"):
                self.safe_pointer((b, ins.idx))

    def definition(self, op: Operand, b: int) -> tuple[int, int] | None:
        """Where the value ``op`` (an operand of block ``b``) is defined, when
        its definition may be followed: a local value, or one of a reachable
        block (whose dominators are evaluated first)."""
        if op.kind == LOCAL:
            return b, op.index
        if op.kind != VALUE:
            return None
        where = self.defs.get(op.text)
        if where is None or where[0] not in self._position:
            return None
        while self._done <= self._position[where[0]]:
            self._done += 1  # first, so a nested call does not start it again
            self.prepare(self._order[self._done - 1])
        return where

    # -- layouts ---------------------------------------------------------------

    def agreed(self, measure) -> int:
        """``measure(layout)`` under every layout; LayoutError if they differ."""
        if self.layouts is None:
            raise LayoutError("unreadable datalayout")
        values = {measure(layout) for layout in self.layouts}
        if len(values) != 1:
            raise LayoutError("the value depends on which datalayout applies")
        return values.pop()

    def index_bits(self, pointer_type: str) -> int:
        space = _addrspace(pointer_type)
        return self.agreed(lambda layout: layout.pointer(space).index_bits)

    # -- pointers --------------------------------------------------------------

    def root_kind(self, text: str) -> str:
        """Kind of a root that is an argument or another outside value."""
        if text in self.noalias:
            return NOALIAS_ARG
        return ARG if text in self.args else OPAQUE

    def pointer(self, op: Operand, b: int) -> PointerForm:
        """Form of a pointer operand of block ``b``; the offset is reduced
        modulo ``2**bits``. Raises LayoutError/ValueError/IndexError when
        unknown."""
        where = self.definition(op, b)
        if where is not None:
            return self._def_pointer(where)
        bits = self.index_bits(op.type)
        if op.kind == VALUE:
            return PointerForm(op.text, self.root_kind(op.text), Linear(), bits)
        if op.kind == GLOBAL and op.object:
            return PointerForm(op.object, GLOBAL_ROOT, Linear(), bits)
        if op.kind == CONST and op.gep and op.object:
            # a constant-expression GEP over a global: each level as an instruction GEP
            offset = Linear()
            for source_type, indices in op.gep:
                offset = (offset + self._indexed_offset(
                    source_type, op.type, [Operand(CONST, t, v) for t, v in indices], b)
                ).wrapped(bits)
            # its inbounds flags are not kept: exact only when too small to wrap
            offset = offset.inexact_unless(abs(offset.const) < 1 << 31)
            return PointerForm(op.object, GLOBAL_ROOT, offset, bits)
        return PointerForm(op.text, OPAQUE, Linear(), bits)  # constants, aliases of expressions

    def safe_pointer(self, where: tuple[int, int]) -> PointerForm | None:
        """Form of the pointer defined at ``where``, ``None`` when unknown (and
        then so is every pointer based on it)."""
        try:
            return self._def_pointer(where)
        except _UNKNOWN_ERRORS:
            self._ptr_memo[where] = None
            return None

    def _def_pointer(self, where: tuple[int, int]) -> PointerForm:
        if where in self._ptr_memo:
            found = self._ptr_memo[where]
            if found is None or found is _BUSY:
                raise LayoutError("address computed from an unknown one")
            return found
        self._ptr_memo[where] = _BUSY
        b, idx = where
        ins = self.blocks[b].instrs[idx]
        if ins.opcode == "getelementptr":
            base = self.pointer(ins.operands[0], b)
            offset = (base.offset + self._gep_offset(ins, b)).inexact_unless(_no_wrap(ins))
            found = PointerForm(base.root, base.kind, offset.wrapped(base.index_bits),
                                base.index_bits, base.where)
        elif ins.opcode == "bitcast":
            found = self.pointer(ins.operands[0], b)
        else:  # alloca, or an opaque pointer value (addrspacecast may rebase)
            kind = ALLOCA if ins.opcode == "alloca" else OPAQUE
            found = PointerForm(ins.ref, kind, Linear(), self.index_bits(ins.type), where)
        self._ptr_memo[where] = found
        return found

    def _gep_offset(self, ins, b: int) -> Linear:
        """Byte offset a GEP instruction adds to its base (exact only as its
        indices are; its own flags are the caller's)."""
        return self._indexed_offset(ins.source_type, ins.operands[0].type, ins.operands[1:], b)

    def _indexed_offset(self, source_type: str, pointer_type: str,
                        indices: list[Operand], b: int) -> Linear:
        """Byte offset of a GEP with this source element type, base pointer
        type and index operands (not yet reduced modulo the index width)."""
        current = literal_type(source_type, self.named_types)
        index_bits = self.index_bits(pointer_type)
        total = Linear()
        if indices:
            stride = self.agreed(lambda layout: layout.alloc_size(current))
            total = _scaled(self._index(indices[0], index_bits, b), stride)
        for index in indices[1:]:
            _, fields = struct_fields(current)
            if fields is not None:
                field = int(index.text)
                total = total + Linear((), self.agreed(
                    lambda layout: layout.struct_field_offsets(current)[field]))
                current = fields[field]
            else:
                current = element_type(current)
                stride = self.agreed(lambda layout: layout.alloc_size(current))
                total = total + _scaled(self._index(index, index_bits, b), stride)
        return total

    def _index(self, op: Operand, index_bits: int, b: int) -> Linear:
        # A GEP sign-extends an index narrower than the index width and
        # truncates a wider one; truncation commutes with the arithmetic.
        match = _INT_TYPE.match(op.type)
        if not match:
            raise ValueError(f"vector or unknown GEP index {op.type!r}")
        width = int(match.group(1))
        found = self.integer(op, b, "" if width >= index_bits else "sext")
        return found.inexact_unless(width <= index_bits)

    # -- integers --------------------------------------------------------------

    def integer(self, op: Operand, b: int, ext: str = "") -> Linear:
        """Linear form of an integer operand of block ``b`` (``ext``: an
        enclosing sext/zext)."""
        if op.kind == CONST and _INT_CONST.match(op.text):
            value = int(op.text)
            if ext == "zext" and (match := _INT_TYPE.match(op.type)):
                value %= 1 << int(match.group(1))  # zext reads the bits unsigned
            return Linear((), value)
        where = self.definition(op, b)
        if where is None:
            return Linear.atom(f"{ext}({op.text})" if ext else op.text)
        return self._def_integer(where, ext)

    def _def_integer(self, where: tuple[int, int], ext: str) -> Linear:
        key = (*where, ext)
        found = self._int_memo.get(key)
        if found is None:
            ins = self.blocks[where[0]].instrs[where[1]]
            opaque = Linear.atom(f"{ext}({ins.ref})" if ext else ins.ref)
            self._int_memo[key] = opaque  # until computed: a cycle sees a term
            found = self._integer_instr(ins, where[0], ext, opaque).wrapped(self._widest)
            if len(found.terms) > MAX_TERMS:  # a sum of many values: no address shape
                found = opaque
            self._int_memo[key] = found
        return found

    def _integer_instr(self, ins, b: int, ext: str, opaque: Linear) -> Linear:
        flags = set(ins.flags)
        if ext and not ({"sext": "nsw", "zext": "nuw"}[ext] in flags or "disjoint" in flags):
            self._note_shift(ins, b, ext, opaque)
            return opaque
        ops = ins.operands
        if ins.opcode in ("sext", "zext") and not ext:
            return self.integer(ops[0], b, ins.opcode)
        nsw = "nsw" in flags
        if ins.opcode == "or" and "disjoint" in flags:  # no carries: exact
            return self.integer(ops[0], b, ext) + self.integer(ops[1], b, ext)
        if ins.opcode == "add":
            return (self.integer(ops[0], b, ext) + self.integer(ops[1], b, ext)).inexact_unless(nsw)
        if ins.opcode == "sub":
            return (self.integer(ops[0], b, ext)
                    + self.integer(ops[1], b, ext).scale(-1)).inexact_unless(nsw)
        if ins.opcode == "mul" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            return self.integer(ops[0], b, ext).scale(
                self.integer(ops[1], b, ext).const).inexact_unless(nsw)
        if ins.opcode == "shl" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            amount, width = int(ops[1].text), _INT_TYPE.match(ins.type)
            if width and 0 <= amount < int(width.group(1)):  # else poison
                return self.integer(ops[0], b, ext).scale(1 << amount).inexact_unless(nsw)
        return opaque


    def _note_shift(self, ins, b: int, ext: str, opaque: Linear) -> None:
        """For ``ext(x + C)`` (or ``x - C``) that may wrap, with ``ext(x)`` a
        term: record in :attr:`shifts` that the two terms differ by at least
        the distance from ``C`` to the nearest multiple of ``2**w`` (they are
        equal modulo ``2**w`` up to ``C``): LLVM's BasicAA bound for two
        indices whose scales cancel (``sext(n - 3)`` is at least 3 from
        ``sext(n)``)."""
        width, ops = _INT_TYPE.match(ins.type), ins.operands
        if ins.opcode not in ("add", "sub") or not width or len(ops) != 2:
            return
        sign = -1 if ins.opcode == "sub" else 1
        if ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            variable, constant = ops[0], sign * int(ops[1].text)
        elif sign == 1 and ops[0].kind == CONST and _INT_CONST.match(ops[0].text):
            variable, constant = ops[1], int(ops[0].text)
        else:
            return
        base = self.integer(variable, b, ext)
        residue = constant % (1 << int(width.group(1)))
        distance = min(residue, (1 << int(width.group(1))) - residue)
        if base.const == 0 and len(base.terms) == 1 and base.terms[0][1] == 1 and distance:
            self.shifts[opaque.terms[0][0]] = Shift(base.terms[0][0], distance,
                                                    int(width.group(1)))


def _no_wrap(gep) -> bool:
    """Does the GEP promise its offset arithmetic does not wrap?"""
    return "inbounds" in gep.flags or "nusw" in gep.flags


def _scaled(index: Linear, stride: int) -> Linear:
    """An index times its stride; like LLVM's BasicAA, no longer exact when
    the index has a constant part (LinearExpression::mul keeps nsw only for
    a zero offset); the GEP's own flags are checked by the caller."""
    return index.scale(stride).terms_wrap_unless(stride == 1 or index.const == 0)


_CACHE: dict[int, tuple[weakref.ref, ValueForms]] = {}


def forms_of(function: Function) -> ValueForms:
    """The function's :class:`ValueForms`, shared by all its blocks' analyses
    (remembered while the function object lives)."""
    key = id(function)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not function:
        entry = (weakref.ref(function), ValueForms(function.blocks, function, True))
        _CACHE[key] = entry
        weakref.finalize(function, _forget, key, entry[0])
    return entry[1]


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _CACHE.get(key)
    if entry is not None and entry[0] is ref:
        del _CACHE[key]
