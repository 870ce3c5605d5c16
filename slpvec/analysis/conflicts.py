"""Which earlier memory accesses a load, store or barrier conflicts with, fast.

Two accesses conflict when they may touch the same bytes and at least one
writes; a barrier conflicts with every access and barrier. Comparing every
pair is quadratic in time and, stored as edge tuples, in memory (a
10,000-instruction block: minutes and gigabytes). Instead accesses are filed,
in block order, by what the alias rules of :mod:`slpvec.analysis.address`
look at, and each query is a few operations on bitsets (Python ints, bit i =
instruction i):

* a *class* is one root with one set of terms: inside it, byte ranges decide
  (offsets are looked up in a sorted list near the access's own);
* different classes of one root may alias, unless the root allows residues
  (a few small classes, :func:`slpvec.analysis.address.may_alias`): then
  the other classes' offsets are each compared modulo the residue modulus;
* different roots may alias by their kinds only (two identified objects
  never), except roots of kind OBJECTS (a phi or select whose underlying
  objects are known): those alias the opaque roots, whole kinds of others
  (every argument, for a root that may point into a global), and a few
  roots named one by one (the objects they may point into, other such
  roots sharing an object), each filed in a group of its own.

So the conflicts of an access are "every member of the kinds its kind
aliases, except its own class" plus "the overlapping members of its own
class". For each such set the query returns both the members (the direct
conflicts) and the union of their ancestor sets (what the dependence DAG's
reachability needs), the latter from prefix/suffix OR-trees so that "all
classes but one" costs O(log classes).

An access wider than :data:`WIDE` bytes (an aggregate) is taken to overlap
every access of its class: conservative, and it keeps offset lookups short.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .address import ROOT_KINDS as KINDS
from .address import (ARG, GLOBAL_ROOT, OBJECTS, OPAQUE, WIDE, Address, kinds_may_alias,
                      objects_may_alias, ranges_overlap, residue_modulus, shift_distance,
                      shifted_apart)

# Kinds whose accesses may alias an access of a *different root* of each kind
# (OBJECTS roots only by kind with the opaque ones; see ObjectPartners).
ALIASES = {k: frozenset(other for other in KINDS
                        if kinds_may_alias(k, other) and OBJECTS not in (k, other)
                        or {k, other} == {OBJECTS, OPAQUE}) for k in KINDS}
STORES, ALL = 0, 1  # which members a query wants: stores only (for a load) or all


class OrTree:
    """OR of per-slot values (bitsets that only grow) over all slots but one:
    two Fenwick trees, over prefixes and over suffixes."""

    def __init__(self, n_slots: int):
        self.n = n_slots
        self.prefix = [0] * (n_slots + 1)
        self.suffix = [0] * (n_slots + 1)

    def add(self, slot: int, bits: int) -> None:
        i = slot + 1
        while i <= self.n:
            self.prefix[i] |= bits
            i += i & -i
        i = self.n - slot
        while i <= self.n:
            self.suffix[i] |= bits
            i += i & -i

    @staticmethod
    def _query(tree: list[int], count: int) -> int:
        out = 0
        while count > 0:
            out |= tree[count]
            count -= count & -count
        return out

    def all_but(self, slot: int) -> int:
        """OR of the values of every slot except ``slot``."""
        return self._query(self.prefix, slot) | self._query(self.suffix, self.n - slot - 1)


class Group:
    """Accesses of one kind, or of one root: members and the union of their
    closures (members with their ancestors), per query type; optionally an
    :class:`OrTree` over its classes."""

    def __init__(self, n_classes: int = 0):
        self.members = [0, 0]
        self.closure = [0, 0]
        self.trees = (OrTree(n_classes), OrTree(n_classes)) if n_classes else None

    def add(self, which: tuple[int, ...], slot: int, bit: int, closure: int) -> None:
        for w in which:
            self.members[w] |= bit
            self.closure[w] |= closure
            if self.trees:
                self.trees[w].add(slot, closure)


class Class(Group):
    """Accesses with one root and one set of terms, indexed by offset."""

    def __init__(self, example: Address):
        super().__init__()
        self.example = example  # its terms and exactness are every member's
        self.modulus = 1 << example.index_bits
        self.offsets: list[int] = []  # sorted distinct offsets of narrow members
        self.at: dict[int, list[list]] = {}  # offset -> [[size, stores, all], ...]
        self.widest = 1
        self.wide = Group()

    def add_narrow(self, which: tuple[int, ...], addr: Address, bit: int) -> None:
        if addr.offset not in self.at:
            self.offsets.insert(bisect_left(self.offsets, addr.offset), addr.offset)
            self.at[addr.offset] = []
        entries = self.at[addr.offset]
        entry = next((e for e in entries if e[0] == addr.size), None)
        if entry is None:
            entry = [addr.size, 0, 0]
            entries.append(entry)
        for w in which:
            entry[1 + w] |= bit
        self.widest = max(self.widest, addr.size)

    def overlapping(self, addr: Address, which: int) -> int:
        """Narrow members (stores, or all) whose bytes may overlap ``addr``'s."""
        out = 0
        low, high = addr.offset - self.widest + 1, addr.offset + addr.size - 1
        for offset in self._offsets_between(low, high):
            for size, *masks in self.at[offset]:
                if masks[which] and ranges_overlap(addr.offset, addr.size, offset, size,
                                                   self.modulus):
                    out |= masks[which]
        return out

    def _offsets_between(self, low: int, high: int):
        """Member offsets congruent to a value in [low, high] (offsets are
        kept signed, so the window may wrap around at either end)."""
        half = self.modulus // 2
        spans = [(low, high)]
        if low < -half:
            spans.append((low + self.modulus, half - 1))
        if high >= half:
            spans.append((-half, high - self.modulus))
        seen = set()
        for a, b in spans:
            for offset in self.offsets[bisect_left(self.offsets, a):
                                       bisect_right(self.offsets, b)]:
                if offset not in seen:
                    seen.add(offset)
                    yield offset


