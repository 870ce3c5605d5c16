"""One fuzz function: lane groups of the enabled generation classes.

A group is one expression shape instantiated for 2-8 lanes whose inputs and
outputs are :class:`.streams.Stream` accesses. What varies between lanes is
what a vectorizer must not lose when it packs them: compare predicates and
flags, intrinsic immediate arguments and names, poison and fast-math flags.
No lane computes poison on its inputs: a flag that needs a property
(``samesign``, ``nsw``, abs's ``i1 true``...) comes with a guard ``(x & M) | C``
giving its operands that property, while lanes without the flag get operands
that break it often, so keeping lane 0's flag for every lane creates poison
the optimizer can exploit (the fuzzer runs instcombine before executing).
"""

from __future__ import annotations

from .layout import HOST_LAYOUT, NAIVE
from .places import STRUCTS, VEC3, Obj, Step, align_of, signed
from .streams import FP_TYPES, IN_REGIONS, PROBE_AREA, Stream, Value

INTS = ("i8", "i16", "i32", "i64")
NARROW = ("i8", "i16", "i24", "half")
BASE = ("i32", "i64", "float", "double")
INT_OPS = ("add", "sub", "mul", "xor", "and", "or")
FP_OPS = ("fadd", "fsub", "fmul")
ICMP = ("eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle")
FCMP = ("oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult", "ule",
        "une", "uno")
FAST_MATH = ("", "fast", "nnan", "nnan ninf", "reassoc nsz arcp contract afn")
SCALARS = {"i32": "%i0", "i64": "%l0", "float": "%f0", "double": "%d0"}
SCALAR_PARAMS = "i32 %i0, i64 %l0, float %f0, double %d0"
MANGLE = {"half": "f16", "float": "f32", "double": "f64"}
# op -> poison flags it may carry, and the guard modes (x, y) that keep them defined
WRAP_FLAGS = {"add": (("nsw", "nuw", "nuw nsw"), ("small", "small")),
              "sub": (("nsw",), ("small", "small")),
              "mul": (("nsw", "nuw", "nuw nsw"), ("tiny", "tiny")),
              "or": (("disjoint",), ("low", "high"))}
ALTERNATE = {"add": "sub", "sub": "add", "mul": "add", "xor": "or", "and": "xor", "or": "and",
             "fadd": "fsub", "fsub": "fadd", "fmul": "fadd"}


