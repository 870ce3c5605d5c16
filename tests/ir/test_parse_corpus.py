"""Every function of every test kernel parses completely, and nothing is dropped.

The kernels (tests/data/kernels/*.c) are compiled once per session with
``compile_c_to_ir(path, march="haswell")`` (cached in ``conftest.kernel_ir``);
the parsed modules are cached here, so each file also parses once.
"""

import functools
import re

import pytest

from slpvec.errors import IRParseError
from slpvec.ir import BARRIER, LOCAL, PHI, parse_module
from slpvec.ir.types import (CONST, GLOBAL, LABEL, LOAD, META, PURE, STORE,
                             TERMINATOR, VALUE)
from slpvec.toolchain import run_tool

from ..conftest import KERNEL_FILES, kernel_ir

KINDS = {PURE, LOAD, STORE, PHI, TERMINATOR, BARRIER}
OPERAND_KINDS = {LOCAL, VALUE, CONST, GLOBAL, LABEL, META}
_DEFINE = re.compile(r'^define .*?@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(')


@functools.cache
def parsed(name: str):
    return parse_module(kernel_ir(name), name)


def instruction_lines(text: str) -> dict[str, list[tuple[int, str]]]:
    """Per defined function, its instructions as counted from the text alone.

    An instruction line is a line inside ``define ... { ... }`` that starts
    with two spaces and is not a comment. LLVM prints a switch over several
    lines (``switch ... [``, one line per case, ``]``): those continuation
    lines belong to the switch and are not counted on their own.
    Returns (1-based line number, instruction text joined onto one line).
    """
    out: dict[str, list[tuple[int, str]]] = {}
    current, continued = None, False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("define "):
            current = _DEFINE.match(line).group(1).strip('"')
            out[current] = []
        elif line == "}":
            current = None
        elif current is None:
            continue
        elif continued:
            first, joined = out[current][-1]
            out[current][-1] = (first, f"{joined} {line.strip()}")
            continued = line.strip() != "]"
        elif line.startswith("  ") and not line.strip().startswith(";"):
            out[current].append((number, line.strip()))
            continued = line.rstrip().endswith("[")
    return out


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.stem)
def test_kernel_parses_completely(path):
    module = parsed(path.name)  # no exception
    expected = instruction_lines(module.text)
    assert module.functions, "a kernel defines at least one function"
    assert {fn.name for fn in module.functions} == set(expected)
    text_lines = module.text.splitlines()
    for fn in module.functions:
        instrs = [ins for block in fn.blocks for ins in block.instrs]
        # nothing dropped, nothing invented: one Instr per instruction line
        assert len(instrs) == len(expected[fn.name]), fn.name
        assert [(ins.line, ins.text) for ins in instrs] == expected[fn.name]
        for block in fn.blocks:
            assert block.instrs, block.id
            assert block.instrs[-1].kind == TERMINATOR, block.id
            for idx, ins in enumerate(block.instrs):
                assert ins.idx == idx
                assert ins.kind in KINDS
                # the text is verbatim LLVM printing (switch: its lines, joined)
                if ins.opcode == "switch":
                    assert text_lines[ins.line - 1] == "  " + ins.text.split(" [ ")[0] + " ["
                else:
                    assert ins.text in module.text
                    assert text_lines[ins.line - 1] == "  " + ins.text
                for op in ins.operands:
                    assert op.kind in OPERAND_KINDS
                    if op.kind != LOCAL:
                        assert op.index is None
                        continue
                    assert 0 <= op.index < len(block.instrs), (block.id, ins.text)
                    assert block.instrs[op.index].ref == op.text, (block.id, ins.text)
                    if ins.kind != PHI:
                        assert op.index < ins.idx, (block.id, ins.text)
            assert all(0 <= i < len(block.instrs) for i in block.live_out)
            assert list(block.live_out) == sorted(set(block.live_out))


def test_corpus_is_big_enough():
    modules = [parsed(f.name) for f in KERNEL_FILES]
    blocks = [b for m in modules for b in m.blocks()]
    instrs = sum(len(b) for b in blocks)
    assert len(modules) >= 20
    assert len(blocks) >= 100  # 187 blocks, 2524 instructions with clang-22.1
    assert instrs >= 1000
    # the corpus covers control flow, loop-vectorized input and barriers
    kinds = {i.kind for b in blocks for i in b.instrs}
    assert kinds == {PURE, LOAD, STORE, PHI, TERMINATOR, BARRIER}
    assert any(i.type.startswith("<") for b in blocks for i in b.instrs)
    opcodes = {i.opcode for b in blocks for i in b.instrs}
    assert {"switch", "fneg", "shufflevector", "sitofp", "uitofp", "fptoui", "select",
            "trunc", "zext", "sext", "lshr", "xor"} <= opcodes
    callees = {i.callee.rsplit(".", 1)[0] for b in blocks for i in b.instrs if i.callee}
    assert {"llvm.fmuladd", "llvm.sqrt", "llvm.fabs", "llvm.minnum", "llvm.maxnum",
            "llvm.memcpy.p0.p0", "observe"} <= callees


def test_loop_vectorized_kernel_has_vector_instructions():
    module = parsed("loopvec.c")
    types = {i.type for b in module.blocks() for i in b.instrs}
    assert "<8 x float>" in types
    assert len(module.functions[0].blocks) > 3


