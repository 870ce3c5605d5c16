"""Costs of synthetic instructions: how hypothetical vector code is priced.

A :class:`SynthQuery` is one instruction over arguments ``%a0..%aN``; the
table answers from memory, then the disk cache, and prices everything else
with a single opt-22 run over a module holding one function per query,
pinned to the target by function attributes. Nothing is hard-coded: insert,
extract, broadcast and shuffle costs are queried the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..errors import CostModelError, ToolFailedError
from ..target import Target
from ..toolchain import run_tool
from .cache import DiskCache
from .kinds import key_prefix, opt_cost_args
from .module_costs import INVALID_COST, is_cost
from .printout import parse_cost_printout

# An insertelement or extractelement on a <lanes x elem> vector.
_LANE_OP = re.compile(r"^%r = (?:insertelement|extractelement) <(\d{1,2}) x ([^<>]+)> ")


@dataclass(frozen=True)
class SynthQuery:
    """``text``: one instruction defining ``%r`` (or a store) over ``%a0..``;
    ``arg_types``: the types of ``%a0..%aN``."""

    text: str
    arg_types: tuple[str, ...]

    def function(self, name: str) -> str:
        args = ", ".join(f"{t} %a{i}" for i, t in enumerate(self.arg_types))
        return f"define void @{name}({args}) #0 {{\n  {self.text}\n  ret void\n}}\n"


class CostTable:
    """Prices synthetic instructions for one target and cost kind (TTI units)."""

    def __init__(self, target: Target, cost_kind: str = "throughput",
                 cache: DiskCache | None = None):
        self.target = target
        self.cost_kind = cost_kind
        self.prefix = key_prefix(target, cost_kind)
        self.cache = cache if cache is not None else DiskCache()
        self.memory: dict[SynthQuery, float] = {}
        self.opt_runs = 0

    def _key(self, query: SynthQuery) -> str:
        return f"synth|{self.prefix}|{','.join(query.arg_types)}|{query.text}"

    def costs(self, queries: Sequence[SynthQuery]) -> list[float]:
        """Cost of each query's instruction (batched: at most one opt run)."""
        missing = list(dict.fromkeys(q for q in queries if q not in self.memory))
        if missing:
            keys = {q: self._key(q) for q in missing}
            stored = self.cache.get_many(list(keys.values()), valid=is_cost)
            for q in missing:
                if keys[q] in stored:
                    self.memory[q] = stored[keys[q]]
            todo = [q for q in missing if q not in self.memory]
            if todo:
                todo += [q for q in self._lane_families(todo) if q not in self.memory]
                keys.update((q, self._key(q)) for q in todo if q not in keys)
                priced = self._price(list(dict.fromkeys(todo)))
                self.memory.update(priced)
                self.cache.put_many({keys[q]: c for q, c in priced.items()})
        return [self.memory[q] for q in queries]

    def _price(self, queries: list[SynthQuery]) -> dict[SynthQuery, float]:
        body = "".join(q.function(f"q{i}") for i, q in enumerate(queries))
        text = f"{body}attributes #0 = {{ {self.target.attribute_text()} }}\n"
        try:
            self.opt_runs += 1
            proc = run_tool("opt", opt_cost_args(self.target, self.cost_kind), stdin=text)
        except ToolFailedError:
            if len(queries) == 1:
                raise CostModelError(f"cannot price synthetic instruction "
                                     f"'{queries[0].text}'") from None
            out: dict[SynthQuery, float] = {}
            for q in queries:  # find the culprit
                out.update(self._price([q]))
            return out
        parsed = parse_cost_printout(proc.stderr)
        out = {}
        for i, q in enumerate(queries):
            values = parsed.get(f"q{i}")
            if not values:
                raise CostModelError(f"opt-22 did not price '{q.text}'")
            out[q] = INVALID_COST if values[0] is None else values[0]
        return out

    # -- lane operations ---------------------------------------------------
    @staticmethod
    def _vec(elem: str, lanes: int) -> str:
        return f"<{lanes} x {elem}>"

    def insert_query(self, elem: str, lanes: int, lane: int, into_poison: bool = False
                     ) -> SynthQuery:
        """insertelement into an unknown vector, or (``into_poison``) into
        poison: TTI prices the two apart (an fp scalar already sits in lane 0
        of its register, so inserting it there into poison is free on x86)."""
        v = self._vec(elem, lanes)
        if into_poison:
            return SynthQuery(f"%r = insertelement {v} poison, {elem} %a0, i64 {lane}", (elem,))
        return SynthQuery(f"%r = insertelement {v} %a0, {elem} %a1, i64 {lane}", (v, elem))

    def extract_query(self, elem: str, lanes: int, lane: int) -> SynthQuery:
        v = self._vec(elem, lanes)
        return SynthQuery(f"%r = extractelement {v} %a0, i64 {lane}", (v,))

    def splat_query(self, elem: str, lanes: int) -> SynthQuery:
        v = self._vec(elem, lanes)
        return SynthQuery(f"%r = shufflevector {v} %a0, {v} poison, <{lanes} x i32> "
                          "zeroinitializer", (v,))

    def permute_query(self, elem: str, lanes: int, mask: Sequence[int]) -> SynthQuery:
        """Shuffle of one ``<lanes x elem>``; ``len(mask)`` may differ from ``lanes``."""
        v = self._vec(elem, lanes)
        m = ", ".join(f"i32 {i}" for i in mask)
        return SynthQuery(f"%r = shufflevector {v} %a0, {v} poison, <{len(mask)} x i32> <{m}>",
                          (v,))

    def insert_cost(self, elem: str, lanes: int, lane: int, into_poison: bool = False
                    ) -> float:
        """insertelement of one scalar into lane ``lane`` (of poison if ``into_poison``)."""
        return self.costs([self.insert_query(elem, lanes, lane, into_poison)])[0]

    def extract_cost(self, elem: str, lanes: int, lane: int) -> float:
        """extractelement of lane ``lane``."""
        return self.costs([self.extract_query(elem, lanes, lane)])[0]

    def broadcast_cost(self, elem: str, lanes: int) -> float:
        """LLVM's splat idiom: insertelement into poison at 0, then a zero-mask shuffle."""
        return sum(self.costs([self.insert_query(elem, lanes, 0, into_poison=True),
                               self.splat_query(elem, lanes)]))

    def permute_cost(self, elem: str, lanes: int, mask: Sequence[int]) -> float:
        """Single-source shufflevector with ``mask``."""
        return self.costs([self.permute_query(elem, lanes, mask)])[0]

    def build_vector_cost(self, elem: str, lanes: int) -> float:
        """A vector from ``lanes`` scalars: one insertelement per lane, the first into poison."""
        return sum(self.costs([self.insert_query(elem, lanes, k, into_poison=k == 0)
                               for k in range(lanes)]))

    def prefetch_lane_ops(self, shapes: Sequence[tuple[str, int]]) -> None:
        """Warm insert/extract/broadcast for many (elem, lanes) in one opt run."""
        self.costs([q for elem, lanes in shapes for q in self._lane_ops(elem, lanes)])

    def _lane_ops(self, elem: str, lanes: int) -> list[SynthQuery]:
        """Every lane operation on ``<lanes x elem>``: insert and extract at
        each lane, insert into poison, splat."""
        queries = []
        for k in range(lanes):
            queries += [self.insert_query(elem, lanes, k), self.extract_query(elem, lanes, k)]
        return queries + [self.insert_query(elem, lanes, 0, into_poison=True),
                          self.splat_query(elem, lanes)]

    def _lane_families(self, queries: Sequence[SynthQuery]) -> list[SynthQuery]:
        """The lane operations of every vector shape a lane operation among
        ``queries`` works on: codegen asks for them lane by lane, block by
        block, and each miss would be an opt-22 run of its own."""
        shapes = {}
        for q in queries:
            match = _LANE_OP.match(q.text)
            if match:
                shapes[(match.group(2), int(match.group(1)))] = None
        return [q for elem, lanes in shapes for q in self._lane_ops(elem, lanes)]
