"""Address analysis: every load/store address as root + linear terms + offset.

An address is ``root + sum(coef * term) + offset`` bytes, where ``root`` is
the underlying pointer (argument, global, alloca, or an opaque pointer value),
``terms`` are integer values the address scales with (loop indices), and
``offset`` a constant. Two accesses with the same root and terms are at a known
distance; that is what makes loads/stores consecutive.

Integer arithmetic is followed through add/sub/mul/shl/``or disjoint`` in the
width of the GEP index (wrap-around is exact there) and through ``sext``/``zext``
only when the inner operation has ``nsw``/``nuw`` (otherwise the extension is
an opaque term), so the analysis is exact, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ir.typesize import alloc_size, element_type, split_top_level, struct_field_offsets
from ..ir.types import CONST, GLOBAL, LOAD, LOCAL, STORE, VALUE, Block, Function, Operand

# Root kinds. Distinct "identified objects" never alias each other.
NOALIAS_ARG, ARG, GLOBAL_ROOT, ALLOCA, OPAQUE = "noalias", "arg", "global", "alloca", "opaque"
_IDENTIFIED = {NOALIAS_ARG, GLOBAL_ROOT, ALLOCA}
_GEP_FLAGS = {"inbounds", "nuw", "nusw"}
_INT_CONST = re.compile(r"^-?\d+$")


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


@dataclass(frozen=True)
class Address:
    """Where a load or store accesses memory: ``size`` bytes at
    ``root + terms + offset``."""

    root: str
    root_kind: str
    terms: tuple[tuple[str, int], ...]
    offset: int
    size: int

    def same_object_and_terms(self, other: "Address") -> bool:
        return self.root == other.root and self.terms == other.terms


def may_alias(a: Address, b: Address) -> bool:
    """Conservative alias query for two accesses of one block."""
    if a.root == b.root:
        if a.terms == b.terms:
            return a.offset < b.offset + b.size and b.offset < a.offset + a.size
        return True
    kinds = {a.root_kind, b.root_kind}
    if kinds <= _IDENTIFIED:
        return False
    # A noalias argument or a local alloca is never reachable from another argument.
    if ARG in kinds and kinds & {NOALIAS_ARG, ALLOCA} and len(kinds) == 2:
        return False
    return True


def gep_source_type(text: str) -> str:
    """Source element type of a GEP from its text (``getelementptr inbounds i8, ...``)."""
    rest = text.split("getelementptr", 1)[1].strip()
    words = rest.split(" ")
    while words and (words[0] in _GEP_FLAGS or words[0].startswith("inrange")):
        words.pop(0)
    return split_top_level(" ".join(words))[0]


class AddressAnalysis:
    """Computes :class:`Address` for every load and store of one block."""

    def __init__(self, block: Block, function: Function | None = None):
        self.block = block
        self.noalias = set(function.noalias_args) if function else set()
        self.args = {a.text for a in function.args} if function else set()
        self._int_memo: dict[tuple[int, str], Linear] = {}

    def addresses(self) -> dict[int, Address]:
        """Address of each load/store, keyed by instruction index."""
        result = {}
        for ins in self.block.instrs:
            if ins.kind == LOAD:
                pointer, value_type = ins.operands[0], ins.type
            elif ins.kind == STORE:
                pointer, value_type = ins.operands[1], ins.operands[0].type
            else:
                continue
            try:
                size = alloc_size(value_type)
                root, kind, offset = self.pointer(pointer)
            except (ValueError, IndexError):
                root, kind, offset, size = f"?{ins.idx}", OPAQUE, Linear(), 1 << 40
            result[ins.idx] = Address(root, kind, offset.terms, offset.const, size)
        return result

    def _root_kind(self, text: str) -> str:
        if text in self.noalias:
            return NOALIAS_ARG
        return ARG if text in self.args else OPAQUE

    def pointer(self, op: Operand) -> tuple[str, str, Linear]:
        """(root, root kind, byte offset) of a pointer operand."""
        if op.kind == VALUE:
            return op.text, self._root_kind(op.text), Linear()
        if op.kind == GLOBAL:  # an alias is its aliasee's object; an opaque one may alias any
            return (op.object, GLOBAL_ROOT, Linear()) if op.object else (op.text, OPAQUE, Linear())
        if op.kind != LOCAL:
            return op.text, OPAQUE, Linear()
        ins = self.block.instrs[op.index]
        if ins.opcode == "getelementptr":
            root, kind, offset = self.pointer(ins.operands[0])
            return root, kind, offset + self._gep_offset(ins)
        if ins.opcode in ("bitcast", "addrspacecast"):
            return self.pointer(ins.operands[0])
        if ins.opcode == "alloca":
            return ins.ref, ALLOCA, Linear()
        return ins.ref, OPAQUE, Linear()

    def _gep_offset(self, ins) -> Linear:
        current = gep_source_type(ins.text)
        indices = ins.operands[1:]
        total = self._index(indices[0]).scale(alloc_size(current)) if indices else Linear()
        for index in indices[1:]:
            if current.startswith("{") or current.startswith("<{"):
                field = int(index.text)
                total = total + Linear((), struct_field_offsets(current)[field])
                current = split_top_level(current.strip().strip("<>{} "))[field]
            else:
                current = element_type(current)
                total = total + self._index(index).scale(alloc_size(current))
        return total

    def _index(self, op: Operand) -> Linear:
        # GEP sign-extends indices narrower than the pointer (64 bits here).
        return self.integer(op, "" if op.type == "i64" else "sext")

    def integer(self, op: Operand, ext: str = "") -> Linear:
        """Linear form of an integer operand (``ext``: enclosing sext/zext)."""
        if op.kind == CONST and _INT_CONST.match(op.text):
            return Linear((), int(op.text))
        if op.kind != LOCAL:
            return Linear.atom(f"{ext}({op.text})" if ext else op.text)
        key = (op.index, ext)
        if key not in self._int_memo:
            self._int_memo[key] = self._integer_instr(self.block.instrs[op.index], ext)
        return self._int_memo[key]

    def _integer_instr(self, ins, ext: str) -> Linear:
        opaque = Linear.atom(f"{ext}({ins.ref})" if ext else ins.ref)
        words = set(ins.text.split(" = ", 1)[-1].split(" ")[:4])
        if ext and not ({"sext": "nsw", "zext": "nuw"}[ext] in words or "disjoint" in words):
            if ins.opcode not in ("sext", "zext"):
                return opaque
        ops = ins.operands
        if ins.opcode in ("sext", "zext") and not ext:
            return self.integer(ops[0], ins.opcode)
        if ins.opcode == "add" or (ins.opcode == "or" and "disjoint" in words):
            return self.integer(ops[0], ext) + self.integer(ops[1], ext)
        if ins.opcode == "sub":
            return self.integer(ops[0], ext) + self.integer(ops[1], ext).scale(-1)
        if ins.opcode == "mul" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            return self.integer(ops[0], ext).scale(int(ops[1].text))
        if ins.opcode == "shl" and ops[1].kind == CONST and _INT_CONST.match(ops[1].text):
            return self.integer(ops[0], ext).scale(1 << int(ops[1].text))
        return opaque

