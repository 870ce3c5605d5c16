"""Address analysis: every load/store address as root + linear terms + offset.

An address is ``root + sum(coef * term) + offset`` bytes, where ``root`` is
the underlying pointer (argument, global object, alloca, or an opaque pointer
value), ``terms`` are integer values the address scales with (loop indices),
and ``offset`` a constant. Two accesses with the same root and terms are at a
known distance; that is what makes loads/stores consecutive. The forms come
from :mod:`slpvec.analysis.value_forms`, which follows pointers and indices
through the whole function (a GEP hoisted into the preheader is taken apart
like a local one), and an access touches its type's store size.

Two accesses through different roots may alias by the roots' kinds: distinct
identified objects (globals, allocas, ``noalias`` arguments) never do, nor
an argument and an alloca or ``noalias`` argument. An opaque root (a phi, a
select) whose underlying objects are known (:mod:`slpvec.analysis.objects`)
becomes a root of kind OBJECTS and aliases by those objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import gcd

from ..ir.datalayout import LayoutError
from ..ir.types import LOAD, STORE, Block, Function
from .objects import ObjectSet, underlying_objects
from .linear import CONST_WRAPS, Linear, Shift, wrap_signed
from .value_forms import (ALLOCA, ARG, GLOBAL_ROOT, NOALIAS_ARG, OBJECTS, OPAQUE, ROOT_KINDS,
                          PointerForm, ValueForms, forms_of, function_layouts)

__all__ = ["ALLOCA", "ARG", "GLOBAL_ROOT", "NOALIAS_ARG", "OBJECTS", "OPAQUE", "ROOT_KINDS",
           "Address", "AddressAnalysis", "Linear", "function_layouts", "kinds_may_alias",
           "may_alias", "objects_may_alias", "ranges_overlap", "shift_distance", "shifted_apart"]

_IDENTIFIED = {NOALIAS_ARG, GLOBAL_ROOT, ALLOCA}
UNKNOWN_SIZE = 1 << 62  # an access of unknown extent covers everything
WIDE = 64  # bytes; wider accesses overlap every access of their root and terms
# Residues (see may_alias) are used for a root with at most this many sets of
# terms and distinct (terms, offset) pairs, no access wider than WIDE: the
# conflict index compares an access with each of the others' offsets.
MAX_RESIDUE_CLASSES, MAX_RESIDUE_OFFSETS = 16, 256
# A block with more roots of known objects than this treats them all as opaque
# (their pairwise alias relation is computed explicitly: keep it small).
MAX_OBJECT_ROOTS = 64


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
    objects: ObjectSet | None = None  # of a root of kind OBJECTS: (name, kind) pairs
    exact: bool = False  # terms + offset hold in the integers (Linear.exact), for all
    residues: bool = False  # of its root's accesses with these terms; see may_alias
    shifts: tuple[tuple[str, Shift], ...] = ()  # of its terms: see shift_distance
    wrapping: frozenset[str] = frozenset()  # Linear.wrapping, for all; see residue_modulus

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
    same memory? (Roots of kind OBJECTS: see :func:`objects_may_alias`.)"""
    kinds = {kind_a, kind_b}
    if kinds <= _IDENTIFIED:
        return False
    # A noalias argument or a local alloca is never reachable from another argument.
    return not (ARG in kinds and kinds & {NOALIAS_ARG, ALLOCA} and len(kinds) == 2)


def objects_may_alias(a: Address, b: Address) -> bool:
    """May two accesses through different roots touch the same memory, one
    of them (at least) through a root of kind OBJECTS? Only if some object
    of one may alias some object of the other."""
    if OPAQUE in (a.root_kind, b.root_kind):
        return True
    return any(x == y or kinds_may_alias(x_kind, y_kind)
               for x, x_kind in _objects(a) for y, y_kind in _objects(b))


def _objects(addr: Address) -> ObjectSet:
    return addr.objects if addr.root_kind == OBJECTS else frozenset({(addr.root, addr.root_kind)})


def residue_modulus(a: Address, b: Address) -> int:
    """A modulus the distance between two accesses of one root with
    different terms is known by: the gcd, over the terms whose coefficients
    differ, of the lowest set bit of the difference (the address arithmetic
    is exact modulo a power of two), or of the whole coefficient of a term
    only one of them has when its product there does not wrap and neither
    constant part may have (LLVM's BasicAA: the scale of an index with
    ``nsw``, and none that two GEPs share; an index both have with one
    scale cancels, wrapping or not)."""
    mine, theirs = dict(a.terms), dict(b.terms)
    modulus = 0
    for name in mine.keys() | theirs.keys():
        delta = wrap_signed(mine.get(name, 0) - theirs.get(name, 0), a.index_bits)
        if delta:
            owner = a if name in mine else b
            whole = (name not in mine or name not in theirs) and name not in owner.wrapping \
                and CONST_WRAPS not in a.wrapping | b.wrapping
            modulus = gcd(modulus, abs(delta) if whole else delta & -delta)
    return modulus


