"""The one pricing rule: what each piece of vector code a plan emits costs.

Codegen emits, for every pack, the instructions :func:`codegen.vector_ops.
pack_instructions` spells (one vector instruction; for an alternate-opcode
pack, two and a blend) and, for each operand vector, what
:mod:`codegen.operands` chose; this module prices exactly those texts with
the cost table, and both the incremental estimate (:mod:`slpvec.estimate`)
and the ILP's coefficients (:mod:`ilp_oracle.problem`) read their prices
from here. Units: TTI cost units of the table's cost kind.
"""

from __future__ import annotations

from .codegen import vector_ops as vo
from .codegen.block import operand_positions
from .codegen.operands import OperandVector, gather_halves, is_commutative
from .analysis.loops import PreheaderLoads
from .context import BlockContext
from .cost import SynthQuery
from .ir.types import CONST, LOAD, PHI, STORE
from .packs import Pack

POISON = ("poison",)  # a mix of undef and poison lanes is not poison


def pack_queries(ctx: BlockContext, pack: Pack) -> list[SynthQuery]:
    """The synthetic instructions that price ``pack``: the text codegen emits
    for it, one query per vector instruction (an alternate-opcode pack: its
    two vector operations and their blend; a vector phi: none). An operand
    position whose lanes are all constants is the constant vector codegen
    writes in, unless codegen may swap it (positions 0 and 1 of commutative
    lanes)."""
    lanes = [ctx.block.instrs[i] for i in pack.lanes]
    first, width = lanes[0], pack.width
    if first.kind == PHI:  # a vector phi is free, as TTI prices a scalar one
        return []
    arg_types: list[str] = []
    texts: list[str] = []
    swappable = any(is_commutative(ins) for ins in lanes[1:])  # codegen may swap 0 and 1
    for pos in operand_positions(first):
        ops = [ins.operands[pos] for ins in lanes]
        if all(op.kind == CONST for op in ops) and not (swappable and pos < 2):
            # the constant vector codegen writes in (TTI prices x / <2, 2> as shifts)
            texts.append(vo.const_vector(ops[0].type, [op.text for op in ops]))
            continue
        texts.append(f"%a{len(arg_types)}")
        arg_types.append(vo.vec(first.operands[pos].type, width))
    if first.opcode == "extractelement":  # one shufflevector of the source vectors
        for _ in vo.extract_sources(lanes):
            texts.append(f"%a{len(arg_types)}")
            arg_types.append(first.operands[0].type)
    if first.callee:
        full = [f"scalar:{o.type} {o.text}" for o in first.operands[:-1]]
        for pos, text in zip(operand_positions(first), texts):
            full[pos] = text
        texts = full
    pointer = ""
    if first.kind in (LOAD, STORE):
        pointer = f"%a{len(arg_types)}"
        arg_types.append("ptr")
    opcodes = vo.lane_opcodes(lanes)
    queries = [SynthQuery(vo.pack_instruction("%r", lanes, texts, pointer, opcode=op),
                          tuple(arg_types)) for op in opcodes]
    if len(opcodes) > 1:
        queries.append(two_source_shuffle_query(first.type, width, vo.alternate_mask(lanes)))
    return queries


def pack_costs(ctx: BlockContext, packs) -> list[float]:
    """Per pack, its vector instructions' cost (one batched pricing)."""
    per_pack = [pack_queries(ctx, p) for p in packs]
    costs = iter(ctx.table.costs([q for queries in per_pack for q in queries]))
    return [sum(next(costs) for _ in queries) for queries in per_pack]


def two_source_shuffle_query(elem: str, source_width: int, mask) -> SynthQuery:
    t = vo.vec(elem, source_width)
    return SynthQuery(vo.shuffle("%r", "%a0", "%a1", elem, source_width, list(mask)), (t, t))


def two_source_shuffle_cost(table, elem: str, source_width: int, mask) -> float:
    """A shufflevector of two <source_width x elem> vectors. A blend's second
    source is a constant vector; it is priced as any second vector (TTI does
    not look at constant values; this keeps one cache entry per mask)."""
    return table.costs([two_source_shuffle_query(elem, source_width, mask)])[0]


