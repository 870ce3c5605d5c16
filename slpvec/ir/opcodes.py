"""What slpvec knows about LLVM opcodes and intrinsics.

Classifies each instruction into one of the kinds of :mod:`slpvec.ir.types`.
Anything not listed here is an *unknown construct*: kept verbatim and treated
as a barrier (nothing moves across it), and reported by the parser.
"""

from __future__ import annotations

from .types import BARRIER, LOAD, PHI, PURE, STORE, TERMINATOR

BINARY_INT = ("add", "sub", "mul", "udiv", "sdiv", "urem", "srem",
              "shl", "lshr", "ashr", "and", "or", "xor")
BINARY_FP = ("fadd", "fsub", "fmul", "fdiv", "frem")
UNARY = ("fneg",)
CASTS = ("trunc", "zext", "sext", "fptrunc", "fpext", "fptoui", "fptosi",
         "uitofp", "sitofp", "ptrtoint", "inttoptr", "bitcast", "addrspacecast")
OTHER_PURE = ("icmp", "fcmp", "select", "getelementptr", "extractelement",
              "insertelement", "shufflevector", "extractvalue", "insertvalue",
              "freeze", "alloca")
TERMINATORS = ("ret", "br", "switch", "indirectbr", "invoke", "resume",
               "unreachable", "callbr", "cleanupret", "catchret", "catchswitch")
SIDE_EFFECTS = ("call", "fence", "atomicrmw", "cmpxchg", "va_arg", "landingpad",
                "cleanuppad", "catchpad")

KNOWN_OPCODES = frozenset(BINARY_INT + BINARY_FP + UNARY + CASTS + OTHER_PURE
                          + TERMINATORS + SIDE_EFFECTS + ("load", "store", "phi"))

# Intrinsics without side effects: element-wise, so they can be packed.
PURE_INTRINSIC_PREFIXES = (
    "llvm.fmuladd.", "llvm.fma.", "llvm.sqrt.", "llvm.fabs.", "llvm.minnum.",
    "llvm.maxnum.", "llvm.minimum.", "llvm.maximum.", "llvm.copysign.",
    "llvm.floor.", "llvm.ceil.", "llvm.trunc.", "llvm.rint.", "llvm.nearbyint.",
    "llvm.round.", "llvm.roundeven.", "llvm.smin.", "llvm.smax.", "llvm.umin.",
    "llvm.umax.", "llvm.abs.", "llvm.ctpop.", "llvm.ctlz.", "llvm.cttz.", "llvm.fshl.",
    "llvm.fshr.",
    "llvm.bswap.", "llvm.bitreverse.",
)


def is_pure_intrinsic(callee: str) -> bool:
    """True for intrinsics that only compute a value (no memory, no traps)."""
    return callee.startswith(PURE_INTRINSIC_PREFIXES)


def classify(opcode: str, callee: str, ordered: bool = False) -> str:
    """Kind of an instruction (``PURE``, ``LOAD``, ``STORE``, ...).

    ``ordered``: a volatile or atomic load/store; those are barriers. So are
    calls other than pure intrinsics, and every opcode slpvec does not know.
    """
    if opcode in ("load", "store"):
        if ordered:
            return BARRIER
        return LOAD if opcode == "load" else STORE
    if opcode == "phi":
        return PHI
    if opcode in TERMINATORS:
        return TERMINATOR
    if opcode == "call":
        return PURE if is_pure_intrinsic(callee) else BARRIER
    if opcode in KNOWN_OPCODES and opcode not in SIDE_EFFECTS:
        return PURE
    return BARRIER
