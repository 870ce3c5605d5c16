"""Store-to-load forwarding: vector loads that would wait for the stores before them.

A load of bytes a recent store wrote takes them from the store buffer only
when one store holds every byte it reads (x86 cores from Haswell and Zen
on, and Arm's alike); a load assembled from two narrower stores, or one that
only partly overlaps a store, waits until those stores have reached the
cache: 10 to 20 cycles, all of them on the critical path when the load
carries a recurrence. Scalar code stores and loads the same elements, so it
never waits; a plan that packs loads but not the stores that wrote them, or
packs both at other boundaries, does. NPB SP's ``x_solve`` (its Thomas
solver runs along ``i`` and reads the rows it has just written) ran 40%
slower so under one such plan, while TTI and llvm-mca (which models no
memory dependences) both priced the plan as a gain.

An access here is what one emitted instruction touches: a memory pack's
lanes together, a scalar load or store alone. A load is *blocked* when, of
the stores before it that overlap it, the youngest does not hold every byte
it reads. "Before" follows the dependence order of the overlapping lanes (a
legal plan orders every overlapping store and load as the scalar block
did). In a single-block loop the stores of the previous iteration come
before every access of the block too: their addresses are those of this
iteration moved back by one step of the loop's induction variables
(:func:`loop_steps`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.types import BARRIER, LABEL, LOAD, LOCAL, PHI, STORE, VALUE, Block, Function, value_ref
from ..packs import Pack
from .address import OPAQUE, Address
from .value_forms import forms_of


@dataclass(frozen=True)
class Access:
    """One load or store as emitted: ``lanes``, the instruction indices it
    covers, and their addresses (same root and terms, consecutive, in
    address order); ``shift``: bytes added to every offset (the previous
    iteration's stores of a loop are this iteration's moved back)."""

    store: bool
    lanes: tuple[int, ...]
    addresses: tuple[Address, ...]
    shift: int = 0

    @property
    def key(self) -> tuple:
        """Accesses compare only with accesses of the same root and terms."""
        first = self.addresses[0]
        return first.root, first.terms

    @property
    def start(self) -> int:
        return self.addresses[0].offset + self.shift

    @property
    def end(self) -> int:
        return self.addresses[-1].offset + self.addresses[-1].size + self.shift

    def overlaps(self, other: "Access") -> bool:
        return self.start < other.end and other.start < self.end

    def holds(self, other: "Access") -> bool:
        """Does this access cover every byte of ``other``?"""
        return self.start <= other.start and other.end <= self.end

    def before(self, other: "Access") -> bool:
        """Does this access come first (of two overlapping ones of one
        iteration)? The scalar order of their overlapping lanes decides."""
        return any(mine.offset + self.shift < theirs.offset + other.shift + theirs.size
                   and theirs.offset + other.shift < mine.offset + self.shift + mine.size
                   and i < j
                   for i, mine in zip(self.lanes, self.addresses)
                   for j, theirs in zip(other.lanes, other.addresses))


def accesses(block: Block, addresses: dict[int, Address], packs=()) -> list[Access]:
    """The block's loads and stores as emitted under a plan of ``packs``: one
    access per memory pack, one per load or store left scalar. Accesses of an
    unknown extent are left out (nothing is claimed about them)."""
    out, packed = [], set()
    for pack in packs:
        first = block.instrs[pack.lanes[0]]
        if first.kind in (LOAD, STORE):
            packed.update(pack.lanes)
            out.append(Access(first.kind == STORE, pack.lanes,
                              tuple(addresses[i] for i in pack.lanes)))
    for ins in block.instrs:
        if ins.kind in (LOAD, STORE) and ins.idx not in packed and ins.idx in addresses:
            out.append(Access(ins.kind == STORE, (ins.idx,), (addresses[ins.idx],)))
    return [a for a in out if all(addr.size < 1 << 40 for addr in a.addresses)]


def loop_steps(function: Function, block: Block) -> dict[str, int] | None:
    """For a block that branches to itself: how much each term an address
    may use grows per iteration (a phi of the block that adds a constant to
    itself on the back edge, also as ``sext(...)``/``zext(...)`` when the
    add cannot wrap); values defined outside the block are absent (they do
    not change). None when the block is not a single-block loop."""
    terminator = block.instrs[-1] if block.instrs else None
    if terminator is None or not any(op.kind == LABEL and op.text == value_ref(block.label)
                                     for op in terminator.operands):
        return None
    number = next((n for n, b in enumerate(function.blocks) if b is block), None)
    if number is None:
        return None
    forms, defined = forms_of(function), {ins.ref for ins in block.instrs if ins.name}
    steps = {}
    for phi in (ins for ins in block.instrs if ins.kind == PHI):
        back = [op for op in phi.operands if op.kind in (LOCAL, VALUE) and op.text in defined]
        if len(back) != 1:
            continue
        for ext in ("", "sext", "zext"):
            term = f"{ext}({phi.ref})" if ext else phi.ref
            try:
                step = forms.integer(back[0], number, ext)
            except (ValueError, IndexError, RecursionError):
                continue
            if step.terms == ((term, 1),) and (step.exact or not ext):
                steps[term] = step.const
    return steps


def _variant(access: Access, steps: dict[str, int], defined: set[str]) -> bool:
    """Do all of the access's terms move by a known step (or not at all) from
    one iteration to the next?"""
    return all(name in steps or _inner(name) not in defined for name, _ in access.addresses[0].terms)


def _inner(term: str) -> str:
    return term[term.index("(") + 1:-1] if term.endswith(")") and "(" in term else term


def blocked_loads(block: Block, found: list[Access],
                  steps: dict[str, int] | None = None) -> list[Access]:
    """The loads of ``found`` (see :func:`accesses`) whose youngest earlier
    overlapping store does not hold all their bytes; ``steps``: the block's
    :func:`loop_steps` (None: not a loop, no previous iteration)."""
    by_key: dict[tuple, list[Access]] = {}
    for access in found:
        by_key.setdefault(access.key, []).append(access)
    defined = {ins.ref for ins in block.instrs if ins.name}
    blocked = []
    for group in by_key.values():
        stores = [a for a in group if a.store]
        if not stores:
            continue
        previous = []
        if steps is not None and _variant(stores[0], steps, defined):
            back = -sum(coef * steps.get(name, 0) for name, coef in stores[0].addresses[0].terms)
            previous = [Access(True, s.lanes, s.addresses, back) for s in stores] if back else []
        for load in (a for a in group if not a.store):
            sources = [s for s in stores if s.overlaps(load) and s.before(load)] or \
                      [s for s in previous if s.overlaps(load)]
            youngest = [s for s in sources if not any(s.before(t) for t in sources if t is not s
                                                      and t.overlaps(s))]
            if sources and not (len(youngest) == 1 and youngest[0].holds(load)):
                blocked.append(load)
    return blocked


def blocked_load_packs(block: Block, function: Function | None, addresses: dict[int, Address],
                       packs, candidates=None) -> tuple[Pack, ...]:
    """The load packs of ``candidates`` (default: those of ``packs``) that
    would wait for stores (see the module doc) if emitted in a block whose
    stores are those of the plan ``packs`` (its store packs, every other
    store scalar)."""
    steps = loop_steps(function, block) if function is not None else None
    stores = [a for a in accesses(block, addresses, packs) if a.store]
    loads = {p.lanes: p for p in (packs if candidates is None else candidates)
             if p.width > 1 and block.instrs[p.lanes[0]].kind == LOAD
             and all(i in addresses for i in p.lanes)}
    found = stores + [Access(False, lanes, tuple(addresses[i] for i in lanes)) for lanes in loads]
    return tuple(loads[a.lanes] for a in blocked_loads(block, found, steps) if a.lanes in loads)


def forwarded_loads(block: Block, deps, packs) -> dict[int, int]:
    """Load packs that read exactly what a store pack of the same plan wrote
    before them: ``{load pack number: store pack number}`` (numbers index
    ``packs``). Lane by lane, the store wrote the same bytes (same address
    and size, a value of the load's type) and nothing between the two may
    write them (no store the load conflicts with, no barrier). Codegen then
    uses the stored vector instead of loading it back: a reload waits for
    the store buffer (or, when the vector store and load are far apart in
    the machine code, for the cache) where the scalar code's register
    dependence did not."""
    store_at = {p.lanes[0]: k for k, p in enumerate(packs)
                if block.instrs[p.lanes[0]].kind == STORE}
    out = {}
    for k, pack in enumerate(packs):
        if block.instrs[pack.lanes[0]].kind != LOAD:
            continue
        youngest = deps.memory_preds[pack.lanes[0]].bit_length() - 1
        source = store_at.get(youngest)
        if source is not None and len(packs[source].lanes) == pack.width and all(
                _holds_value(block, deps, s, l) for s, l in zip(packs[source].lanes, pack.lanes)):
            out[k] = source
    return out


def _holds_value(block: Block, deps, store: int, load: int) -> bool:
    """Does the load read exactly the value ``store`` wrote?"""
    a, b = deps.addresses.get(store), deps.addresses.get(load)
    if a is None or b is None or not store < load or not (deps.memory_preds[load] >> store) & 1:
        return False
    same = (a.root, a.terms, a.offset, a.size) == (b.root, b.terms, b.offset, b.size)
    between = deps.memory_preds[load] >> (store + 1)
    return same and a.root_kind != OPAQUE and not between and \
        block.instrs[store].operands[0].type == block.instrs[load].type and \
        not any(block.instrs[k].kind == BARRIER for k in range(store + 1, load))
