"""LLVM type text: splitting aggregates, element types, scalar widths.

Sizes and alignments depend on the module's datalayout: see
:mod:`slpvec.ir.datalayout`.
"""

from __future__ import annotations

import re

_SCALAR_BITS = {"i1": 1, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128,
                "half": 16, "bfloat": 16, "float": 32, "double": 64, "fp128": 128,
                "x86_fp80": 80, "ptr": 64}
_ARRAY = re.compile(r"^\[(\d+) x (.+)\]$")
_VECTOR = re.compile(r"^<(\d+) x (.+)>$")
_INT = re.compile(r"^i(\d+)$")
_BRACKET = re.compile(r"[<>\[\]{}()]")
# An identified (named) struct type's reference: %struct.S, %"struct.a b".
NAMED_TYPE_NAME = r'%(?:"[^"]*"|[-\w.$]+)'
_NAMED_TYPE = re.compile(NAMED_TYPE_NAME)
# Nested identified types deeper than this are left named (so: unknown).
MAX_TYPE_DEPTH = 16

# Element types slpvec packs into vectors.
VECTORIZABLE = frozenset({"i1", "i8", "i16", "i32", "i64", "half", "float", "double", "ptr"})


def scalar_bits(type_text: str) -> int | None:
    """Bit width of a scalar type (``float`` -> 32), None if not a scalar.

    ``ptr`` counts as 64 bits whatever the datalayout: an upper bound, used
    to limit how many lanes fit a vector register.
    """
    if type_text in _SCALAR_BITS:
        return _SCALAR_BITS[type_text]
    match = _INT.match(type_text)
    return int(match.group(1)) if match else None


def split_top_level(body: str, separator: str = ",") -> list[str]:
    """Split at ``separator`` outside any brackets (struct fields, typed
    operands; words of an argument with ``" "``), each field stripped."""
    if not _BRACKET.search(body):  # the common case, without a loop per character
        parts = body.split(separator)
        fields = [part.strip() for part in parts[:-1]]
        return fields + [parts[-1].strip()] if parts[-1].strip() else fields
    fields, depth, start = [], 0, 0
    for pos, ch in enumerate(body):
        if ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
        elif ch == separator and depth == 0:
            fields.append(body[start:pos].strip())
            start = pos + 1
    if body[start:].strip():
        fields.append(body[start:].strip())
    return fields


def struct_fields(type_text: str) -> tuple[bool, list[str] | None]:
    """(packed, field types) of a literal struct type (``<{ i8, i32 }>`` ->
    ``(True, ["i8", "i32"])``); fields None if the type is not one."""
    t = type_text.strip()
    if t.startswith("<{") and t.endswith("}>"):
        return True, split_top_level(t[2:-2])
    if t.startswith("{") and t.endswith("}"):
        return False, split_top_level(t[1:-1])
    return False, None


def vector_shape(type_text: str) -> tuple[int, str] | None:
    """(lanes, element type) of a fixed vector type (``<4 x float>`` ->
    ``(4, "float")``), None for any other type."""
    m = _VECTOR.match(type_text.strip())
    return (int(m.group(1)), m.group(2)) if m else None


def element_type(type_text: str) -> str:
    """Element type of an array or vector type (``[4 x float]`` -> ``float``)."""
    t = type_text.strip()
    m = _ARRAY.match(t) or _VECTOR.match(t)
    if not m:
        raise ValueError(f"not an array or vector type: {type_text!r}")
    return m.group(2)


def literal_type(type_text: str, named: dict[str, str], depth: int = 0) -> str:
    """``type_text`` with every identified struct type (``%struct.S``)
    replaced by its body from ``named`` (name -> body text), recursively:
    ``[2 x %struct.c]`` with ``%struct.c = type { double, double }`` ->
    ``[2 x { double, double }]``. An opaque or unknown name stays as it is,
    so sizing it still fails (the access stays unknown, never a guess)."""
    if "%" not in type_text or depth > MAX_TYPE_DEPTH:
        return type_text

    def body(match: re.Match) -> str:
        found = named.get(match.group(0))
        if found is None or found == "opaque":
            return match.group(0)
        return literal_type(found, named, depth + 1)

    return _NAMED_TYPE.sub(body, type_text)
