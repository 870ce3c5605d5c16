"""Linear integer forms: ``sum(coef * term) + const`` with what may have wrapped.

The value type of :mod:`slpvec.analysis.value_forms` (which computes them for
a function's values) and of the address analysis built on it: :class:`Linear`
sums, :class:`Shift` facts about extended indices, and signed wrapping at an
index width.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


def wrap_signed(value: int, bits: int) -> int:
    """``value`` modulo ``2**bits``, in ``[-2**(bits-1), 2**(bits-1))``."""
    half = 1 << (bits - 1)
    return ((value + half) & ((1 << bits) - 1)) - half


@dataclass(frozen=True)
class Linear:
    """``sum(coef * term) + const``; terms sorted by name. ``exact``: the
    value is that sum in the integers, no step of it wrapped (every add, sub,
    mul and shl ``nsw``, every GEP ``inbounds``/``nusw``; else the sum holds
    modulo the width only). Sums are exact when both parts are; the callers
    clear it where a step may wrap. ``wrapping``: the terms whose own
    product may have wrapped (LLVM BasicAA's index without ``nsw``), and
    :data:`CONST_WRAPS` when the constant or a step adding to it may have;
    empty when ``exact``."""

    terms: tuple[tuple[str, int], ...] = ()
    const: int = 0
    exact: bool = True
    wrapping: frozenset[str] = frozenset()

    @staticmethod
    def atom(name: str) -> "Linear":
        return Linear(((name, 1),), 0)

    def __add__(self, other: "Linear") -> "Linear":
        merged = dict(self.terms)
        for name, coef in other.terms:
            merged[name] = merged.get(name, 0) + coef
        # a term both have is one merged index: BasicAA keeps no nsw for it
        shared = {name for name, _ in other.terms if name in dict(self.terms)}
        return Linear(tuple(sorted((n, c) for n, c in merged.items() if c)),
                      self.const + other.const, self.exact and other.exact,
                      _present(merged, self.wrapping | other.wrapping | shared))

    def scale(self, factor: int) -> "Linear":
        if factor == 0:
            return Linear()
        return Linear(tuple((n, c * factor) for n, c in self.terms), self.const * factor,
                      self.exact, self.wrapping)

    def wrapped(self, bits: int) -> "Linear":
        """The same value in ``bits``-bit arithmetic: coefficients and constant
        modulo ``2**bits`` (signed), terms whose coefficient vanishes dropped."""
        terms = tuple((n, c) for n, c in ((n, wrap_signed(c, bits)) for n, c in self.terms) if c)
        return Linear(terms, wrap_signed(self.const, bits), self.exact,
                      _present(dict(terms), self.wrapping))

    def inexact_unless(self, no_wrap: bool) -> "Linear":
        """This value, still exact only if ``no_wrap`` (else every term and
        the constant may have wrapped)."""
        if no_wrap:
            return self
        return replace(self, exact=False,
                       wrapping=frozenset(n for n, _ in self.terms) | {CONST_WRAPS})

    def terms_wrap_unless(self, no_wrap: bool) -> "Linear":
        """This value, its terms' products no longer known not to wrap unless
        ``no_wrap`` (the constant unaffected)."""
        if no_wrap:
            return self
        return replace(self, exact=False,
                       wrapping=self.wrapping | frozenset(n for n, _ in self.terms))


CONST_WRAPS = ""  # in Linear.wrapping: the constant part may have wrapped


def _present(terms: dict, wrapping: frozenset[str]) -> frozenset[str]:
    return frozenset(n for n in wrapping if n == CONST_WRAPS or terms.get(n))


@dataclass(frozen=True)
class Shift:
    """A term that differs from the term ``base`` by at least ``distance``
    in absolute value, and by less than ``2**bits`` (an extension of a
    ``bits``-wide ``base + C`` that may wrap)."""

    base: str
    distance: int
    bits: int
