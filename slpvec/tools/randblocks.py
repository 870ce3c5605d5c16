"""Seeded random straight-line blocks in LLVM IR, shaped like SLP opportunities.

Each block is a function ``@f`` over noalias arrays ``%a0..%a{k}`` and scalar
arguments. Statements come in *lane groups*: one random expression template
(loads, arithmetic, fma, splat scalars, constants; optionally widen-then-
narrow casts) instantiated for 2-4 lanes at consecutive, reversed, shuffled
or gapped offsets, sometimes with a lane's operator or operand swapped; plus
scattered scalar statements and optional live-out uses. Arrays are
``noalias`` unless the spec says they may alias. Used for the ILP brute-force tests, fuzzing and synthetic
training data. Like clang -O3 output, no operation has only constant operands,
no constant is 1 (nothing for instsimplify to fold), and each address
computation, load and operation appears once (a load after a store to its
address reads the stored value), leaving nothing for CSE to merge. Same seed,
same text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TYPES = {"float": ("fadd", "fsub", "fmul"), "double": ("fadd", "fsub", "fmul"),
         "i32": ("add", "sub", "mul", "xor", "and")}
SIZES = {"float": 4, "double": 8, "i32": 4}
# (widening cast, wide type), narrowing cast back, per element type
CASTS = {"float": (("fpext", "double"), "fptrunc"), "double": (("fptrunc", "float"), "fpext"),
         "i32": (("sext", "i64"), "trunc")}


@dataclass(frozen=True)
class BlockSpec:
    """Shape parameters of a random block."""

    n_arrays: int = 3
    n_groups: int = 2
    max_lanes: int = 4
    scalar_stmts: int = 2
    elem: str | None = None  # None: random per block
    noalias: bool = True     # False: array params may alias (fuzzing runs them overlapped)
    casts: bool = False      # add widen-then-narrow cast pairs to templates
    shuffled: bool = False   # some groups store their lanes in a random order
    # fuzz classes (slpvec.tools.fuzzgen; any of them on replaces the generator above):
    compares: bool = False   # icmp/fcmp, flags, mixed predicates; zext'd, stored, selected
    selects: bool = False    # selects on compares, i1 loads, truncated ints
    narrow: bool = False     # i8/i16/i24/half values and memory
    i1: bool = False         # i1 values and i1 arrays in memory
    intrinsics: bool = False  # abs/ctlz/cttz immargs, fmuladd, int and fp min/max
    globals: bool = False    # named, unnamed and aliased globals, lanes over two of them
    vec3: bool = False       # <3 x float> arrays
    structs: bool = False    # struct field GEPs, packed structs
    foreign_layout: bool = False  # a non-x86 datalayout (i64/double 4-aligned)
    pointer32: bool = False  # ... with 32-bit pointers: addresses wrap modulo 2^32
    wrap: bool = False       # non-inbounds GEPs reaching a place modulo 2^64
    debug: bool = False      # debug records and metadata, as clang -g
    invoke: bool = False     # the entry block ends in an invoke
    alternate: bool = False  # lanes mixing two opcodes (fadd/fsub, add/sub...), swapped operands
    loop: bool = False       # the lane groups run 3 times in a single-block loop (generator above)
    carried: bool = False    # ... and lanes read values the previous iteration computed (phis)
    extracts: bool = False   # lanes extracted from vectors by constant index (extract packs)

    @property
    def classes(self) -> tuple[str, ...]:
        """The fuzz classes switched on (empty: the lane-group generator above)."""
        return tuple(name for name in FUZZ_CLASSES if getattr(self, name))


FUZZ_CLASSES = ("compares", "selects", "narrow", "i1", "intrinsics", "globals", "vec3",
                "structs", "foreign_layout", "pointer32", "wrap", "debug", "invoke", "alternate",
                "extracts")


class _Builder:
    def __init__(self, rng: random.Random, elem: str, spec: BlockSpec):
        self.rng, self.elem, self.spec = rng, elem, spec
        self.lines: list[str] = []
        self.count = 0
        self.defined: dict[str, str] = {}               # right-hand side -> its value
        self.memory: dict[tuple[int, int], str] = {}    # (array, slot) -> value known there

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"%{stem}{self.count}"

    def const(self) -> str:
        k = self.rng.randint(2, 9)  # never 1: ``x * 1`` would fold away
        return f"{k}.0" if self.elem != "i32" else str(k)

    def emit(self, stem: str, rhs: str, key: str | None = None) -> str:
        """``%name = rhs``, or the value of an earlier instruction with the
        same ``key`` (default ``rhs``; commutative operations pass their
        operands sorted), as -O3's CSE would leave it: computed once."""
        key = key or rhs
        if key not in self.defined:
            self.defined[key] = self.fresh(stem)
            self.lines.append(f"{self.defined[key]} = {rhs}")
        return self.defined[key]

    def addr(self, array: int, slot: int) -> str:
        if slot == 0:
            return f"%a{array}"
        return self.emit("p", f"getelementptr inbounds {self.elem}, ptr %a{array}, i64 {slot}")

    def load(self, array: int, slot: int) -> str:
        """The value at ``array[slot]``: loaded once, or forwarded from the
        store that wrote it (as -O3 leaves memory accesses)."""
        if (array, slot) not in self.memory:
            ptr = self.addr(array, slot)
            name = self.fresh("l")
            self.lines.append(f"{name} = load {self.elem}, ptr {ptr}, align {SIZES[self.elem]}")
            self.memory[(array, slot)] = name
        return self.memory[(array, slot)]

    def store(self, value: str, array: int, slot: int) -> None:
        ptr = self.addr(array, slot)
        self.lines.append(f"store {self.elem} {value}, ptr {ptr}, align {SIZES[self.elem]}")
        self.memory[(array, slot)] = value  # the same body whether or not arrays may alias

    def expr(self, template, lane: int, slot: int, swap: bool) -> str:
        """Instantiate a template tree for one lane."""
        kind = template[0]
        if kind == "load":
            return self.load(template[1], slot)
        if kind == "scalar":
            return template[1]
        if kind == "carried":  # lane k reads %c<k>: what lane k of group 0 computed before
            return f"%c{lane}"
        if kind == "const":
            return template[1]
        if kind == "cast":
            inner = self.expr(template[1], lane, slot, False)
            wide, back = CASTS[self.elem]
            mid = self.emit("w", f"{wide[0]} {self.elem} {inner} to {wide[1]}")
            return self.emit("n", f"{back} {wide[1]} {mid} to {self.elem}")
        if kind == "fma":
            a, b, c = (self.expr(t, lane, slot, False) for t in template[1:])
            call = f"call {self.elem} @llvm.fmuladd.{_mangle(self.elem)}"
            return self.emit("m", f"{call}({self.elem} {a}, {self.elem} {b}, {self.elem} {c})",
                             f"{call}({sorted((a, b))}, {c})")
        op, left, right = template[1], template[2], template[3]
        a, b = self.expr(left, lane, slot, False), self.expr(right, lane, slot, False)
        if swap:
            a, b = b, a
        if a == b and op in ("sub", "xor", "and"):  # x - x, x ^ x fold to 0, x & x to x
            op = "add"
        commutative = op not in ("sub", "fsub")
        return self.emit("v", f"{op} {self.elem} {a}, {b}",
                         f"{op} {sorted((a, b))}" if commutative else None)

    def template(self, depth: int):
        rng = self.rng
        if depth == 0 or rng.random() < 0.3:
            r = rng.random()
            if r < 0.65:
                return ("load", rng.randrange(self.spec.n_arrays))
            if self.spec.carried and r < 0.8:
                return ("carried",)
            if r < 0.85:
                return ("scalar", f"%s{rng.randrange(2)}")
            return ("const", self.const())
        if self.spec.casts and rng.random() < 0.15:
            return ("cast", *self._varying([self.template(depth - 1)]))
        if self.elem != "i32" and rng.random() < 0.15:
            return ("fma", *self._varying([self.template(depth - 1) for _ in range(3)]))
        return ("bin", rng.choice(TYPES[self.elem]),
                *self._varying([self.template(depth - 1), self.template(depth - 1)]))

    def _varying(self, operands: list) -> list:
        """``operands`` with the first replaced by a load if all are
        constants: such an operation is folded by any compiler (clang -O3
        never emits one), and LLVM's SLP folds it while packing, so such
        training blocks would reward constant folding, not packing."""
        if all(t[0] == "const" for t in operands):
            operands[0] = ("load", self.rng.randrange(self.spec.n_arrays))
        return operands