def _guard(mode: str, width: int) -> tuple[int, int]:
    """(and-mask, or-constant) so that ``(x & M) | C`` has property ``mode``."""
    sign, half = 1 << (width - 1), (1 << (width // 2)) - 1
    return {"pos": ((sign - 1) & ~3, 4),            # >= 4, never INT_MIN: samesign, abs, ctlz
            "small": ((1 << (width - 3)) - 1, 1),   # sums fit: add/sub nsw nuw
            "tiny": ((1 << (width // 2 - 2)) - 1, 1),  # products fit: mul
            "low": (half, 0), "high": (~half, 0),   # disjoint bits: or disjoint
            "wild": (sign | 1, 0)}[mode]            # 0, 1, INT_MIN, INT_MIN + 1: breaks them all


class FunctionBuilder:
    """Emits the lines of one function for ``spec`` into ``module``."""

    def __init__(self, rng, spec, module, debug=None):
        self.rng, self.spec, self.module, self.debug = rng, spec, module, debug
        self.layout = module.layout
        self.lines: list[str] = []
        self.count = self.probes = 0
        self.regions: dict[tuple[int, int], str] = {}
        self.kinds = [kind for kind, on in (("compare", spec.compares), ("select", spec.selects),
                                            ("intrinsic", spec.intrinsics),
                                            ("narrow", spec.narrow), ("bool", spec.i1),
                                            ("extract", spec.extracts)) if on]
        self.kinds = self.kinds or ["arith"]
        # a foreign layout differs from the host's in struct offsets and sizes,
        # 32-bit pointers also in where addresses wrap
        foreign = spec.foreign_layout or spec.pointer32
        self.pools = (STRUCTS if spec.structs or foreign else ()) + (VEC3 if spec.vec3 else ())
        self.wrap_bits = 32 if spec.pointer32 else 64 if spec.wrap else 0
        self.beliefs = [self.layout] + [NAIVE] * bool(self.pools or spec.narrow) + \
            [HOST_LAYOUT] * (self.layout != HOST_LAYOUT)
        self.hazards = spec.globals or spec.structs or spec.vec3 or spec.wrap or foreign

    # -- emission -------------------------------------------------------------
    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"%{stem}{self.count}"

    def line(self, text: str) -> None:
        self.lines.append(text + (self.debug.attach(self.rng) if self.debug else ""))

    def emit(self, stem: str, rhs: str, type_text: str = "") -> str:
        """``%name = rhs``; with debug records, sometimes a ``#dbg_value`` of it."""
        name = self.fresh(stem)
        self.line(f"{name} = {rhs}")
        if self.debug and type_text:
            self.lines.extend(self.debug.record(name, type_text, self.rng))
        return name

    def value(self, stem: str, rhs: str, type_text: str, finite: bool = True) -> Value:
        return Value(self.emit(stem, rhs, type_text), type_text, finite)

    def emit_store(self, value: Value, pointer: str, offset: int) -> None:
        self.line(f"store {value.type} {value.text}, ptr {pointer}, "
                  f"align {align_of(value.type, offset)}")

    def address(self, base: str, steps: tuple[Step, ...]) -> str:
        for step in steps:
            base = self.emit("p", step.text(base))
        return base

    def arg_object(self, k: int) -> Obj:
        return Obj(f"%a{k}", (f"%a{k}",))

    def region_pointer(self, k: int, region: int) -> str:
        """``%a<k> + region``, computed once per function."""
        if region == 0:
            return f"%a{k}"
        if (k, region) not in self.regions:
            self.regions[(k, region)] = self.emit(
                "r", f"getelementptr inbounds i8, ptr %a{k}, i64 {region}")
        return self.regions[(k, region)]

    def constant(self, elem: str) -> str:
        rng = self.rng
        if elem == "i1":
            return rng.choice(("true", "false"))
        if elem in FP_TYPES:
            return str(rng.choice((-1, 1)) * rng.randint(2, 40) / 4)
        return str(signed(rng.choice((1, -1)) * rng.randint(2, 120), int(elem[1:])))

    def probe(self, value: Value) -> None:
        """Store a probe's value where nothing else writes (%a0 + PROBE_AREA...)."""
        offset = PROBE_AREA + 16 * self.probes
        self.probes += 1
        pointer = self.emit("p", f"getelementptr inbounds i8, ptr %a0, i64 {offset}")
        self.emit_store(value, pointer, offset)

    def guard(self, value: Value, mode: str) -> Value:
        width = int(value.type[1:])
        mask, const = _guard(mode, width)
        if value.text.lstrip("-").isdigit():  # a constant: guarded here, not in the IR
            return Value(str(signed(int(value.text) & mask | const, width)), value.type)
        masked = self.emit("g", f"and {value.type} {value.text}, {signed(mask, width)}",
                           value.type)
        return self.value("g", f"or {value.type} {masked}, {signed(const, width)}", value.type)

    # -- groups ---------------------------------------------------------------
    def group(self) -> None:
        """One lane group of a random enabled kind, stored lane by lane."""
        kind = self.rng.choice(self.kinds)
        lanes = self.rng.randint(2, 8 if kind == "bool" else self.spec.max_lanes)
        out_elem, lane_value = getattr(self, f"_{kind}")(lanes)
        out = Stream(self, out_elem, lanes, output=True)
        for lane in self.order(lanes):
            out.store(lane, lane_value(lane))

    def order(self, lanes: int) -> list[int]:
        order, shape = list(range(lanes)), self.rng.random()
        if shape < 0.2:
            order.reverse()
        elif shape < 0.35 and self.spec.shuffled:
            self.rng.shuffle(order)
        return order

    def operand(self, elem: str, lanes: int, finite: bool):
        """A second operand per lane: another stream, the scalar argument, or constants."""
        r = self.rng.random()
        if r < 0.6:
            return Stream(self, elem, lanes, finite=finite).load
        if r < 0.8 and elem in SCALARS:
            return lambda lane: Value(SCALARS[elem], elem)
        consts = [self.constant(elem) for _ in range(lanes)]
        return lambda lane: Value(consts[lane], elem)

    def per_lane(self, pool, lanes: int, same: float = 0.5) -> list:
        """One choice for all lanes (probability ``same``) or one per lane."""
        first = self.rng.choice(pool)
        return [first if self.rng.random() < same else self.rng.choice(pool)
                for _ in range(lanes)]

    def _arith(self, lanes: int, types=BASE):
        rng = self.rng
        elem = rng.choice(types)
        fp = elem in FP_TYPES
        a = Stream(self, elem, lanes, finite=fp)
        if rng.random() < 0.3:
            return elem, a.load
        b = self.operand(elem, lanes, finite=fp)
        op = rng.choice(FP_OPS if fp else INT_OPS)
        ops = [op if rng.random() > 0.15 else ALTERNATE[op] for _ in range(lanes)]
        swapped = [False] * lanes
        if self.spec.alternate:
            ops, swapped = self.alternation(op, lanes)
        flagged = not fp and rng.random() < 0.5
        flags = [rng.choice(WRAP_FLAGS[o][0] + ("",)) if flagged and o in WRAP_FLAGS else ""
                 for o in ops]
        if fp:
            flags = self.per_lane(FAST_MATH, lanes)

        def lane(k: int) -> Value:
            x, y = a.load(k), b(k)
            if swapped[k]:
                x, y = y, x
            if flagged:
                modes = WRAP_FLAGS[ops[k]][1] if flags[k] else ("wild", "wild")
                x, y = self.guard(x, modes[0]), self.guard(y, modes[1])
            return self.value("v", f"{ops[k]} {flags[k]} {elem} {x.text}, {y.text}".replace(
                "  ", " "), elem)
        return elem, lane

    def _extract(self, lanes: int):
        """Lanes extracted by constant index from two or three vectors that
        vector loads feed (as the loop vectorizer leaves them), sometimes
        combined with a second operand: packs of such lanes become one
        shufflevector of two vectors; a third vector makes that illegal."""
        rng = self.rng
        elem, width = rng.choice(BASE), rng.choice((2, 4))
        vector_type = f"<{width} x {elem}>"
        op = rng.choice(FP_OPS if elem in FP_TYPES else INT_OPS)
        sources = []
        for _ in range(rng.choice((2, 2, 3))):
            x, y = (self.vector_load(vector_type, elem) for _ in range(2))
            sources.append(self.emit("x", f"{op} {vector_type} {x}, {y}", vector_type))
        picks = [(rng.randrange(len(sources)), rng.randrange(width)) for _ in range(lanes)]
        second = self.operand(elem, lanes, finite=False) if rng.random() < 0.4 else None

        def lane(k: int) -> Value:
            source, index = picks[k]
            value = self.value("e", f"extractelement {vector_type} {sources[source]}, "
                               f"i64 {index}", elem)
            if second is None:
                return value
            return self.value("v", f"{op} {elem} {value.text}, {second(k).text}", elem)
        return elem, lane

    def vector_load(self, vector_type: str, elem: str) -> str:
        """A load of ``vector_type`` from an input region of an argument buffer."""
        rng = self.rng
        region, offset = rng.choice(IN_REGIONS), 8 * rng.randrange(8)
        base = self.region_pointer(rng.randrange(self.spec.n_arrays), region)
        pointer = self.emit("p", f"getelementptr inbounds i8, ptr {base}, i64 {offset}")
        return self.emit("x", f"load {vector_type}, ptr {pointer}, "
                         f"align {align_of(elem, region + offset)}", vector_type)

    def alternation(self, op: str, lanes: int) -> tuple[list[str], list[bool]]:
        """Per lane, ``op`` or its alternate (every other lane, halves or at
        random, as alternate-opcode packs meet them), and whether a lane with
        a commutative opcode reads its operands swapped."""
        rng = self.rng
        alt, shape = ALTERNATE[op], rng.choice(("even", "odd", "halves", "random"))
        pick = {"even": lambda k: k % 2 == 0, "odd": lambda k: k % 2 == 1,
                "halves": lambda k: 2 * k >= lanes, "random": lambda k: rng.random() < 0.5}[shape]
        ops = [alt if pick(k) else op for k in range(lanes)]
        swapped = [o not in ("sub", "fsub") and rng.random() < 0.3 for o in ops]
        return ops, swapped

    def _narrow(self, lanes: int):
        rng = self.rng
        if rng.random() < 0.5:
            return self._arith(lanes, NARROW)
        elem = rng.choice(NARROW)
        wide, up, down = (("float", "fpext", "fptrunc") if elem == "half" else
                          ("i32", rng.choice(("zext", "sext")), "trunc"))
        a = Stream(self, elem, lanes, finite=True)
        b = self.operand(wide, lanes, finite=True)
        op = rng.choice(("fadd", "fmul") if elem == "half" else ("add", "mul", "xor", "sub"))

        def lane(k: int) -> Value:
            x = self.emit("w", f"{up} {elem} {a.load(k).text} to {wide}", wide)
            y = self.emit("w", f"{op} {wide} {x}, {b(k).text}", wide)
            return self.value("n", f"{down} {wide} {y} to {elem}", elem)
        return elem, lane

    def compare(self, elem: str, lanes: int, finite: bool):
        """Per-lane compare of two streams (mixed predicates and flags):
        returns (lane -> (i1 value, x, y))."""
        rng = self.rng
        fp = elem in FP_TYPES
        a = Stream(self, elem, lanes, finite=finite)
        b = self.operand(elem, lanes, finite=finite)
        predicates = self.per_lane(FCMP if fp else ICMP, lanes)
        if fp:
            flags = self.per_lane(FAST_MATH, lanes)
        else:
            flags = ["samesign" if rng.random() < 0.5 else "" for _ in range(lanes)] \
                if rng.random() < 0.5 else [""] * lanes
        guarded = any(flags) and not fp

        def lane(k: int):
            x, y = a.load(k), b(k)
            if guarded:
                mode = "pos" if flags[k] else "wild"
                x, y = self.guard(x, mode), self.guard(y, mode)
            flag = flags[k] if not fp or (x.finite and y.finite) else ""
            opcode = "fcmp" if fp else "icmp"
            text = f"{opcode} {flag} {predicates[k]} {elem} {x.text}, {y.text}".replace("  ", " ")
            return self.emit("c", text, "i1"), x, y
        return lane

    def _compare(self, lanes: int):
        rng = self.rng
        elem = rng.choice(INTS + ("float", "double") + (NARROW if self.spec.narrow else ()))
        sinks = ["zext", "sext"] + ["select"] * (self.spec.selects or rng.random() < 0.3) + \
            ["i1"] * 2 * self.spec.i1
        sink = rng.choice(sinks)
        cmp = self.compare(elem, lanes, finite=sink == "select")
        out = {"zext": rng.choice(("i8", "i32")), "sext": rng.choice(("i16", "i32")),
               "select": elem, "i1": "i1"}[sink]

        def lane(k: int) -> Value:
            c, x, y = cmp(k)
            if sink == "i1":
                return Value(c, "i1")
            if sink == "select":
                return self.value("s", f"select i1 {c}, {elem} {x.text}, {elem} {y.text}", elem)
            return self.value("z", f"{sink} i1 {c} to {out}", out)
        return out, lane

    def condition(self, lanes: int):
        """lane -> an i1: a compare, an i1 loaded from a table, or a truncated int."""
        rng = self.rng
        source = rng.choice(("compare", "compare", "trunc") + ("load",) * (1 + 2 * self.spec.i1))
        if source == "compare":
            cmp = self.compare(rng.choice(INTS + ("float", "double")), lanes, finite=False)
            return lambda k: cmp(k)[0]
        if source == "load":
            bits = Stream(self, "i1", lanes)
            return lambda k: bits.load(k).text
        elem = rng.choice(INTS)
        ints = Stream(self, elem, lanes)
        return lambda k: self.emit("t", f"trunc {elem} {ints.load(k).text} to i1", "i1")

    def _select(self, lanes: int):
        rng = self.rng
        elem = rng.choice(BASE + (NARROW if self.spec.narrow else ()))
        fp = elem in FP_TYPES
        cond = self.condition(lanes)
        a = Stream(self, elem, lanes, finite=True)
        b = self.operand(elem, lanes, finite=True)
        flags = self.per_lane(FAST_MATH, lanes) if fp else [""] * lanes

        def lane(k: int) -> Value:
            c = cond(k)
            text = f"select {flags[k]} i1 {c}, {elem} {a.load(k).text}, {elem} {b(k).text}"
            return self.value("s", text.replace("  ", " "), elem)
        return elem, lane

    def _intrinsic(self, lanes: int):
        rng = self.rng
        family = rng.choice(("abs", "ctlz", "cttz", "minmax", "fminmax", "fmuladd"))
        if family in ("abs", "ctlz", "cttz"):
            return self._immarg(family, lanes)
        if family == "minmax":
            elem = rng.choice(INTS + ("i24",) * self.spec.narrow)
            names = self.per_lane(("smin", "smax", "umin", "umax"), lanes, same=0.7)
            flags = [""] * lanes
        else:
            elem = rng.choice(("float", "double") + ("half",) * self.spec.narrow)
            names = (self.per_lane(("minnum", "maxnum", "minimum", "maximum"), lanes, same=0.7)
                     if family == "fminmax" else ["fmuladd"] * lanes)
            flags = self.per_lane(FAST_MATH, lanes)
        operands = [Stream(self, elem, lanes, finite=True).load] + \
            [self.operand(elem, lanes, finite=True) for _ in range(1 + (family == "fmuladd"))]
        suffix = MANGLE.get(elem, elem)

        def lane(k: int) -> Value:
            args = ", ".join(f"{elem} {o(k).text}" for o in operands)
            text = f"call {flags[k]} {elem} @llvm.{names[k]}.{suffix}({args})"
            return self.value("m", text.replace("  ", " "), elem)
        return elem, lane

    def _immarg(self, name: str, lanes: int):
        """abs/ctlz/cttz with their ``i1`` immediate mixed across lanes; lanes
        with ``true`` get operands where it holds, the others 0 and INT_MIN."""
        rng = self.rng
        elem = rng.choice(INTS + ("i24",) * self.spec.narrow)
        width = int(elem[1:])
        a = Stream(self, elem, lanes)
        imm = self.per_lane(("true", "false"), lanes, same=0.3)
        test = rng.random() < 0.6  # a compare the optimizer folds when the flag is true

        def lane(k: int) -> Value:
            x = self.guard(a.load(k), "pos" if imm[k] == "true" else "wild")
            r = self.emit("m", f"call {elem} @llvm.{name}.{elem}({elem} {x.text}, i1 {imm[k]})",
                          elem)
            if not test:
                return Value(r, elem)
            c = self.emit("c", f"icmp slt {elem} {r}, 0" if name == "abs" else
                          f"icmp eq {elem} {r}, {width}", "i1")
            return self.value("z", f"zext i1 {c} to i8", "i8")
        return ("i8" if test else elem), lane

    def _bool(self, lanes: int):
        rng = self.rng
        first, second = self.condition(lanes), self.condition(lanes)
        ops = self.per_lane(("and", "or", "xor"), lanes, same=0.7)
        sink = rng.choice(("i1", "i1", "i1", "zext", "select"))
        if sink == "select":
            elem = rng.choice(INTS)
            a, b = Stream(self, elem, lanes), self.operand(elem, lanes, finite=False)

        def lane(k: int) -> Value:
            c = self.emit("b", f"{ops[k]} i1 {first(k)}, {second(k)}", "i1")
            if sink == "i1":
                return Value(c, "i1")
            if sink == "zext":
                return self.value("z", f"zext i1 {c} to i8", "i8")
            return self.value("s", f"select i1 {c}, {elem} {a.load(k).text}, {elem} {b(k).text}",
                              elem)
        return {"i1": "i1", "zext": "i8"}.get(sink) or elem, lane
