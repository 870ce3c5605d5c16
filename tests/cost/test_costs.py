"""Costs equal opt-22's own printout; the cache answers without opt."""

import re
import subprocess

import pytest

import slpvec.toolchain as toolchain
from slpvec.cost import (CostTable, DiskCache, SynthQuery, block_costs, module_report,
                         parse_cost_printout)
from slpvec.errors import CostModelError, SlpvecError, ToolNotFoundError
from slpvec.ir import parse_module
from slpvec.target import Target

from ..conftest import kernel_ir

HASWELL = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
_LINE = re.compile(r"^Cost Model: Found an estimated cost of (\S+) for instruction:\s+(.*)$")


def opt_printout(text: str, extra=()) -> list[tuple[str, str]]:
    """(cost, instruction text) pairs straight from opt-22, parsed independently."""
    proc = subprocess.run(["opt-22", "-passes=print<cost-model>", "-disable-output",
                           "-mtriple=x86_64-pc-linux-gnu", "-mcpu=haswell", *extra, "-"],
                          input=text, capture_output=True, text=True, check=True)
    return [m.groups() for line in proc.stderr.splitlines() if (m := _LINE.match(line))]


def test_block_costs_equal_opt_printout_entry_for_entry():
    module = parse_module(kernel_ir("quaternion.c"))
    costs = block_costs(module, HASWELL)
    ours = [(c, ins.text) for fn in module.functions for b in fn.blocks
            for c, ins in zip(costs[(fn.name, b.label)], b.instrs)]
    theirs = opt_printout(module.text)
    assert len(ours) == len(theirs) > 40
    for (cost, text), (their_cost, their_text) in zip(ours, theirs):
        assert text == their_text.strip()
        assert cost == float(their_cost)


def test_module_report_sums_blocks():
    module = parse_module(kernel_ir("reduction.c"))
    rows = module_report(module, HASWELL)
    costs = block_costs(module, HASWELL)
    assert [(r.function, r.label) for r in rows] == list(costs)
    assert all(r.cost == sum(costs[(r.function, r.label)]) for r in rows)


SAMPLE = """
define void @s(<4 x float> %a0, <4 x float> %a1, <8 x float> %b0, <8 x float> %b1,
               <2 x double> %d, double %x) #0 {
  %r0 = fadd <4 x float> %a0, %a1
  %r1 = fdiv <8 x float> %b0, %b1
  %r2 = insertelement <2 x double> %d, double %x, i64 1
  %r3 = extractelement <4 x float> %a0, i64 2
  %r4 = shufflevector <4 x float> %a0, <4 x float> poison, <4 x i32> <i32 3, i32 2, i32 1, i32 0>
  %r5 = shufflevector <8 x float> %b0, <8 x float> poison, <8 x i32> zeroinitializer
  %r6 = insertelement <2 x double> %d, double %x, i64 0
  ret void
}
attributes #0 = { "target-cpu"="haswell" }
"""


def test_synthetic_costs_equal_opt_printout():
    expected = [float(c) for c, _ in opt_printout(SAMPLE)][:7]
    table = CostTable(HASWELL, cache=DiskCache(enabled=False))
    v4, v8 = "<4 x float>", "<8 x float>"
    got = table.costs([SynthQuery("%r = fadd <4 x float> %a0, %a1", (v4, v4)),
                       SynthQuery("%r = fdiv <8 x float> %a0, %a1", (v8, v8))])
    got += [table.insert_cost("double", 2, 1), table.extract_cost("float", 4, 2),
            table.permute_cost("float", 4, (3, 2, 1, 0))]
    splat = table.costs([table.splat_query("float", 8)])[0]
    got += [splat, table.insert_cost("double", 2, 0)]
    assert got == expected
    into_poison = table.insert_cost("float", 8, 0, into_poison=True)
    assert table.broadcast_cost("float", 8) == into_poison + splat
    runs = table.opt_runs
    assert table.permute_cost("float", 4, (3, 2, 1, 0)) == got[4] and table.opt_runs == runs


