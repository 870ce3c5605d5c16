"""Sizes, alignments and struct layouts from a module's datalayout string.

Follows LLVM 22's ``DataLayout`` (LangRef "Data Layout"):

* defaults ``i8:8 i16:16 i32:32 i64:32:64 f16:16 f32:32 f64:64 f128:128
  v64:64 v128:128 a:0:64 p:64:64:64:64``; a specification replaces the
  default of its width;
* an integer width without a specification takes the ABI alignment of the
  next larger specified width, else of the largest (``i24`` -> ``i32``'s);
* a floating-point or vector width without a specification is aligned to its
  store size rounded up to a power of two (``<3 x float>``: 16 bytes);
* store size is ``ceil(bits / 8)`` (vectors are bit-packed: ``<8 x i1>`` is 1
  byte, ``<3 x i8>`` 3 bytes), alloc size the store size rounded up to the ABI
  alignment (what a GEP steps by);
* struct fields are placed at their ABI alignment (1 in a packed struct), the
  struct is padded to its largest field alignment, and its own ABI alignment
  is at least the ``a:`` alignment (packed structs: 1).

Types are LLVM type text as printed (``<3 x float>``, ``{ i8, [4 x i16] }``,
``ptr addrspace(1)``). Named struct types (``%struct.S``) need the module's
type definitions, which this class does not hold: sizing them raises
:class:`LayoutError`, so callers replace them by their bodies first
(:func:`slpvec.ir.typesize.literal_type` with ``Function.named_types``) and
treat what still fails as unknown, never guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .typesize import struct_fields

# clang-22's datalayout for x86_64-pc-linux-gnu (the host every tool here runs on).
X86_64_LINUX = ("e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128"
                "-n8:16:32:64-S128")

_FLOAT_BITS = {"half": 16, "bfloat": 16, "float": 32, "double": 64, "x86_fp80": 80,
               "fp128": 128, "ppc_fp128": 128}
_INT = re.compile(r"^i(\d+)$")
_POINTER = re.compile(r"^ptr(?: addrspace\((\d+)\))?$")
_ARRAY = re.compile(r"^\[(\d+) x (.+)\]$")
_VECTOR = re.compile(r"^<(\d+) x (.+)>$")
_POINTER_SPEC_AS = re.compile(r"^[euzo]*(\d*)(?:\([^)]*\))?$")


class LayoutError(ValueError):
    """A datalayout string or a type this module cannot lay out exactly."""


@dataclass(frozen=True)
class PointerSpec:
    """Pointers of one address space: size, ABI alignment (bytes), index width."""

    bits: int
    abi_align: int
    index_bits: int


@dataclass(frozen=True)
class DataLayout:
    """A parsed datalayout string (build with :meth:`parse`).

    ``ints``/``floats``/``vectors``: ``(bit width, ABI alignment in bytes)``
    sorted by width; ``aggregate_align``: the ``a:`` ABI alignment in bytes;
    ``pointers``: ``(address space, PointerSpec)`` sorted by address space.
    """

    text: str
    big_endian: bool
    ints: tuple[tuple[int, int], ...]
    floats: tuple[tuple[int, int], ...]
    vectors: tuple[tuple[int, int], ...]
    aggregate_align: int
    pointers: tuple[tuple[int, PointerSpec], ...]

    def __hash__(self) -> int:  # layouts key the size caches: hash the text only
        return hash(self.text)

    @staticmethod
    def parse(text: str) -> "DataLayout":
        """The layout a datalayout string describes (cached; ``""``: LLVM's
        defaults). Raises :class:`LayoutError` for a string LLVM would reject
        or one with parts this module does not know."""
        return _parse(text)

    # -- pointers ------------------------------------------------------------
    def pointer(self, addrspace: int = 0) -> PointerSpec:
        """The pointer specification of ``addrspace`` (address space 0's if
        the string gives none for it, as in LLVM)."""
        return _pointer_spec(self, addrspace)

    @property
    def pointer_bits(self) -> int:
        """Size of a pointer of address space 0 in bits."""
        return self.pointer(0).bits

    @property
    def index_bits(self) -> int:
        """Width of GEP address arithmetic in address space 0 (bits)."""
        return self.pointer(0).index_bits

    # -- types ---------------------------------------------------------------
    def size_bits(self, type_text: str) -> int:
        """Bits of a value of the type (``i24``: 24, ``<3 x float>``: 96)."""
        return _info(self, type_text.strip())[0]

    def store_size(self, type_text: str) -> int:
        """Bytes a load/store of the type touches: ``ceil(bits / 8)``."""
        return -(-self.size_bits(type_text) // 8)

    def abi_align(self, type_text: str) -> int:
        """ABI alignment of the type in bytes."""
        return _info(self, type_text.strip())[1]

    def alloc_size(self, type_text: str) -> int:
        """Bytes between consecutive values of the type in memory (array
        elements, GEP steps): the store size rounded up to the ABI alignment."""
        return _round_up(self.store_size(type_text), self.abi_align(type_text))

    def struct_field_offsets(self, type_text: str) -> tuple[int, ...]:
        """Byte offset of each field of a literal struct type."""
        packed, fields = struct_fields(type_text.strip())
        if fields is None:
            raise LayoutError(f"not a literal struct type: {type_text!r}")
        return _struct_layout(self, tuple(fields), packed)[0]


@lru_cache(maxsize=256)
def _pointer_spec(layout: DataLayout, addrspace: int) -> PointerSpec:
    specs = dict(layout.pointers)
    return specs.get(addrspace, specs[0])


def _round_up(value: int, align: int) -> int:
    return -(-value // align) * align


def _power_of_two_ceil(value: int) -> int:
    return 1 << max(value - 1, 0).bit_length()


@lru_cache(maxsize=256)
def _struct_layout(layout: DataLayout, fields: tuple[str, ...],
                   packed: bool) -> tuple[tuple[int, ...], int, int]:
    """(field offsets, size in bytes, alignment of its fields) of a struct."""
    offsets, size, align = [], 0, 1
    for field in fields:
        field_align = 1 if packed else layout.abi_align(field)
        size = _round_up(size, field_align)
        align = max(align, field_align)
        offsets.append(size)
        size += layout.alloc_size(field)
    return tuple(offsets), _round_up(size, align), align


@lru_cache(maxsize=4096)
def _info(layout: DataLayout, t: str) -> tuple[int, int]:
    """(size in bits, ABI alignment in bytes) of type text ``t``."""
    if match := _INT.match(t):
        bits = int(match.group(1))
        return bits, _int_align(layout, bits)
    if t in _FLOAT_BITS:
        bits = _FLOAT_BITS[t]
        exact = dict(layout.floats).get(bits)
        return bits, exact or _power_of_two_ceil(bits // 8)
    if match := _POINTER.match(t):
        spec = layout.pointer(int(match.group(1) or 0))
        return spec.bits, spec.abi_align
    if match := _ARRAY.match(t):
        element = match.group(2)
        return int(match.group(1)) * layout.alloc_size(element) * 8, layout.abi_align(element)
    packed, fields = struct_fields(t)
    if fields is not None:
        _, size, align = _struct_layout(layout, tuple(fields), packed)
        return size * 8, 1 if packed else max(align, layout.aggregate_align)
    if match := _VECTOR.match(t):
        element = match.group(2)
        if not (_INT.match(element) or element in _FLOAT_BITS or _POINTER.match(element)):
            raise LayoutError(f"cannot lay out type {t!r}")
        bits = int(match.group(1)) * layout.size_bits(element)
        exact = dict(layout.vectors).get(bits)
        return bits, exact or _power_of_two_ceil(-(-bits // 8))
    raise LayoutError(f"cannot lay out type {t!r}")


def _int_align(layout: DataLayout, bits: int) -> int:
    for width, align in layout.ints:
        if width >= bits:
            return align
    return layout.ints[-1][1]


_DEFAULT_INTS = ((8, 1), (16, 2), (32, 4), (64, 4))
_DEFAULT_FLOATS = ((16, 2), (32, 4), (64, 8), (128, 16))
_DEFAULT_VECTORS = ((64, 8), (128, 16))


def _alignment(text: str, allow_zero: bool = False) -> int:
    """Bytes of an alignment written in bits (a power of two times 8)."""
    if not text.isdigit():
        raise LayoutError(f"bad alignment {text!r}")
    value = int(text)
    if value == 0 and allow_zero:
        return 1
    if value == 0 or value % 8 or (value // 8) & (value // 8 - 1):
        raise LayoutError(f"bad alignment {text!r}")
    return value // 8


def _abi_and_preferred(parts: list[str], allow_zero: bool = False) -> int:
    """The ABI alignment (bytes) of ``<abi>[:<pref>]``, checking the preferred."""
    abi = _alignment(parts[0], allow_zero)
    if len(parts) > 1 and _alignment(parts[1]) < abi:
        raise LayoutError("preferred alignment cannot be less than the ABI alignment")
    return abi


def _width(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise LayoutError(f"bad size {text!r}")
    return int(text)


@lru_cache(maxsize=64)
def _parse(text: str) -> DataLayout:
    specs = {"i": dict(_DEFAULT_INTS), "f": dict(_DEFAULT_FLOATS), "v": dict(_DEFAULT_VECTORS)}
    pointers = {0: PointerSpec(64, 8, 64)}
    big_endian, aggregate = False, 1
    for item in text.split("-") if text else ():
        head, parts = item[:1], item[1:].split(":")
        if item in ("e", "E"):
            big_endian = item == "E"
        elif head in "ifv" and head and len(parts) in (2, 3):
            width, abi = _width(parts[0]), _abi_and_preferred(parts[1:])
            if head == "i" and width == 8 and abi != 1:
                raise LayoutError("i8 must be 8-bit aligned")
            specs[head][width] = abi
        elif head == "a" and len(parts) in (2, 3) and parts[0] in ("", "0"):
            aggregate = _abi_and_preferred(parts[1:], allow_zero=True)
        elif head == "p" and len(parts) in (3, 4, 5):
            match = _POINTER_SPEC_AS.match(parts[0])
            bits = _width(parts[1])
            index = _width(parts[4]) if len(parts) == 5 else bits
            if not match or index > bits:
                raise LayoutError(f"bad pointer specification {item!r}")
            pointers[int(match.group(1) or 0)] = PointerSpec(
                bits, _abi_and_preferred(parts[2:4]), index)
        elif head in "mSAPGFn" and head or item.startswith("ni:"):
            pass  # mangling, stack/alloca/program/global address spaces, native ints
        else:
            raise LayoutError(f"unknown datalayout specification {item!r}")
    return DataLayout(text, big_endian, *(tuple(sorted(specs[k].items())) for k in "ifv"),
                      aggregate, tuple(sorted(pointers.items())))


__all__ = ["DataLayout", "LayoutError", "PointerSpec", "X86_64_LINUX"]


UNKNOWN_LAYOUT = "?"  # parses to LayoutError: every size and offset unknown


@lru_cache(maxsize=32)
def effective_layout(data_layout: str, triple: str) -> str:
    """The datalayout code is compiled under: the module's own, else the
    triple's default (llc-22 derives it from the triple: i686 has 4-byte
    pointers), ``""`` with neither (host defaults, see
    :func:`slpvec.analysis.address.function_layouts`), and
    :data:`UNKNOWN_LAYOUT` for a triple LLVM has no target for."""
    if data_layout or not triple:
        return data_layout
    import llvmlite.binding as llvm
    llvm.initialize_all_targets()
    try:
        return str(llvm.Target.from_triple(triple).create_target_machine().target_data)
    except RuntimeError:
        return UNKNOWN_LAYOUT
