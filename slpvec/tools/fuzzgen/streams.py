"""Lane accesses of a fuzz group: which object, which places, which spellings.

A :class:`Stream` is ``lanes`` loads or stores of one element type at places
consecutive under a layout belief (:func:`.places.lane_spellings`), in an
argument buffer region or in globals (named, unnamed, aliased; with the
globals class the lanes alternate between two of them at adjacent offsets).
With hazards on, a load may be preceded by a store to its place and a store
followed by a load of its place, both spelled another way (other GEPs, the
alias's name): a vectorizer that misses the dependence reorders them.

Floating-point and i1 loads are *finite* only where the generator knows the
bytes: float data of an argument buffer's input regions (which no store
reaches) at 4-aligned offsets, or a table global at element offsets (its
clobbers store constants of its type there). Other FP values may only be
compared; i1 is loaded from tables only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .layout import alloc_size
from .places import Obj, Step, align_of, lane_spellings, respell

FP_TYPES = ("half", "float", "double")
# inputs may read outputs of earlier groups in region 512; regions 0 and 256 keep
# the buffers' float data
IN_REGIONS, OUT_REGIONS = (0, 256, 512), (512, 768, 1024)
GLOBAL_KINDS = ("named", "unnamed", "alias", "unnamed-alias")
PROBE_AREA = 4096  # probe values go to %a0 from here, 16 bytes apart


@dataclass(frozen=True)
class Value:
    """An SSA value: its text, type, and whether an FP value is finite."""

    text: str
    type: str
    finite: bool = True


@dataclass(frozen=True)
class Lane:
    """One access: object, the name spelling it, region base, offset, GEPs."""

    obj: Obj
    name: str
    region: int
    offset: int
    steps: tuple[Step, ...]


class Stream:
    """``lanes`` accesses of ``elem`` built by function builder ``fb``."""

    def __init__(self, fb, elem: str, lanes: int, output: bool = False, finite: bool = False):
        self.fb, self.elem, self.lanes = fb, elem, lanes
        finite = finite or (elem == "i1" and not output)  # i1 from other bytes: undefined
        for attempt in range(6):
            self.places = self._places(output, force_table=attempt == 5)
            if output or not finite or all(self.finite(k) for k in range(lanes)):
                break

    def _places(self, output: bool, force_table: bool) -> list[Lane]:
        fb, rng, elem = self.fb, self.fb.rng, self.elem
        on_globals = fb.spec.globals and rng.random() < 0.6
        table = force_table or on_globals or (not output and elem in ("i1", "half"))
        if table:
            kinds = GLOBAL_KINDS if fb.spec.globals else ("named",)
            count = 2 if fb.spec.globals and rng.random() < 0.7 else 1
            objs = [fb.module.table(elem, rng.choice(kinds), rng) for _ in range(count)]
            regions, region_base = [0] * count, [o.names for o in objs]
        else:
            arg = rng.randrange(fb.spec.n_arrays)
            region = rng.choice(OUT_REGIONS if output else IN_REGIONS)
            objs, regions = [fb.arg_object(arg)], [region]
            region_base = [(fb.region_pointer(arg, region),)]
        belief = rng.choice(fb.beliefs)
        table_type = objs[0].elem and f"[{fb.module.table_length(elem)} x {elem}]"
        spellings = lane_spellings(rng, elem, self.lanes, fb.pools, fb.layout, belief,
                                   fb.wrap_bits, table_type if table else "")
        if force_table:  # consecutive elements: always finite in a fresh table
            size = alloc_size(fb.layout, elem)
            spellings = [(k * size, (Step(elem, (k,)),) if k else ()) for k in range(self.lanes)]
        out = []
        for lane, (offset, steps) in enumerate(spellings):
            which = lane % len(objs)
            out.append(Lane(objs[which], rng.choice(region_base[which]), regions[which],
                            offset, steps))
        return out

    def finite(self, lane: int) -> bool:
        """Whether the value loaded by ``lane`` is known (FP: not NaN/inf;
        i1: 0 or 1)."""
        if self.elem not in FP_TYPES + ("i1",):
            return True
        place = self.places[lane]
        if place.obj.table:
            return place.obj.elem == self.elem and place.offset % alloc_size(
                self.fb.layout, self.elem) == 0
        return (self.fb.spec.noalias and self.elem in ("float", "double")
                and (place.region + place.offset) % 4 == 0 and place.region in IN_REGIONS[:2])

    def load(self, lane: int) -> Value:
        """Load lane ``lane`` (after a clobbering store to its place, with hazards)."""
        fb, place = self.fb, self.places[lane]
        if fb.hazards and fb.rng.random() < 0.25:
            fb.emit_store(Value(fb.constant(self.elem), self.elem), self._other_spelling(place),
                          place.region + place.offset)
        pointer = fb.address(place.name, place.steps)
        value = fb.emit("l", f"load {self.elem}, ptr {pointer}, align "
                        f"{align_of(self.elem, place.region + place.offset)}")
        return Value(value, self.elem, self.finite(lane))

    def store(self, lane: int, value: Value) -> None:
        """Store ``value`` to lane ``lane`` (then probe its place, with hazards)."""
        fb, place = self.fb, self.places[lane]
        pointer = fb.address(place.name, place.steps)
        fb.emit_store(value, pointer, place.region + place.offset)
        if fb.hazards and fb.rng.random() < 0.25:
            other = self._other_spelling(place)
            probe = fb.emit("q", f"load {value.type}, ptr {other}, align "
                            f"{align_of(value.type, place.region + place.offset)}")
            fb.probe(Value(probe, value.type))

    def _other_spelling(self, place: Lane) -> str:
        """A pointer to ``place`` through another name and/or other GEPs."""
        fb = self.fb
        if fb.rng.random() < 0.5:  # from the object itself (or an alias of it)
            name, offset = fb.rng.choice(place.obj.names), place.region + place.offset
        else:
            name, offset = place.name, place.offset
        return fb.address(name, respell(fb.rng, self.elem, offset, fb.layout, fb.wrap_bits))