def operand_cost(ctx: BlockContext, vector: OperandVector, source_widths: tuple[int, ...] = ()
                 ) -> float:
    """Cost of building one operand vector (0 for reuse and constants);
    ``source_widths``: widths of the packs a shuffle reads. A loop-invariant
    vector codegen builds in the loop's preheader (:mod:`codegen.hoist`) costs
    the same: a plan is charged for what it emits wherever it goes, as LLVM's
    SLP counts a gather it later hoists (pricing it 0 in the loop block moved
    cost to preheaders and lost static cost on NPB: LU ilp x LLVM 1.09 to
    1.06, SP 1.14 to 1.12). A gather of loads of that preheader is one vector
    load there when it can be (:func:`preheader_load`)."""
    elem, table = vector.elem, ctx.table
    if vector.kind == "pack":
        return 0.0
    if vector.kind == "shuffle" and len(vector.sources) == 1:
        return table.permute_cost(elem, source_widths[0], vector.mask)
    if vector.kind in ("shuffle", "blend"):  # two sources (a blend's: constants)
        return two_source_shuffle_cost(table, elem, source_widths[0], vector.mask)
    loads = preheader_load(ctx, vector)
    if loads is not None:
        return table.costs([preheader_load_query(loads)])[0]
    return _scalar_vector_cost(table, vector)


def preheader_load(ctx: BlockContext, vector: OperandVector):
    """The preheader loads a gather of ``ctx.block`` (a single-block loop)
    reads, when codegen builds it as one vector load at the preheader's end
    (:class:`analysis.loops.PreheaderLoads`; always, when it can), else None."""
    if vector.kind != "gather" or any(v.is_const or v.pack is not None or v.instr is not None
                                      for v in vector.lanes):
        return None
    loads = ctx.memo.get("preheader_loads")
    if loads is None:
        loads = ctx.memo["preheader_loads"] = PreheaderLoads(ctx.function, ctx.block)
    return loads.lanes([v.text for v in vector.lanes])


def preheader_load_query(loads) -> SynthQuery:
    """The vector load of ``loads`` codegen emits (lane 0's address and alignment)."""
    return SynthQuery(vo.pack_instruction("%r", list(loads), [], "%a0"), ("ptr",))


def split_gather(table, vector: OperandVector) -> bool:
    """True if codegen builds the gather ``vector`` as its two halves and a
    concatenating shufflevector (:func:`codegen.operands.gather_halves`),
    because that costs less than inserting lane by lane; the halves are
    asked again, each on its own."""
    return _halves_cost(table, vector) < _lane_by_lane_cost(table, vector)


def _lane_by_lane_cost(table, vector: OperandVector) -> float:
    """Codegen's insertelement chain into the constant lanes (all poison: poison)."""
    width, elem = len(vector.lanes), vector.elem
    into_poison = all(not v.is_const or v.text in POISON for v in vector.lanes)
    total = 0.0
    for lane, v in enumerate(vector.lanes):
        if not v.is_const:
            total += table.insert_cost(elem, width, lane, into_poison)
            into_poison = False
    return total


def _halves_cost(table, vector: OperandVector) -> float:
    """Both halves (one, if they are the same vector) and their concatenation;
    inf when the gather has no halves."""
    halves = gather_halves(vector)
    if halves is None:
        return float("inf")
    built = sum(_scalar_vector_cost(table, half) for half in dict.fromkeys(halves))
    concat = two_source_shuffle_cost(table, vector.elem, len(halves[0].lanes),
                                     range(len(vector.lanes)))
    return built + concat


def _scalar_vector_cost(table, vector: OperandVector) -> float:
    """A constant (free), splat or gather vector, built the cheapest way."""
    if vector.kind == "const":
        return 0.0
    if vector.kind == "splat":
        return table.broadcast_cost(vector.elem, len(vector.lanes))
    return min(_lane_by_lane_cost(table, vector), _halves_cost(table, vector))
