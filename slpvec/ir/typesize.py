"""Sizes of LLVM first-class types (x86-64 / common 64-bit data layouts)."""

from __future__ import annotations

import re

_SCALAR_BITS = {"i1": 1, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128,
                "half": 16, "bfloat": 16, "float": 32, "double": 64, "fp128": 128,
                "x86_fp80": 80, "ptr": 64}
_ALLOC_BYTES = {"x86_fp80": 16, "i1": 1}
_ARRAY = re.compile(r"^\[(\d+) x (.+)\]$")
_VECTOR = re.compile(r"^<(\d+) x (.+)>$")
_INT = re.compile(r"^i(\d+)$")

# Element types slpvec packs into vectors.
VECTORIZABLE = frozenset({"i1", "i8", "i16", "i32", "i64", "half", "float", "double", "ptr"})


def scalar_bits(type_text: str) -> int | None:
    """Bit width of a scalar type (``float`` -> 32), None if not a scalar."""
    if type_text in _SCALAR_BITS:
        return _SCALAR_BITS[type_text]
    match = _INT.match(type_text)
    return int(match.group(1)) if match else None


def split_top_level(body: str) -> list[str]:
    """Split at commas outside any brackets (struct fields, typed operands)."""
    fields, depth, start = [], 0, 0
    for pos, ch in enumerate(body):
        if ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
        elif ch == "," and depth == 0:
            fields.append(body[start:pos].strip())
            start = pos + 1
    if body[start:].strip():
        fields.append(body[start:].strip())
    return fields


def _align(type_text: str) -> int:
    t = type_text.strip()
    if (m := _ARRAY.match(t)) or (m := _VECTOR.match(t)):
        inner = _align(m.group(2))
        return inner if t.startswith("[") else max(inner, alloc_size(t))
    if t.startswith("{") or t.startswith("<{"):
        packed = t.startswith("<{")
        fields = split_top_level(t.strip("<>{} "))
        return 1 if packed else max((_align(f) for f in fields), default=1)
    bits = scalar_bits(t)
    return max(1, (bits or 8) // 8) if t not in _ALLOC_BYTES else _ALLOC_BYTES[t]


def alloc_size(type_text: str) -> int:
    """Bytes a value of the type occupies in memory, padding included.

    Raises ValueError for types it cannot size (named structs, opaque).
    """
    t = type_text.strip()
    if t in _ALLOC_BYTES:
        return _ALLOC_BYTES[t]
    bits = scalar_bits(t)
    if bits is not None:
        return max(1, (bits + 7) // 8)
    if m := _ARRAY.match(t):
        return int(m.group(1)) * alloc_size(m.group(2))
    if m := _VECTOR.match(t):
        return int(m.group(1)) * alloc_size(m.group(2))
    if t.startswith("{") or t.startswith("<{"):
        packed = t.startswith("<{")
        offset = 0
        for field in split_top_level(t.strip("<>{} ")):
            if not packed:
                offset = -(-offset // _align(field)) * _align(field)
            offset += alloc_size(field)
        align = 1 if packed else _align(t)
        return -(-offset // align) * align
    raise ValueError(f"cannot size type {type_text!r}")


def struct_field_offsets(type_text: str) -> list[int]:
    """Byte offset of each field of a literal struct type."""
    t = type_text.strip()
    packed = t.startswith("<{")
    offsets, offset = [], 0
    for field in split_top_level(t.strip("<>{} ")):
        if not packed:
            offset = -(-offset // _align(field)) * _align(field)
        offsets.append(offset)
        offset += alloc_size(field)
    return offsets


def element_type(type_text: str) -> str:
    """Element type of an array or vector type (``[4 x float]`` -> ``float``)."""
    t = type_text.strip()
    m = _ARRAY.match(t) or _VECTOR.match(t)
    if not m:
        raise ValueError(f"not an array or vector type: {type_text!r}")
    return m.group(2)