class ObjectPartners:
    """What the roots of kind OBJECTS of one block alias besides the opaque
    kind: ``kinds[s]``, whole kinds of roots (arguments, globals) an OBJECTS
    root ``s`` aliases; ``roots[r]``, roots ``r`` aliases one by one (for an
    OBJECTS root: the rest; for any other: the OBJECTS roots it aliases)."""

    def __init__(self, first: dict[str, Address]):
        """``first``: one address of each root of the block."""
        self.kinds: dict[str, frozenset[str]] = {}
        self.roots: dict[str, set[str]] = {}
        by_kind: dict[str, list[str]] = {}
        for root, addr in first.items():
            by_kind.setdefault(addr.root_kind, []).append(root)
        sets = by_kind.get(OBJECTS, [])
        for n, s in enumerate(sets):
            objects = first[s].objects
            whole = frozenset(kind for kind in (ARG, GLOBAL_ROOT)
                              if any(kinds_may_alias(kind, k) for _, k in objects))
            self.kinds[s] = whole
            for kind in whole:
                for r in by_kind.get(kind, ()):
                    self.roots.setdefault(r, set()).add(s)
            for name, kind in objects:
                if kind not in whole and name in first and first[name].root_kind == kind:
                    self._pair(s, name)
            for t in sets[n + 1:]:
                if objects_may_alias(first[s], first[t]):
                    self._pair(s, t)

    def _pair(self, a: str, b: str) -> None:
        self.roots.setdefault(a, set()).add(b)
        self.roots.setdefault(b, set()).add(a)


