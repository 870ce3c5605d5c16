"""Type sizes and field offsets for the fuzz generator, under a datalayout or naively.

The generator places lanes at byte offsets that are consecutive under some
*belief* about the layout: the module's true datalayout (llvmlite's target
data), the host's (x86-64) when the module has another one, or a naive one
that packs every struct, sizes ``<3 x float>`` 12 and ``i24`` 3 bytes. Lanes
consecutive under a wrong belief must not be merged by a correct vectorizer.
"""

from __future__ import annotations

from functools import lru_cache

HOST_LAYOUT = ("e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-"
               "n8:16:32:64-S128")
# i386-like alignment (i64 and double 4-aligned) with 64-bit pointers, so the
# host JIT can run it once GEPs are lowered to byte offsets (see slpvec.tools.fuzz)
FOREIGN_LAYOUT = "e-m:e-i64:32-f64:32:64-n32:64-S128"
# i386-like with 32-bit pointers: the host JIT runs it too once GEPs are byte
# offsets, which instcombine reduces modulo 2^32 (the index width)
POINTER32_LAYOUT = "e-m:e-p:32:32-i64:32-f64:32:64-n32-S128"
NAIVE = "naive"

_SCALAR_BYTES = {"i1": 1, "i8": 1, "i16": 2, "i24": 3, "i32": 4, "i64": 8, "half": 2,
                 "float": 4, "double": 8, "ptr": 8}


def split_fields(aggregate: str) -> list[str]:
    """Top-level fields of ``{ a, b }`` / ``<{ a, b }>``, or ``[n x t]`` / ``<n x t>``
    as n copies of t."""
    t = aggregate.strip()
    if t[0] in "[<" and " x " in t and not t.startswith("<{"):
        count, elem = t[1:-1].split(" x ", 1)
        return [elem.strip()] * int(count)
    body = t[2:-2] if t.startswith("<{") else t[1:-1]
    fields, depth, start = [], 0, 0
    for pos, ch in enumerate(body):
        depth += ch in "<[{"
        depth -= ch in ">]}"
        if ch == "," and depth == 0:
            fields.append(body[start:pos].strip())
            start = pos + 1
    return fields + [body[start:].strip()]


def is_aggregate(type_text: str) -> bool:
    return type_text[0] in "{[<"


@lru_cache(maxsize=None)
def _target(layout: str):
    import llvmlite.binding as llvm
    return llvm.create_target_data(layout)


@lru_cache(maxsize=None)
def _typeref(layout: str, type_text: str):
    import llvmlite.binding as llvm
    module = llvm.parse_assembly(f'target datalayout = "{layout}"\n'
                                 f"@t = external global {type_text}\n")
    return module, module.get_global_variable("t").global_value_type


@lru_cache(maxsize=None)
def alloc_size(layout: str, type_text: str) -> int:
    """Bytes between consecutive array elements of the type under ``layout``."""
    if layout == NAIVE:
        if type_text in _SCALAR_BYTES:
            return _SCALAR_BYTES[type_text]
        return sum(alloc_size(NAIVE, f) for f in split_fields(type_text))
    return _target(layout).get_abi_size(_typeref(layout, type_text)[1])


@lru_cache(maxsize=None)
def field_offset(layout: str, type_text: str, index: int) -> int:
    """Byte offset of field/element ``index`` of an aggregate type."""
    fields = split_fields(type_text)
    if layout == NAIVE or not type_text.lstrip("<").startswith("{"):
        return sum(alloc_size(layout, f) for f in fields[:index])
    return _target(layout).get_element_offset(_typeref(layout, type_text)[1], index)


def store_size(type_text: str) -> int:
    """Bytes a load or store of a scalar type touches."""
    return _SCALAR_BYTES[type_text]
