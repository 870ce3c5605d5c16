"""Every function of every test kernel parses, and nothing is dropped."""

import re

import pytest

from slpvec.ir import LOCAL, PHI, parse_module

from ..conftest import KERNEL_FILES, kernel_ir


def instruction_lines(text: str) -> dict[str, int]:
    """Instruction count per defined function, counted from the text itself."""
    counts, current, continued = {}, None, False
    for line in text.splitlines():
        if line.startswith("define "):
            current = re.search(r"@([-\w.$]+)\(", line).group(1)
            counts[current] = 0
        elif line == "}":
            current = None
        elif current and continued:
            continued = line.strip() != "]"
        elif current and line.startswith("  ") and not line.strip().startswith(";"):
            counts[current] += 1
            continued = line.rstrip().endswith("[")
    return counts


def test_corpus_is_big_enough():
    assert len(KERNEL_FILES) >= 20
    blocks = sum(len(fn.blocks) for f in KERNEL_FILES
                 for fn in parse_module(kernel_ir(f.name)).functions)
    assert blocks >= 60  # 79 with clang-22.1 at -O3


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.stem)
def test_kernel_parses_completely(path):
    module = parse_module(kernel_ir(path.name), path.name)
    expected = instruction_lines(module.text)
    assert {fn.name for fn in module.functions} == set(expected)
    for fn in module.functions:
        assert sum(len(b) for b in fn.blocks) == expected[fn.name]
        for block in fn.blocks:
            for ins in block.instrs:
                assert ins.text.split(" [")[0] in module.text
                for op in ins.operands:
                    if op.kind == LOCAL and ins.kind != PHI:
                        assert op.index < ins.idx, (block.id, ins.text)


def test_barriers_are_recognised():
    module = parse_module(kernel_ir("volatile_store.c"))
    stores = [i for b in module.blocks() for i in b.instrs if i.opcode == "store"]
    assert stores and all(i.kind == "barrier" for i in stores)
    call_module = parse_module(kernel_ir("barrier_call.c"))
    calls = [i for b in call_module.blocks() for i in b.instrs if i.opcode == "call"]
    assert [c.callee for c in calls] == ["observe"] and calls[0].kind == "barrier"


def test_unknown_construct_is_kept_as_a_barrier():
    module = parse_module("""
define i32 @f(ptr %p) {
entry:
  %old = atomicrmw add ptr %p, i32 1 seq_cst
  %x = load i32, ptr %p, align 4
  %y = add i32 %x, %old
  ret i32 %y
}
""")
    ops = [(i.opcode, i.kind) for i in module.functions[0].blocks[0].instrs]
    assert ops == [("atomicrmw", "barrier"), ("load", "load"), ("add", "pure"), ("ret", "term")]
