"""Text of vector instructions: what codegen emits and the cost table prices.

Every builder returns one line of LLVM IR (without indentation) that defines
``result`` (a ``%name``). Builders are pure functions of their arguments, so
the cost of a pack can be queried with exactly the text codegen will emit.
"""

from __future__ import annotations

from ..analysis.loops import phi_labels
from ..errors import InternalError
from ..ir.types import Instr
from ..ir.typesize import vector_shape

CASTS = frozenset({"trunc", "zext", "sext", "fptrunc", "fpext", "fptoui", "fptosi",
                   "uitofp", "sitofp", "ptrtoint", "inttoptr", "bitcast"})
_MANGLE = {"float": "f32", "double": "f64", "half": "f16", "bfloat": "bf16", "ptr": "p0"}


class UnsupportedPack(InternalError):
    """A pack codegen cannot express as one vector instruction (the block stays scalar)."""


def vec(elem: str, lanes: int) -> str:
    """``<lanes x elem>``."""
    return f"<{lanes} x {elem}>"


def common_flags(lanes: list[Instr]) -> str:
    """Flags every lane carries (dropping a flag is always safe), as text + space."""
    common = [f for f in lanes[0].flags if all(f in ins.flags for ins in lanes[1:])]
    return "".join(f + " " for f in common)


def mangle(elem: str) -> str:
    """LLVM's intrinsic name suffix for a scalar type (``double`` -> ``f64``)."""
    return _MANGLE.get(elem, elem)


def vector_intrinsic(callee: str, elem: str, lanes: int) -> str:
    """``llvm.fmuladd.f64`` -> ``llvm.fmuladd.v4f64``."""
    suffix = "." + mangle(elem)
    if not callee.endswith(suffix):
        raise UnsupportedPack(f"cannot vectorize intrinsic {callee}")
    return callee[: -len(suffix)] + f".v{lanes}{mangle(elem)}"


def const_vector(elem: str, values: list[str]) -> str:
    """Constant vector literal (``<float 1.0, float poison>``); ``zeroinitializer``
    is not used so lanes stay readable."""
    return "<" + ", ".join(f"{elem} {v}" for v in values) + ">"


def lane_opcodes(lanes: list[Instr]) -> tuple[str, ...]:
    """The distinct opcodes of a pack's lanes, lane 0's first: one for an
    isomorphic pack, two (main, alternate) for an alternate-opcode pack."""
    return tuple(dict.fromkeys(ins.opcode for ins in lanes))


def alternate_mask(lanes: list[Instr]) -> list[int]:
    """Blend mask of an alternate-opcode pack: lane k from the main-opcode
    vector (k) or from the alternate one (n + k)."""
    main, n = lanes[0].opcode, len(lanes)
    return [k if ins.opcode == main else n + k for k, ins in enumerate(lanes)]


def extract_sources(lanes: list[Instr]) -> list[str]:
    """The vectors a pack of ``extractelement`` lanes reads (one or two),
    lane 0's first: the operands of the shufflevector that replaces it."""
    return list(dict.fromkeys(ins.operands[0].text for ins in lanes))


def extract_mask(lanes: list[Instr]) -> list[int]:
    """Shufflevector mask of a pack of ``extractelement`` lanes: lane k reads
    element ``index`` of source s, element ``s * width + index`` of the two."""
    sources = extract_sources(lanes)
    width = vector_shape(lanes[0].operands[0].type)[0]
    return [sources.index(ins.operands[0].text) * width + int(ins.operands[1].text)
            for ins in lanes]


def pack_instructions(result: str, lanes: list[Instr], operands: list[str], pointer: str = "",
                      temporaries: tuple[str, str] = ("%t0", "%t1")) -> list[str]:
    """The vector instructions replacing ``lanes``: one (:func:`pack_instruction`),
    or for an alternate-opcode pack (``fadd``/``fsub`` lanes, ...) both
    opcodes over every lane into ``temporaries`` and a blend of the two into
    ``result`` (LLVM SLP's alternate shuffle; x86 selects ``addsub`` for it)."""
    opcodes = lane_opcodes(lanes)
    if len(opcodes) == 1:
        return [pack_instruction(result, lanes, operands, pointer)]
    main, alt = (pack_instruction(t, lanes, operands, opcode=op)
                 for t, op in zip(temporaries, opcodes))
    return [main, alt, shuffle(result, temporaries[0], temporaries[1], lanes[0].type,
                               len(lanes), alternate_mask(lanes))]