def _mangle(elem: str) -> str:
    return {"float": "f32", "double": "f64"}[elem]


def random_block_ir(seed: int, spec: BlockSpec = BlockSpec()) -> str:
    """IR text of one random block (see module docstring)."""
    if spec.classes:
        from .fuzzgen import class_block_ir
        return class_block_ir(seed, spec)
    rng = random.Random(seed)
    elem = spec.elem or rng.choice(sorted(TYPES))
    b = _Builder(rng, elem, spec)
    base_slot = [0] * spec.n_arrays
    live = []
    carried = {}  # lane -> the value group 0 computes there
    for group in range(spec.n_groups):
        lanes = rng.randint(2, spec.max_lanes)
        template = b.template(rng.randint(1, 3))
        out_array = rng.randrange(spec.n_arrays)
        order = list(range(lanes))
        shape = rng.random()
        if shape < 0.2:
            order.reverse()
        elif shape < 0.35 and spec.shuffled:
            rng.shuffle(order)
        start = base_slot[out_array] + 8
        for lane in order:
            gap = 1 if shape > 0.9 and lane == lanes - 1 else 0
            slot = start + lane + gap
            swap = rng.random() < 0.1
            value = b.expr(template, lane, lane + gap, swap)
            if group == 0:
                carried[lane] = value
            b.store(value, out_array, slot)
            if rng.random() < 0.1:
                live.append(value)
        base_slot[out_array] += 16
    stored = set()
    for _ in range(spec.scalar_stmts):
        value = b.expr(b.template(1), 0, rng.randrange(4), False)
        array, slot = rng.randrange(spec.n_arrays), 64 + rng.randrange(8)
        while (array, slot) in stored:  # a store that a later one overwrites is dead
            slot += 1
        stored.add((array, slot))
        b.store(value, array, slot)
    attr = "noalias " if spec.noalias else ""
    args = ", ".join([f"ptr {attr}%a{k}" for k in range(spec.n_arrays)]
                     + [f"{elem} %s0", f"{elem} %s1"])
    ret_type = elem if live else "void"
    tail = []
    if live:
        acc = live[0]
        for value in live[1:]:
            name = b.fresh("r")
            tail.append(f"{name} = {TYPES[elem][0]} {elem} {acc}, {value}")
            acc = name
        tail.append(f"ret {elem} {acc}")
    else:
        tail.append("ret void")
    if spec.loop or spec.carried:  # its scalar arguments become loop-invariant operands
        lanes = range(spec.max_lanes * spec.carried)
        loaded = spec.carried and rng.random() < 0.5  # entering from loads of the preheader
        entry = [ln for k in lanes if loaded for ln in (
            f"%e.p{k} = getelementptr inbounds {elem}, ptr %a0, i64 {96 + k}",
            f"%e{k} = load {elem}, ptr %e.p{k}, align {SIZES[elem]}")]
        phis = [f"%c{k} = phi {elem} [ {f'%e{k}' if loaded else b.const() if k % 3 == 2 else f'%s{k % 2}'}"
                f", %entry ], [ {carried.get(k, '%s0')}, %loop ]" for k in lanes]
        b.lines[:0] = [*entry, "br label %loop", "loop:", "%loop.i = phi i64 [ 0, %entry ], "
                       "[ %loop.next, %loop ]", *phis]
        b.lines += ["%loop.next = add nuw nsw i64 %loop.i, 1",
                    "%loop.done = icmp eq i64 %loop.next, 3",
                    "br i1 %loop.done, label %exit, label %loop", "exit:"]
    body = "\n  ".join(b.lines + tail)
    return (f'target triple = "x86_64-pc-linux-gnu"\n\n'
            f"define {ret_type} @f({args}) {{\nentry:\n  {body}\n}}\n")


def random_module_ir(seed: int, n_functions: int, spec: BlockSpec = BlockSpec()) -> str:
    """One module holding ``n_functions`` random blocks as ``@f0, @f1, ...``."""
    if spec.classes:
        from .fuzzgen import class_module_ir
        return class_module_ir(seed, n_functions, spec)
    header = 'target triple = "x86_64-pc-linux-gnu"\n\n'
    bodies = []
    for k in range(n_functions):
        text = random_block_ir(seed * 100_003 + k, spec)
        bodies.append(text[len(header):].replace("@f(", f"@f{k}(", 1))
    return header + "\n".join(bodies)