def test_one_lane_operation_prices_its_whole_shape_in_the_same_opt_run():
    """Codegen asks for lane operations one lane, one block at a time; the
    first miss on a vector shape prices all of that shape's at once."""
    table = CostTable(HASWELL, cache=DiskCache(enabled=False))
    extract = table.extract_cost("double", 4, 3)
    assert table.opt_runs == 1
    family = [table.insert_cost("double", 4, lane) for lane in range(4)]
    family += [table.extract_cost("double", 4, lane) for lane in range(4)]
    broadcast = table.broadcast_cost("double", 4)
    assert table.opt_runs == 1
    fresh = CostTable(HASWELL, cache=DiskCache(enabled=False))
    assert family == [fresh.insert_cost("double", 4, lane) for lane in range(4)] + [
        fresh.extract_cost("double", 4, lane) for lane in range(4)]
    assert extract == family[-1] and broadcast == fresh.broadcast_cost("double", 4)


def test_insert_into_poison_is_priced_apart():
    """x86 TTI: an fp scalar already sits in lane 0, so inserting it into
    poison there is free, into a live vector (or another lane) is not; the
    splat and the all-lanes gather codegen emits start from poison."""
    table = CostTable(HASWELL, cache=DiskCache(enabled=False))
    assert table.insert_cost("float", 4, 0, into_poison=True) == 0
    assert table.insert_cost("float", 4, 0) == 1
    assert table.insert_cost("float", 4, 1, into_poison=True) == 1
    assert table.insert_cost("i32", 4, 0, into_poison=True) == 1
    assert table.build_vector_cost("float", 4) == 3


def test_batch_is_one_opt_run_and_disk_cache_answers(tmp_path, monkeypatch):
    cache = DiskCache(tmp_path / "c.sqlite")
    table = CostTable(HASWELL, cache=cache)
    table.prefetch_lane_ops([("float", 4), ("double", 2), ("i32", 8)])
    assert table.opt_runs == 1
    first = [table.extract_cost("i32", 8, k) for k in range(8)]
    assert table.opt_runs == 1

    def no_opt(*args, **kwargs):
        raise AssertionError("opt-22 must not run on a cache hit")

    monkeypatch.setattr("slpvec.cost.table.run_tool", no_opt)
    fresh = CostTable(HASWELL, cache=DiskCache(tmp_path / "c.sqlite"))
    assert [fresh.extract_cost("i32", 8, k) for k in range(8)] == first
    assert fresh.opt_runs == 0


def test_cache_key_separates_cpus(tmp_path):
    cache = DiskCache(tmp_path / "c.sqlite")
    q = SynthQuery("%r = fdiv <4 x double> %a0, %a1", ("<4 x double>",) * 2)
    hsw = CostTable(HASWELL, cache=cache).costs([q])[0]
    atom = CostTable(Target("x86_64-pc-linux-gnu", "atom", "", 128), cache=cache).costs([q])[0]
    assert hsw != atom  # atom prices 256-bit double division far higher


def test_bad_synthetic_text_names_the_query():
    table = CostTable(HASWELL, cache=DiskCache(enabled=False))
    good = SynthQuery("%r = fadd <4 x float> %a0, %a1", ("<4 x float>",) * 2)
    bad = SynthQuery("%r = fadd <4 x float> %a0, %nope", ("<4 x float>",))
    with pytest.raises(CostModelError, match="fadd <4 x float> %a0, %nope"):
        table.costs([good, bad])


def test_unknown_cost_kind():
    with pytest.raises(SlpvecError, match="unknown cost kind 'fast'"):
        CostTable(HASWELL, "fast")


def test_missing_opt_gives_install_hint(monkeypatch):
    monkeypatch.setenv("SLPVEC_OPT", "/nonexistent/opt-22")
    toolchain.tool_path.cache_clear()
    try:
        with pytest.raises(ToolNotFoundError, match="apt-get install -y clang-22 llvm-22"):
            block_costs(parse_module(kernel_ir("add_f32.c")), HASWELL, cache=DiskCache(enabled=False))
    finally:
        monkeypatch.delenv("SLPVEC_OPT")
        toolchain.tool_path.cache_clear()


def test_printout_parser_handles_invalid_and_quoted_names():
    text = ("Printing analysis 'Cost Model Analysis' for function 'a.b':\n"
            "Cost Model: Found an estimated cost of 2 for instruction:   %x = fadd float %a, %b\n"
            "Cost Model: Found an estimated cost of Invalid for instruction:   %y = call ...\n")
    assert parse_cost_printout(text) == {"a.b": [2.0, None]}
