"""Address analysis: every load/store address as root + linear terms + offset.

An address is ``root + sum(coef * term) + offset`` bytes, where ``root`` is
the underlying pointer (argument, global object, alloca, or an opaque pointer
value), ``terms`` are integer values the address scales with (loop indices),
and ``offset`` a constant. Two accesses with the same root and terms are at a
known distance; that is what makes loads/stores consecutive.

Sizes, GEP strides and struct field offsets come from the function's
datalayout (:class:`slpvec.ir.datalayout.DataLayout`): a GEP steps by the
alloc size, an access touches its store size. A module without a datalayout
means LLVM's defaults, but code generators and the JIT substitute the
target's, so there an offset or size on which the defaults and x86-64 disagree
(a struct field after an ``i64``) is unknown. Types the layout cannot size
(named structs) make the access unknown too: never a guess.

Address arithmetic wraps at the index width of the pointer's address space
(64 bits on x86-64), so coefficients and offsets are kept modulo ``2**bits``
(signed) and distances compared modulo it. Integer arithmetic is followed
through add/sub/mul/shl/``or disjoint``, exact in that width, and through
``sext``/``zext`` only when the inner operation has ``nsw``/``nuw`` (otherwise
the extension is an opaque term).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ir.datalayout import X86_64_LINUX, DataLayout, LayoutError
from ..ir.typesize import element_type, struct_fields
from ..ir.types import CONST, GLOBAL, LOAD, LOCAL, STORE, VALUE, Block, Function, Operand

# Root kinds. Distinct "identified objects" never alias each other.
NOALIAS_ARG, ARG, GLOBAL_ROOT, ALLOCA, OPAQUE = "noalias", "arg", "global", "alloca", "opaque"
ROOT_KINDS = (NOALIAS_ARG, ARG, GLOBAL_ROOT, ALLOCA, OPAQUE)
_IDENTIFIED = {NOALIAS_ARG, GLOBAL_ROOT, ALLOCA}
_INT_CONST = re.compile(r"^-?\d+$")
_INT_TYPE = re.compile(r"^i(\d+)$")
_ADDRSPACE = re.compile(r"^ptr addrspace\((\d+)\)$")
UNKNOWN_SIZE = 1 << 62  # an access of unknown extent covers everything
# Integer values summing more terms are one opaque term: keeps each step O(1)
# (a 10,000-instruction add chain would otherwise cost quadratic time).
MAX_TERMS = 8


def _signed(value: int, bits: int) -> int:
    """``value`` modulo ``2**bits``, in ``[-2**(bits-1), 2**(bits-1))``."""
    half = 1 << (bits - 1)
    return ((value + half) & ((1 << bits) - 1)) - half


@dataclass(frozen=True)
class Linear:
    """``sum(coef * term) + const``; terms sorted by name."""

    terms: tuple[tuple[str, int], ...] = ()
    const: int = 0

    @staticmethod
    def atom(name: str) -> "Linear":
        return Linear(((name, 1),), 0)

    def __add__(self, other: "Linear") -> "Linear":
        merged = dict(self.terms)
        for name, coef in other.terms:
            merged[name] = merged.get(name, 0) + coef
        return Linear(tuple(sorted((n, c) for n, c in merged.items() if c)),
                      self.const + other.const)

    def scale(self, factor: int) -> "Linear":
        if factor == 0:
            return Linear()
        return Linear(tuple((n, c * factor) for n, c in self.terms), self.const * factor)

    def wrapped(self, bits: int) -> "Linear":
        """The same value in ``bits``-bit arithmetic: coefficients and constant
        modulo ``2**bits`` (signed), terms whose coefficient vanishes dropped."""
        terms = tuple((n, c) for n, c in ((n, _signed(c, bits)) for n, c in self.terms) if c)
        return Linear(terms, _signed(self.const, bits))


@dataclass(frozen=True)
class Address:
    """Where a load or store accesses memory: ``size`` bytes at
    ``root + terms + offset``, address arithmetic modulo ``2**index_bits``."""

    root: str
    root_kind: str
    terms: tuple[tuple[str, int], ...]
    offset: int
    size: int
    index_bits: int = 64

    def same_object_and_terms(self, other: "Address") -> bool:
        return self.root == other.root and self.terms == other.terms

    def overlaps(self, other: "Address") -> bool:
        """True if the two byte ranges can overlap, for accesses with the same
        root and terms (distances taken modulo the index width)."""
        return ranges_overlap(self.offset, self.size, other.offset, other.size,
                              1 << self.index_bits)


def ranges_overlap(offset_a: int, size_a: int, offset_b: int, size_b: int,
                   modulus: int) -> bool:
    """Do ``size_a`` bytes at ``offset_a`` and ``size_b`` bytes at ``offset_b``
    overlap, offsets taken modulo ``modulus``?"""
    if not size_a or not size_b:
        return False
    distance = (offset_b - offset_a) % modulus
    return distance < size_a or (modulus - distance) % modulus < size_b


def kinds_may_alias(kind_a: str, kind_b: str) -> bool:
    """May accesses through two *different* roots of these kinds touch the
    same memory?"""
    kinds = {kind_a, kind_b}
    if kinds <= _IDENTIFIED:
        return False
    # A noalias argument or a local alloca is never reachable from another argument.
    return not (ARG in kinds and kinds & {NOALIAS_ARG, ALLOCA} and len(kinds) == 2)


def may_alias(a: Address, b: Address) -> bool:
    """Conservative alias query for two accesses of one block."""
    if a.root == b.root:
        return a.overlaps(b) if a.terms == b.terms else True
    return kinds_may_alias(a.root_kind, b.root_kind)


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


class AddressAnalysis:
    """Computes :class:`Address` for every load and store of one block."""

    def __init__(self, block: Block, function: Function | None = None):
        self.block = block
        self.noalias = set(function.noalias_args) if function else set()
        self.args = {a.text for a in function.args} if function else set()
        try:
            self.layouts: tuple[DataLayout, ...] | None = function_layouts(function)
        except LayoutError:
            self.layouts = None  # every address unknown
        # intermediate integer forms are exact modulo 2**widest index width
        self._widest = max((spec.index_bits for layout in self.layouts or ()
                            for _, spec in layout.pointers), default=64)
        self._int_memo: dict[tuple[int, str], Linear] = {}
        self._ptr_memo: dict[int, tuple[str, str, Linear, int] | None] = {}

    def _agreed(self, measure) -> int:
        """``measure(layout)`` under every layout; LayoutError if they differ."""
        if self.layouts is None:
            raise LayoutError("unreadable datalayout")
        values = {measure(layout) for layout in self.layouts}
        if len(values) != 1:
            raise LayoutError("the value depends on which datalayout applies")
        return values.pop()

    def addresses(self) -> dict[int, Address]:
        """Address of each load/store, keyed by instruction index."""
        result = {}
        for ins in self.block.instrs:  # in order: every chain is met link by link
            if _INT_TYPE.match(ins.type):
                for ext in ("", "sext", "zext"):
                    self._local_integer(ins.idx, ext)
            elif ins.type.startswith("ptr"):
                self._safe_pointer(ins.idx)
            if ins.kind == LOAD:
                pointer, value_type = ins.operands[0], ins.type
            elif ins.kind == STORE:
                pointer, value_type = ins.operands[1], ins.operands[0].type
            else:
                continue
            try:
                size = self._agreed(lambda layout: layout.store_size(value_type))
                root, kind, offset, bits = self.pointer(pointer)
            except (LayoutError, ValueError, IndexError, RecursionError):
                root, kind, offset, size, bits = f"?{ins.idx}", OPAQUE, Linear(), UNKNOWN_SIZE, 64
            result[ins.idx] = Address(root, kind, offset.terms, offset.const, size, bits)
        return result

    def _safe_pointer(self, idx: int) -> None:
        try:
            self._local_pointer(idx)
        except (LayoutError, ValueError, IndexError, RecursionError):
            self._ptr_memo[idx] = None  # unknown, and so is every pointer based on it

    def _root_kind(self, text: str) -> str:
        if text in self.noalias:
            return NOALIAS_ARG
        return ARG if text in self.args else OPAQUE

    def _index_bits(self, pointer_type: str) -> int:
        space = _addrspace(pointer_type)
        return self._agreed(lambda layout: layout.pointer(space).index_bits)

    def pointer(self, op: Operand) -> tuple[str, str, Linear, int]:
        """(root, root kind, byte offset, index width in bits) of a pointer
        operand; the offset is reduced modulo ``2**bits``."""
        if op.kind == LOCAL:
            return self._local_pointer(op.index)
        bits = self._index_bits(op.type)
        if op.kind == VALUE:
            return op.text, self._root_kind(op.text), Linear(), bits
        if op.kind == GLOBAL:
            if op.object:
                return op.object, GLOBAL_ROOT, Linear(), bits
        if op.kind == CONST and op.gep and op.object:
            # a constant-expression GEP over a global: each level as an instruction GEP
            offset = Linear()
            for source_type, indices in op.gep:
                offset = (offset + self._indexed_offset(
                    source_type, op.type, [Operand(CONST, t, v) for t, v in indices])).wrapped(bits)
            return op.object, GLOBAL_ROOT, offset, bits
        return op.text, OPAQUE, Linear(), bits  # constants, aliases of expressions

    def _local_pointer(self, idx: int) -> tuple[str, str, Linear, int]:
        if self._ptr_memo.get(idx, ()) is None:
            raise LayoutError("address computed from an unknown one")
        if idx not in self._ptr_memo:
            ins = self.block.instrs[idx]
            if ins.opcode == "getelementptr":
                root, kind, offset, bits = self.pointer(ins.operands[0])
                found = root, kind, (offset + self._gep_offset(ins)).wrapped(bits), bits
            elif ins.opcode == "bitcast":
                found = self.pointer(ins.operands[0])
            else:  # alloca, or an opaque pointer value (addrspacecast may rebase)
                kind = ALLOCA if ins.opcode == "alloca" else OPAQUE
                found = ins.ref, kind, Linear(), self._index_bits(ins.type)
            self._ptr_memo[idx] = found
        return self._ptr_memo[idx]

    def _gep_offset(self, ins) -> Linear:
        return self._indexed_offset(ins.source_type, ins.operands[0].type, ins.operands[1:])

    def _indexed_offset(self, source_type: str, pointer_type: str,
                        indices: list[Operand]) -> Linear:
        """Byte offset of a GEP with this source element type, base pointer
        type and index operands (not yet reduced modulo the index width)."""
        current = source_type
        index_bits = self._index_bits(pointer_type)
        total = Linear()
        if indices:
            stride = self._agreed(lambda layout: layout.alloc_size(current))
            total = self._index(indices[0], index_bits).scale(stride)
        for index in indices[1:]:
            _, fields = struct_fields(current)
            if fields is not None:
                field = int(index.text)
                total = total + Linear((), self._agreed(
                    lambda layout: layout.struct_field_offsets(current)[field]))
                current = fields[field]
            else:
                current = element_type(current)
                stride = self._agreed(lambda layout: layout.alloc_size(current))
                total = total + self._index(index, index_bits).scale(stride)
        return total

    def _index(self, op: Operand, index_bits: int) -> Linear:
        # A GEP sign-extends an index narrower than the index width and
        # truncates a wider one; truncation commutes with the arithmetic.
        match = _INT_TYPE.match(op.type)
        if not match:
            raise ValueError(f"vector or unknown GEP index {op.type!r}")
        return self.integer(op, "" if int(match.group(1)) >= index_bits else "sext")

    def integer(self, op: Operand, ext: str = "") -> Linear:
        """Linear form of an integer operand (``ext``: enclosing sext/zext)."""
        if op.kind == CONST and _INT_CONST.match(op.text):
            value = int(op.text)
            if ext == "zext" and (match := _INT_TYPE.match(op.type)):
                value %= 1 << int(match.group(1))  # zext reads the bits unsigned
            return Linear((), value)
        if op.kind != LOCAL:
            return Linear.atom(f"{ext}({op.text})" if ext else op.text)
        return self._local_integer(op.index, ext)

    def _local_integer(self, idx: int, ext: str) -> Linear:
        key = (idx, ext)
        if key not in self._int_memo:
            ins = self.block.instrs[idx]
            found = self._integer_instr(ins, ext).wrapped(self._widest)
            if len(found.terms) > MAX_TERMS:  # a sum of many values: no address shape
                found = Linear.atom(f"{ext}({ins.ref})" if ext else ins.ref)
            self._int_memo[key] = found
        return self._int_memo[key]

    def _integer_instr(self, ins, ext: str) -> Linear:
        opaque = Linear.atom(f"{ext}({ins.ref})" if ext else ins.ref)
        flags = set(ins.flags)
        if ext and not ({"sext": "nsw", "zext": "nuw"}[ext] in flags or "disjoint" in flags):
            return opaque
        ops = ins.operands
        if ins.opcode in ("sext", "zext") and not ext:
            return self.integer(ops[0], ins.opcode)
        if ins.opcode == "add" or (ins.opcode == "or" and "disjoint" in flags):
            return self.integer(ops[0], ext) + self.integer(ops[1], ext)
        if ins.opcode == "sub":
            return self.integer(ops[0], ext) + self.integer(ops[1], ext).scale(-1)
        if ins.opcode == "mul" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            return self.integer(ops[0], ext).scale(self.integer(ops[1], ext).const)
        if ins.opcode == "shl" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            amount, width = int(ops[1].text), _INT_TYPE.match(ins.type)
            if width and 0 <= amount < int(width.group(1)):  # else poison
                return self.integer(ops[0], ext).scale(1 << amount)
        return opaque