def test_barriers_are_recognised():
    module = parsed("volatile_store.c")
    stores = [i for b in module.blocks() for i in b.instrs if i.opcode == "store"]
    assert len(stores) == 4 and all(i.kind == BARRIER for i in stores)
    loads = [i for b in module.blocks() for i in b.instrs if i.opcode == "load"]
    assert len(loads) == 4 and all(i.kind == LOAD for i in loads)

    module = parsed("barrier_call.c")
    (block,) = module.functions[0].blocks
    calls = [i for i in block.instrs if i.opcode == "call"]
    assert [(c.callee, c.kind) for c in calls] == [("observe", BARRIER)]
    stores = [i.idx for i in block.instrs if i.opcode == "store"]
    assert sum(s < calls[0].idx for s in stores) == 2  # the call stays in the middle

    module = parsed("memcpy_struct.c")
    block = module.function("snapshot").blocks[0]
    (memcpy,) = [i for i in block.instrs if i.opcode == "call"]
    assert memcpy.callee == "llvm.memcpy.p0.p0.i64" and memcpy.kind == BARRIER
    assert 0 < memcpy.idx < len(block) - 1


def test_pure_intrinsics_are_pure():
    kinds = {(i.callee, i.kind) for f in ("fma.c", "vec3.c", "minmax.c")
             for b in parsed(f).blocks() for i in b.instrs if i.callee}
    assert kinds == {("llvm.fmuladd.f64", PURE), ("llvm.fmuladd.f32", PURE),
                     ("llvm.sqrt.f32", PURE), ("llvm.fabs.f32", PURE),
                     ("llvm.maxnum.f32", PURE), ("llvm.minnum.f32", PURE),
                     ("llvm.smax.i32", PURE)}


UNKNOWN_IR = """
define i64 @addr_sum(ptr noalias %p, ptr noalias %q) {
entry:
  %x = load i64, ptr %p, align 8
  %a = ptrtoaddr ptr %q to i64
  %s = add i64 %x, %a
  store i64 %s, ptr %p, align 8
  ret i64 %s
}
"""


def test_unknown_construct_is_kept_as_a_barrier():
    # ptrtoaddr (new in LLVM 22) is valid IR that slpvec does not model
    run_tool("opt", ["-passes=verify", "-disable-output"], stdin=UNKNOWN_IR)
    module = parse_module(UNKNOWN_IR)
    (block,) = module.functions[0].blocks
    assert [(i.opcode, i.kind) for i in block.instrs] == [
        ("load", LOAD), ("ptrtoaddr", BARRIER), ("add", PURE), ("store", STORE),
        ("ret", TERMINATOR)]
    assert block.instrs[1].text == "%a = ptrtoaddr ptr %q to i64"
    assert [(o.kind, o.text) for o in block.instrs[1].operands] == [(VALUE, "%q")]
    assert [(o.kind, o.index) for o in block.instrs[2].operands] == [(LOCAL, 0), (LOCAL, 1)]
    assert module.unknown == (("addr_sum", "entry", 1, "ptrtoaddr"),)


SIDE_EFFECTS_IR = """
define i32 @effects(ptr %p, ...) {
entry:
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  %x = va_arg ptr %ap, i32
  call void @llvm.va_end.p0(ptr %ap)
  %old = atomicrmw add ptr %p, i32 %x seq_cst, align 4
  %pair = cmpxchg ptr %p, i32 %old, i32 0 acq_rel monotonic, align 4
  fence seq_cst
  %y = load atomic i32, ptr %p acquire, align 4
  %z = load volatile i32, ptr %p, align 4
  %s = call i32 asm sideeffect "nop", "=r"()
  %f = freeze i32 %s
  %r = add i32 %y, %z
  %t = add i32 %r, %f
  ret i32 %t
}
"""


def test_side_effect_constructs_are_barriers_and_kept():
    run_tool("opt", ["-passes=verify", "-disable-output"], stdin=SIDE_EFFECTS_IR)
    module = parse_module(SIDE_EFFECTS_IR)
    (block,) = module.functions[0].blocks
    assert [(i.opcode, i.kind) for i in block.instrs] == [
        ("alloca", PURE), ("call", BARRIER), ("va_arg", BARRIER), ("call", BARRIER),
        ("atomicrmw", BARRIER), ("cmpxchg", BARRIER), ("fence", BARRIER),
        ("load", BARRIER), ("load", BARRIER), ("call", BARRIER), ("freeze", PURE),
        ("add", PURE), ("add", PURE), ("ret", TERMINATOR)]
    assert block.instrs[2].text == "%x = va_arg ptr %ap, i32"
    assert block.instrs[9].callee == "" and block.instrs[9].operands[-1].kind == META
    assert module.unknown == ()  # all of these are modelled (as barriers)


LANDINGPAD_IR = """
declare void @may_throw()
declare i32 @__gxx_personality_v0(...)

define void @f() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw() to label %ok unwind label %lp
ok:
  ret void
lp:
  %x = landingpad { ptr, i32 } cleanup catch ptr null
  resume { ptr, i32 } %x
}
"""


def test_landingpad_with_clauses_is_kept():
    run_tool("opt", ["-passes=verify", "-disable-output"], stdin=LANDINGPAD_IR)
    module = parse_module(LANDINGPAD_IR)
    lp = module.function("f").blocks[2]
    assert [(i.opcode, i.kind) for i in lp.instrs] == [
        ("landingpad", BARRIER), ("resume", TERMINATOR)]
    assert "cleanup" in lp.instrs[0].text and "catch ptr null" in lp.instrs[0].text