def shift_distance(a: Address, b: Address) -> int:
    """A lower bound on the absolute byte distance between two accesses of
    one root beyond their offsets (0: none known). LLVM's BasicAA rule for
    two indices whose scales cancel: the terms differ in exactly ``s*t0``
    and ``-s*t1`` where ``t0`` is ``t1`` shifted (:class:`Shift`), so the
    distance is at least ``|s| * distance``, while ``|s| * 2**bits`` keeps it
    from wrapping."""
    mine, theirs = dict(a.terms), dict(b.terms)
    delta = {name: wrap_signed(mine.get(name, 0) - theirs.get(name, 0), a.index_bits)
             for name in mine.keys() | theirs.keys()}
    delta = {name: coef for name, coef in delta.items() if coef}
    if len(delta) != 2 or sum(delta.values()) != 0:
        return 0
    scale = abs(next(iter(delta.values())))
    shifts = dict(a.shifts + b.shifts)
    for term, other in (tuple(delta), tuple(delta)[::-1]):
        shift = shifts.get(term)
        if shift and shift.base == other and scale << (shift.bits + 2) < 1 << a.index_bits:
            return scale * shift.distance
    return 0


def shifted_apart(a: Address, distance: int, offset: int, size: int) -> bool:
    """Do ``a`` and ``size`` bytes at ``offset`` of another class of its root
    never overlap, the two at least ``distance`` bytes apart beyond their
    offsets (:func:`shift_distance`)?"""
    gap = a.offset - offset
    return bool(distance) and abs(gap) < 1 << 40 and gap + distance >= size \
        and gap - distance <= -a.size


def may_alias(a: Address, b: Address) -> bool:
    """Conservative alias query for two accesses of one block. With the same
    root and terms the byte ranges decide; with different terms too, when
    both allow residues: bytes that cannot overlap modulo
    :func:`residue_modulus` never overlap."""
    if a.root == b.root:
        if a.terms == b.terms:
            return a.overlaps(b)
        return not (a.residues and b.residues) or ranges_overlap(
            a.offset, a.size, b.offset, b.size, residue_modulus(a, b)) and not shifted_apart(
            a, shift_distance(a, b), b.offset, b.size)
    if OBJECTS in (a.root_kind, b.root_kind):
        return objects_may_alias(a, b)
    return kinds_may_alias(a.root_kind, b.root_kind)


class AddressAnalysis:
    """Computes :class:`Address` for every load and store of one block, its
    pointers followed through the whole function when ``function`` is given
    (:mod:`slpvec.analysis.value_forms`), opaque roots resolved to their
    underlying objects (:mod:`slpvec.analysis.objects`)."""

    def __init__(self, block: Block, function: Function | None = None):
        self.block = block
        number = next((n for n, b in enumerate(function.blocks) if b is block), None) \
            if function is not None else None
        if number is None:  # a block analysed alone
            self.forms, self.number = ValueForms((block,), function, False), 0
        else:
            self.forms, self.number = forms_of(function), number

    def addresses(self) -> dict[int, Address]:
        """Address of each load/store, keyed by instruction index."""
        forms, b = self.forms, self.number
        forms.prepare(b)  # in order: every local chain is met link by link
        result = {}
        opaque_roots: dict[str, PointerForm] = {}
        for ins in self.block.instrs:
            if ins.kind == LOAD:
                pointer, value_type = ins.operands[0], ins.type
            elif ins.kind == STORE:
                pointer, value_type = ins.operands[1], ins.operands[0].type
            else:
                continue
            try:
                size = forms.agreed(lambda layout: layout.store_size(value_type))
                form = forms.pointer(pointer, b)
            except (LayoutError, ValueError, IndexError, RecursionError):
                result[ins.idx] = Address(f"?{ins.idx}", OPAQUE, (), 0, UNKNOWN_SIZE)
                continue
            if form.kind == OPAQUE:
                opaque_roots[form.root] = form
            shifts = tuple((name, forms.shifts[name]) for name, _ in form.offset.terms
                           if name in forms.shifts)
            result[ins.idx] = Address(form.root, form.kind, form.offset.terms, form.offset.const,
                                      size, form.index_bits, exact=form.offset.exact,
                                      shifts=shifts, wrapping=form.offset.wrapping)
        result = _with_residues(result)
        known = {root: objects for root, form in opaque_roots.items()
                 if (objects := underlying_objects(forms, form)) is not None}
        if not known or len(known) > MAX_OBJECT_ROOTS:
            return result
        return {idx: replace(addr, root_kind=OBJECTS, objects=known[addr.root])
                if addr.root in known else addr for idx, addr in result.items()}


def _with_residues(addresses: dict[int, Address]) -> dict[int, Address]:
    """Exactness made the same for every access of one root and terms (all
    exact or none; a term wrapping in one wraps in all), and residues
    allowed for the roots within the limits."""
    classes: dict[str, dict[tuple, list[Address]]] = {}
    for addr in addresses.values():
        classes.setdefault(addr.root, {}).setdefault(addr.terms, []).append(addr)
    fixed: dict[tuple, tuple[bool, bool, frozenset[str]]] = {}
    for root, by_terms in classes.items():
        allowed = (1 < len(by_terms) <= MAX_RESIDUE_CLASSES
                   and sum(len({a.offset for a in members})
                           for members in by_terms.values()) <= MAX_RESIDUE_OFFSETS
                   and all(a.size <= WIDE for members in by_terms.values() for a in members))
        for terms, members in by_terms.items():
            fixed[(root, terms)] = (all(a.exact for a in members), allowed,
                                    frozenset().union(*(a.wrapping for a in members)))
    return {idx: replace(addr, exact=fixed[(addr.root, addr.terms)][0],
                         residues=fixed[(addr.root, addr.terms)][1],
                         wrapping=fixed[(addr.root, addr.terms)][2])
            for idx, addr in addresses.items()}