class ConflictIndex:
    """Accesses and barriers in block order: :meth:`conflicts` of each, then
    :meth:`file` it once its ancestors are known."""

    def __init__(self, addresses: dict[int, Address], stores: frozenset[int],
                 ancestors: list[int]):
        self.addresses = addresses
        self.stores = stores
        self.ancestors = ancestors  # filled by the caller in block order
        self.classes: dict[tuple, Class] = {}
        self.kind_slot: dict[tuple, int] = {}  # class -> slot among its kind's classes
        self.root_slot: dict[tuple, int] = {}  # class -> slot among its root's classes
        per_kind: dict[str, int] = dict.fromkeys(KINDS, 0)
        per_root: dict[str, int] = {}
        kind_of: dict[str, str] = {}
        for addr in addresses.values():
            key = (addr.root, addr.terms)
            if key not in self.classes:
                self.classes[key] = Class(addr)
                self.kind_slot[key] = per_kind[addr.root_kind]
                self.root_slot[key] = per_root.get(addr.root, 0)
                per_kind[addr.root_kind] += 1
                per_root[addr.root] = per_root.get(addr.root, 0) + 1
                kind_of[addr.root] = addr.root_kind
        # "every class but mine" is asked of the kind where a kind aliases
        # itself (two arguments may alias), else of the root (one global)
        self.kinds = {k: Group(per_kind[k] if k in ALIASES[k] else 0) for k in KINDS}
        self.roots = {r: Group(n) for r, n in per_root.items()
                      if kind_of[r] not in ALIASES[kind_of[r]]}
        self.everything = Group()
        self.barriers = Group()
        first = {}
        for addr in addresses.values():
            first.setdefault(addr.root, addr)
        self.partners = ObjectPartners(first)
        self.by_root = {p: Group() for partners in self.partners.roots.values() for p in partners}
        # roots allowing residues: their classes, all their members, and per
        # kind that aliases itself an OR-tree over roots (all roots but mine)
        self.residue_classes: dict[str, list[tuple]] = {}
        for key, cls in self.classes.items():
            if cls.example.residues:
                self.residue_classes.setdefault(key[0], []).append(key)
        self.whole_root = {root: Group() for root in self.residue_classes}
        roots_of_kind: dict[str, list[str]] = {}
        for root, addr in first.items():
            roots_of_kind.setdefault(addr.root_kind, []).append(root)
        self.kind_root_slot = {root: n for roots in roots_of_kind.values()
                               for n, root in enumerate(roots)}
        self.root_trees = {k: (OrTree(len(roots_of_kind.get(k, ()))),
                               OrTree(len(roots_of_kind.get(k, ()))))
                           for k in KINDS if k in ALIASES[k]}

    def _home(self, addr: Address) -> tuple[Group, int]:
        """The group whose other classes always alias ``addr``'s class, and its slot."""
        key = (addr.root, addr.terms)
        if addr.root_kind in ALIASES[addr.root_kind]:
            return self.kinds[addr.root_kind], self.kind_slot[key]
        return self.roots[addr.root], self.root_slot[key]

    def conflicts(self, idx: int) -> tuple[int, int]:
        """(direct conflicts, union of their closures) of instruction ``idx``:
        a load or store (in ``addresses``) or else a barrier."""
        addr = self.addresses.get(idx)
        if addr is None:
            return (self.everything.members[ALL] | self.barriers.members[ALL],
                    self.everything.closure[ALL] | self.barriers.closure[ALL])
        which = ALL if idx in self.stores else STORES
        cls = self.classes[(addr.root, addr.terms)]
        members, closure = self.barriers.members[ALL], self.barriers.closure[ALL]
        groups = [self.kinds[other] for other in ALIASES[addr.root_kind] - {addr.root_kind}]
        groups += [self.kinds[other] for other in self.partners.kinds.get(addr.root, ())]
        groups += [self.by_root[other] for other in self.partners.roots.get(addr.root, ())]
        for group in groups:
            members |= group.members[which]
            closure |= group.closure[which]
        home, slot = self._home(addr)
        if addr.residues:
            if home is self.kinds[addr.root_kind]:  # other roots of my kind
                members |= home.members[which] & ~self.whole_root[addr.root].members[which]
                closure |= self.root_trees[addr.root_kind][which].all_but(
                    self.kind_root_slot[addr.root])
            near = self._near_modulo(addr, which)
            members, closure = members | near, closure | self._closure_of(near)
        else:
            members |= home.members[which] & ~cls.members[which]
            closure |= home.trees[which].all_but(slot)
        if addr.size > WIDE:
            return members | cls.members[which], closure | cls.closure[which]
        near = cls.overlapping(addr, which) | cls.wide.members[which]
        return members | near, closure | cls.wide.closure[which] | self._closure_of(near)

    def file(self, idx: int) -> None:
        """Record instruction ``idx`` (its ancestors set) for later queries."""
        bit = 1 << idx
        closure = self.ancestors[idx] | bit
        addr = self.addresses.get(idx)
        if addr is None:
            self.barriers.add((ALL,), 0, bit, closure)
            return
        which = (STORES, ALL) if idx in self.stores else (ALL,)
        key = (addr.root, addr.terms)
        cls = self.classes[key]
        home, slot = self._home(addr)
        home.add(which, slot, bit, closure)
        if home is not self.kinds[addr.root_kind]:
            self.kinds[addr.root_kind].add(which, 0, bit, closure)
        else:
            for w in which:
                self.root_trees[addr.root_kind][w].add(self.kind_root_slot[addr.root], closure)
        if addr.residues:
            self.whole_root[addr.root].add(which, 0, bit, closure)
        self.everything.add(which, 0, bit, closure)
        if addr.root in self.by_root:
            self.by_root[addr.root].add(which, 0, bit, closure)
        cls.add(which, 0, bit, closure)
        if addr.size > WIDE:
            cls.wide.add(which, 0, bit, closure)
        else:
            cls.add_narrow(which, addr, bit)

    def _near_modulo(self, addr: Address, which: int) -> int:
        """Members of the other classes of ``addr``'s root (which allows
        residues) whose bytes may overlap ``addr``'s modulo the residue
        modulus of the two classes."""
        out = 0
        for key in self.residue_classes[addr.root]:
            other = self.classes[key]
            if key[1] == addr.terms:
                continue
            modulus = residue_modulus(addr, other.example)
            distance = shift_distance(addr, other.example)
            for offset, entries in other.at.items():
                for size, *masks in entries:
                    if masks[which] and ranges_overlap(addr.offset, addr.size, offset, size,
                                                       modulus) \
                            and not shifted_apart(addr, distance, offset, size):
                        out |= masks[which]
        return out

    def _closure_of(self, members: int) -> int:
        """Union of members and their ancestors: the most recent member first;
        what its ancestors already hold is skipped."""
        closure = 0
        while members:
            top = members.bit_length() - 1
            closure |= self.ancestors[top] | (1 << top)
            members &= ~closure
        return closure