def pack_instruction(result: str, lanes: list[Instr], operands: list[str],
                     pointer: str = "", opcode: str = "") -> str:
    """The vector instruction replacing ``lanes`` (all isomorphic), or with
    ``opcode``, the vector instruction of that opcode over every lane of an
    alternate-opcode pack (with the flags its lanes of that opcode share).

    ``operands``: vector operand texts, one per operand position of the scalar
    instruction (excluding the callee; for loads none, for stores the value;
    for ``extractelement`` lanes the vectors of :func:`extract_sources`,
    which one shufflevector reads).
    ``pointer``: for loads/stores, the address of lane 0.
    """
    first, n = lanes[0], len(lanes)
    op = opcode or first.opcode
    if op == "extractelement":
        second = operands[1] if len(operands) > 1 else "poison"
        return shuffle(result, operands[0], second, first.type,
                       vector_shape(first.operands[0].type)[0], extract_mask(lanes))
    flags = common_flags([ins for ins in lanes if ins.opcode == op])
    elem_types = [o.type for o in first.operands]
    if op == "load":
        return f"{result} = load {vec(first.type, n)}, ptr {pointer}, align {_align(first)}"
    if op == "store":
        t = vec(elem_types[0], n)
        return f"store {t} {operands[0]}, ptr {pointer}, align {_align(first)}"
    rtype = vec(first.type, n)
    if op == "phi":  # operands: the vectors entering from lane 0's incoming blocks
        incoming = ", ".join(f"[ {v}, {label} ]" for v, label in zip(operands, phi_labels(first)))
        return f"{result} = phi {flags}{rtype} {incoming}"
    if op in CASTS:
        return f"{result} = {op} {flags}{vec(elem_types[0], n)} {operands[0]} to {rtype}"
    if op == "fneg" or op == "freeze":
        return f"{result} = {op} {flags}{rtype} {operands[0]}"
    if op in ("icmp", "fcmp"):
        t = vec(elem_types[0], n)
        return f"{result} = {op} {flags}{first.predicate} {t} {operands[0]}, {operands[1]}"
    if op == "select":
        cond_type = vec("i1", n)
        return (f"{result} = select {flags}{cond_type} {operands[0]}, {rtype} {operands[1]}, "
                f"{rtype} {operands[2]}")
    if op == "call":
        name = vector_intrinsic(first.callee, first.type, n)
        args = ", ".join(f"{vec(t, n)} {v}" if not v.startswith("scalar:") else v[7:]
                         for t, v in zip(elem_types, operands))
        return f"{result} = call {flags}{rtype} @{name}({args})"
    if len(operands) == 2:
        return f"{result} = {op} {flags}{rtype} {operands[0]}, {operands[1]}"
    raise UnsupportedPack(f"cannot vectorize '{op}'")


def _align(ins: Instr) -> int:
    return ins.align or 1


def insert(result: str, vector: str, elem: str, lanes: int, value: str, lane: int) -> str:
    return f"{result} = insertelement {vec(elem, lanes)} {vector}, {elem} {value}, i64 {lane}"


def extract(result: str, vector: str, elem: str, lanes: int, lane: int) -> str:
    return f"{result} = extractelement {vec(elem, lanes)} {vector}, i64 {lane}"


def shuffle(result: str, a: str, b: str, elem: str, lanes_in: int, mask: list[int]) -> str:
    """Shufflevector of two ``<lanes_in x elem>`` vectors (``b`` may be poison)."""
    mask_text = "<" + ", ".join(f"i32 {m}" for m in mask) + ">"
    t = vec(elem, lanes_in)
    return f"{result} = shufflevector {t} {a}, {t} {b}, {vec('i32', len(mask))} {mask_text}"


def splat_shuffle(result: str, vector: str, elem: str, lanes: int) -> str:
    """Broadcast lane 0 of ``vector`` to every lane."""
    t = vec(elem, lanes)
    return f"{result} = shufflevector {t} {vector}, {t} poison, {vec('i32', lanes)} zeroinitializer"
