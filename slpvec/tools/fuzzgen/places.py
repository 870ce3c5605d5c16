"""Memory places of a fuzz block and the many spellings of one address.

A *place* is an object (an argument buffer or a global, whatever name an
alias gives it) and a byte offset. One place can be spelled as a flat GEP over
the element type, a byte GEP, a chain of GEPs, a field of a struct array
(padded or packed), a component of a ``<3 x float>`` array, an index into a
global's array type, or (wrap and pointer32 classes) GEPs whose constants
only meet the place modulo 2^64 (2^32 with 32-bit pointers). Lanes of a group
sit at offsets consecutive under one layout *belief* (:mod:`.layout`), each
spelled at random, so a vectorizer that sizes types or resolves addresses
wrongly merges lanes that are not adjacent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .layout import alloc_size, field_offset, is_aggregate, split_fields, store_size

STRUCTS = ("{ i8, i32, double }", "<{ i8, i32, double }>", "{ i32, double }", "{ i32, i64 }",
           "{ i16, i8, i16 }", "<{ i8, i16, i32 }>", "{ i8, { i16, i32 } }", "{ double, i32 }",
           "{ i64, i8 }", "{ half, float, half }", "<{ half, i8, float }>", "{ i24, i8 }",
           "{ i1, i8, i16 }", "{ float, float, float, i8 }", "[3 x { i8, i32 }]")
VEC3 = ("<3 x float>", "{ <3 x float>, float }", "[2 x <3 x float>]")
WINDOW = 192      # bytes a group's lanes span at most


@dataclass(frozen=True)
class Obj:
    """A memory object: ``key`` names it (``%a0``, ``@g3``, ``@0``), ``names``
    are the texts that refer to it (aliases included); ``table`` objects are
    globals whose every byte was initialized by the generator (i1: 0 or 1)."""

    key: str
    names: tuple[str, ...]
    elem: str = ""          # element type of a table global
    table: bool = False


@dataclass(frozen=True)
class Step:
    """One GEP: source element type, constant indices, inbounds or not."""

    src: str
    indices: tuple[int, ...]
    inbounds: bool = True

    def text(self, base: str) -> str:
        flag = "inbounds " if self.inbounds else ""
        return f"getelementptr {flag}{self.src}, ptr {base}, {_index_list(self.src, self.indices)}"

    def offset(self, layout: str) -> int:
        """Byte offset this step adds under ``layout`` (not reduced modulo 2^64)."""
        off, current = self.indices[0] * alloc_size(layout, self.src), self.src
        for index in self.indices[1:]:
            off += field_offset(layout, current, index)
            current = split_fields(current)[index]
        return off


def _index_list(src: str, indices: tuple[int, ...]) -> str:
    parts, current = [f"i64 {indices[0]}"], src
    for index in indices[1:]:
        width = "i32" if current.lstrip("<").startswith("{") else "i64"
        parts.append(f"{width} {index}")
        current = split_fields(current)[index]
    return ", ".join(parts)


def offset_of(layout: str, steps: tuple[Step, ...]) -> int:
    """Byte offset of a spelling under ``layout``, modulo 2^64 as addresses wrap."""
    return sum(step.offset(layout) for step in steps) % 2**64


def _leaves(type_text: str, path: tuple[int, ...] = ()):
    """(index path, scalar type) of every scalar inside an aggregate."""
    if not is_aggregate(type_text):
        yield path, type_text
        return
    for k, field in enumerate(split_fields(type_text)):
        yield from _leaves(field, path + (k,))


def aggregate_spellings(elem: str, pools: tuple[str, ...], count: int = 12):
    """Spellings through aggregate arrays (struct fields, vec3 components)
    whose leaf has type ``elem``: element j of the aggregate array, field path."""
    for aggregate in pools:
        for path, leaf in _leaves(aggregate):
            if leaf == elem:
                for j in range(count):
                    yield (Step(aggregate, (j,) + path),)
                    if aggregate == "<3 x float>":  # as clang emits a component access
                        yield Step(aggregate, (j,)), Step("i8", (4 * path[0],))


def respell(rng: random.Random, elem: str, true_off: int, layout: str, wrap_bits: int,
            table_type: str = "") -> tuple[Step, ...]:
    """Another spelling of byte offset ``true_off`` for an ``elem`` access:
    byte GEP, flat GEP, a chain, a global's array type, or (``wrap_bits``
    not 0) GEPs meeting it modulo 2^wrap_bits."""
    size = alloc_size(layout, elem)
    choices = ["byte", "chain"] + (["flat"] * 2 if true_off % size == 0 else [])
    if table_type and true_off % size == 0:
        choices.append("table")
    if wrap_bits:
        choices += ["wrap", "wrap"]
    kind = rng.choice(choices)
    if kind == "flat":
        return (Step(elem, (true_off // size,)),) if true_off else ()
    if kind == "table":
        return (Step(table_type, (0, true_off // size)),)
    if kind == "chain":
        first = rng.randrange(0, true_off + 64, 8)
        rest = true_off - first
        if rest % size == 0:
            return Step("i8", (first,)), Step(elem, (rest // size,))
        return Step("i8", (first,)), Step("i8", (rest,))
    if kind == "wrap":
        return wrapping(rng, elem, true_off, size, wrap_bits)
    return (Step("i8", (true_off,)),)


def wrapping(rng: random.Random, elem: str, true_off: int, size: int,
             bits: int = 64) -> tuple[Step, ...]:
    """Non-inbounds GEPs reaching ``true_off`` only modulo 2^bits (the index
    width): a scaled index past 2^bits bytes, or a chain of constants summing
    to 2^bits + off."""
    if (size > 1 or bits < 64) and true_off % size == 0 and rng.random() < 0.5:
        index = true_off // size + 2**bits // size
        return (Step(elem, (signed(index, 64),), inbounds=False),)
    big = 2**(bits - 1) - 1 if rng.random() < 0.5 else -2**(bits - 1)
    rest = signed(true_off - 2 * big, bits)  # big + big + rest == true_off (mod 2^bits)
    return (Step("i8", (big,), False), Step("i8", (big,), False), Step("i8", (rest,), False))


def signed(value: int, bits: int) -> int:
    """``value`` modulo 2^bits as a signed ``bits``-bit integer (how IR prints it)."""
    value %= 2**bits
    return value - 2**bits if value >= 2**(bits - 1) else value


def lane_spellings(rng: random.Random, elem: str, lanes: int, pools: tuple[str, ...],
                   layout: str, belief: str, wrap_bits: int, table_type: str = ""
                   ) -> list[tuple[int, tuple[Step, ...]]]:
    """(true offset, spelling) for ``lanes`` accesses of ``elem`` that are
    consecutive under the ``belief`` layout, starting where an aggregate
    spelling (if any) lies. True offsets stay within [0, WINDOW + 64)."""
    step = alloc_size(belief, elem)
    by_belief: dict[int, list[tuple[Step, ...]]] = {}
    for spelling in aggregate_spellings(elem, pools):
        if offset_of(layout, spelling) < WINDOW:
            by_belief.setdefault(offset_of(belief, spelling), []).append(spelling)
    starts = [off for off in by_belief if off + lanes * step <= WINDOW]
    start = rng.choice(sorted(starts)) if starts and rng.random() < 0.8 else \
        rng.randrange(0, WINDOW // 2, step)
    out = []
    for lane in range(lanes):
        want = start + lane * step
        spellings = by_belief.get(want, [])
        if spellings and rng.random() < 0.7:
            spelling = rng.choice(spellings)
            out.append((offset_of(layout, spelling), spelling))
            continue
        if want % step == 0 and rng.random() < 0.7:  # flat: element want/step
            true_off = want // step * alloc_size(layout, elem)
            if rng.random() < 0.6:
                out.append((true_off, (Step(elem, (want // step,)),)))
                continue
        else:
            true_off = want
        out.append((true_off, respell(rng, elem, true_off, layout, wrap_bits, table_type)))
    return out


def align_of(elem: str, true_off: int) -> int:
    """The ``align`` an access of ``elem`` at ``true_off`` (objects 16-aligned)
    may claim: natural alignment, reduced by the offset's."""
    natural = 1
    while natural < store_size(elem):
        natural *= 2
    low = true_off & -true_off if true_off else 16
    return min(natural, low, 16)
