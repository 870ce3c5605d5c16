"""Shared set-up for ILP tests: random blocks as BlockContexts."""

import functools
import itertools
import random
import re

from slpvec.codegen.schedule import pack_cycle
from slpvec.context import make_context
from slpvec.cost import CostTable, block_costs
from slpvec.ir import parse_module
from slpvec.tools.randblocks import BlockSpec, random_block_ir
from slpvec.target import Target

HASWELL = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
SPECS = (BlockSpec(n_groups=2, max_lanes=2), BlockSpec(n_groups=1, max_lanes=4),
         BlockSpec(n_groups=2, max_lanes=3, scalar_stmts=1))


@functools.cache
def table() -> CostTable:
    return CostTable(HASWELL)


def context(ir: str, block: int = 0):
    module = parse_module(ir)
    fn = module.functions[0]
    block = fn.blocks[block]
    return make_context(block, fn, HASWELL, block_costs(module, HASWELL)[(fn.name, block.label)],
                        table())


def as_loop(ir: str) -> str:
    """The one-block function ``ir`` with its body made a single-block loop
    (``body``, entered from ``entry``, branching back to itself, its return
    dropped): its arguments are loop-invariant there (for pricing only: it
    never ends)."""
    head, rest = ir.split("entry:\n", 1)
    rest = re.sub(r"  ret .*", "  br label %body", rest)
    return (head + "entry:\n  br label %body\nbody:\n" + rest)


def loop_source(seed: int) -> str:
    """The straight-line block :func:`loop_contexts` makes a loop of."""
    return alternate_block_ir(seed) if seed % 2 else random_block_ir(seed, SPECS[seed % 3])


def loop_contexts(count: int, max_candidates: int = 12, first_seed: int = 0):
    """``count`` random blocks (:func:`alternate_block_ir` and the small specs
    in turn) as single-block loops, with 1..max_candidates candidates."""
    seed = first_seed
    while count:
        ctx = context(as_loop(loop_source(seed)), block=1)
        seed += 1
        if 1 <= len(ctx.candidates.packs) <= max_candidates:
            count -= 1
            yield seed - 1, ctx


def small_contexts(count: int, max_candidates: int = 12, first_seed: int = 0):
    """``count`` random blocks with 1..max_candidates candidates, deterministic."""
    seed = first_seed
    while count:
        ctx = context(random_block_ir(seed, SPECS[seed % len(SPECS)]))
        seed += 1
        if 1 <= len(ctx.candidates.packs) <= max_candidates:
            count -= 1
            yield seed - 1, ctx


ALTERNATES = {"double": (("fadd", "fsub"), ("fmul", "fadd"), ("fsub", "fmul")),
              "i32": (("add", "sub"), ("mul", "add"), ("shl", "add"), ("xor", "or"))}


def alternate_block_ir(seed: int) -> str:
    """A small random block whose lane groups mix two opcodes (alternate-opcode
    packs), commutative lanes sometimes reading their operands swapped, over
    loads, a scalar argument or constants, feeding a second level or stores."""
    rng = random.Random(seed)
    elem = rng.choice(sorted(ALTERNATES))
    size = 8 if elem == "double" else 4
    lines, count = [], itertools.count()

    def load(array: str, k: int) -> str:
        n = next(count)
        lines.extend([f"%p{n} = getelementptr inbounds {elem}, ptr %{array}, i64 {k}",
                      f"%v{n} = load {elem}, ptr %p{n}, align {size}"])
        return f"%v{n}"

    def level(left: list[str], slot: int) -> list[str]:
        pair = rng.choice(ALTERNATES[elem])
        ops = [rng.choice(pair) for _ in left]
        second = rng.choice(("load", "load", "scalar", "const"))
        out = []
        for k, (x, op) in enumerate(zip(left, ops)):
            y = {"load": lambda: load("b", slot + k), "scalar": lambda: "%s",
                 "const": lambda: str(k + 2) + (".0" if elem == "double" else "")}[second]()
            if op not in ("sub", "fsub", "shl") and rng.random() < 0.3:
                x, y = y, x
            n = next(count)
            lines.append(f"%x{n} = {op} {elem} {x}, {y}")
            out.append(f"%x{n}")
        return out

    for g in range(rng.randint(1, 2)):
        lanes = rng.randint(2, 4)
        values = level([load("a", 8 * g + k) for k in range(lanes)], 8 * g)
        if rng.random() < 0.4:
            values = level(values, 8 * g + 4)
        for k, value in enumerate(values):
            n = next(count)
            lines += [f"%q{n} = getelementptr inbounds {elem}, ptr %c, i64 {8 * g + k}",
                      f"store {elem} {value}, ptr %q{n}, align {size}"]
    return ('target triple = "x86_64-pc-linux-gnu"\n\n'
            f"define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %c, {elem} %s) {{\n"
            "entry:\n  " + "\n  ".join(lines) + "\n  ret void\n}\n")


def alternate_contexts(count: int, max_candidates: int = 12):
    """``count`` :func:`alternate_block_ir` blocks with 1..max_candidates
    candidates, at least one of them an alternate-opcode pack."""
    seed = 0
    while count:
        ctx = context(alternate_block_ir(seed))
        seed += 1
        instrs = ctx.block.instrs
        mixed = any(len({instrs[i].opcode for i in p.lanes}) > 1 for p in ctx.candidates.packs)
        if mixed and 1 <= len(ctx.candidates.packs) <= max_candidates:
            count -= 1
            yield seed - 1, ctx


def brute_force(problem, deps) -> tuple[float, frozenset]:
    """Minimum objective over every disjoint, schedulable subset of candidates."""
    from ilp_oracle import plan_objective
    n = len(problem.packs)
    best = (problem.scalar_total, frozenset())
    for r in range(1, n + 1):
        for subset in itertools.combinations(range(n), r):
            lanes = [i for q in subset for i in problem.packs[q].lanes]
            if len(lanes) != len(set(lanes)):
                continue
            if pack_cycle(deps, tuple(problem.packs[q] for q in subset)) is not None:
                continue
            value = plan_objective(problem, frozenset(subset))
            if value < best[0] - 1e-9:
                best = (value, frozenset(subset))
    return best


CARRIED = (BlockSpec(loop=True, carried=True, n_groups=1, max_lanes=2, scalar_stmts=0),
           BlockSpec(loop=True, carried=True, n_groups=2, max_lanes=2, scalar_stmts=1),
           BlockSpec(loop=True, carried=True, n_groups=1, max_lanes=4, scalar_stmts=0))


def carried_contexts(count: int, max_candidates: int = 12, first_seed: int = 0):
    """``count`` single-block loops whose lanes read what the previous
    iteration computed (:class:`BlockSpec` ``carried``), with 1..max_candidates
    candidates, at least one of them a pack of phis."""
    seed = first_seed
    while count:
        ctx = context(random_block_ir(seed, CARRIED[seed % len(CARRIED)]), block=1)
        seed += 1
        instrs = ctx.block.instrs
        phis = any(instrs[p.lanes[0]].opcode == "phi" for p in ctx.candidates.packs)
        if phis and 1 <= len(ctx.candidates.packs) <= max_candidates:
            count -= 1
            yield seed - 1, ctx
