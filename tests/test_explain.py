"""slpvec explain: the picture of one block (nodes, edges, clusters counted in
the SVG by their classes), each output format, LLVM's panel, and the errors."""

import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from slpvec.cli import main
from slpvec.inputs import load_module
from slpvec.tools.explain import explain_block
from slpvec.tools.explain_render import block_graph, short_text

KERNELS = Path(__file__).parent / "data" / "kernels"
BUTTERFLY = KERNELS / "butterfly.c"
EXAMPLE = Path(__file__).parents[1] / "examples" / "kernels" / "saxpy4.c"


def run(capsys, *argv):
    code = main(["explain", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def svg_classes(svg: str) -> Counter:
    """How many nodes, edges and clusters of each class the SVG draws."""
    return Counter(re.findall(r'<g id="\w+" class="((?:node|edge|cluster)[^"]*)"', svg))


@pytest.fixture(scope="module")
def butterfly():
    """The radix-2 butterfly under greedy on haswell: 23 instructions, 7 packs of 2."""
    return explain_block(load_module(BUTTERFLY, "haswell"), "butterfly", "entry", "greedy")


def test_butterfly_picture_counts(butterfly):
    svg = block_graph(butterfly).pipe(format="svg", encoding="utf-8")
    assert svg_classes(svg) == {
        "cluster pack": 7, "node pack": 7,   # one coloured group per pack, its lanes one row
        "node instr": 9,                      # 23 instructions, 14 of them in packs
        "node opvec": 3,                      # splat %i, splat %i2, gather <%i4, %i1>
        "edge vector": 10,                    # 8 operands passed on whole + 2 from opvec nodes
        "edge lane": 4,                       # scalars read by the splats and the gather
        "edge memory": 4,                     # each load of a/b before the store to its bytes
        "edge def&#45;use": 5,                # addresses, the fneg
        "edge def&#45;use extract": 3,        # fsub lanes to their scalar stores, %i3 to fneg
    }


def test_lanes_are_drawn_in_lane_order(butterfly):
    svg = block_graph(butterfly).pipe(format="svg", encoding="utf-8")
    for view in butterfly.packs:
        xs = []
        for lane, i in enumerate(view.pack.lanes):
            text = f"{lane}| {short_text(butterfly.ctx.block.instrs[i].text)}"
            match = re.search(rf'<text text-anchor="start" x="([-\d.]+)"[^>]*>{re.escape(text)}<',
                              unescape(svg))
            assert match, text
            xs.append(float(match.group(1)))
        assert xs == sorted(xs), view.pack


def test_pack_costs_add_up_to_the_estimate(butterfly):
    costs = [view.cost for view in butterfly.packs]
    assert butterfly.cost_before == 19 and butterfly.cost_after == 17
    assert butterfly.cost_before - sum(c.saving for c in costs) == butterfly.estimated_after == 17
    # the splat of %i is built once for the fmuladd pack, the gather and splat %i2 for the fmuls
    assert sorted(c.operands for c in costs) == [0, 0, 0, 0, 0, 1, 2]


def test_each_format_is_written(tmp_path, capsys):
    for suffix in ("svg", "png", "html"):
        out = tmp_path / f"block.{suffix}"
        code, _, err = run(capsys, BUTTERFLY, "--function", "butterfly", "--block", "entry",
                           "-mcpu", "haswell", "-o", out)
        assert code == 0 and err == ""
    assert "<svg" in (tmp_path / "block.svg").read_text()
    assert (tmp_path / "block.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "block.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 1
    assert page.count("<tr>") == 1 + 7 + 1  # header, one row per pack, the totals
    assert "<td>P4</td><td>fmuladd</td><td>%i5, %i6</td>" in page
    assert "<td>P0</td><td>store</td><td>store %add, %a, store %add18, %arrayidx12</td>" in page
    totals = "".join(f"<td>{x}</td>" for x in ("all", "", "", "", 14, 7, 3, 2, 12, 2))
    assert f"<tr>{totals}</tr>" in page  # 19 - 2 = 17: the yardstick's saving


def test_llvm_panel_lists_llvm_vector_instructions(tmp_path, capsys):
    out = tmp_path / "saxpy.svg"
    code, _, _ = run(capsys, EXAMPLE, "--function", "saxpy8", "--block", "saxpy8:entry",
                     "-mcpu", "haswell", "--llvm", "-o", out)
    assert code == 0
    classes = svg_classes(out.read_text())
    # two loads, the splat's insertelement and shufflevector, the fmuladd, the store
    assert (classes["cluster llvm"], classes["node llvm"], classes["edge llvm"]) == (1, 6, 5)
    assert "LLVM SLP (opt-22 -passes=slp-vectorizer): cost 32 -> 5" in unescape(out.read_text())


def test_without_block_the_largest_saving_is_picked(tmp_path, capsys):
    code, _, err = run(capsys, KERNELS / "cond_loop.c", "--function", "find_scale",
                       "-mcpu", "haswell", "-o", tmp_path / "f.svg")
    assert code == 0
    assert "showing find_scale:cond.end, the block of find_scale the policy saves most on" in err
    assert len(load_module(KERNELS / "cond_loop.c", "haswell").function("find_scale").blocks) > 1


@pytest.mark.parametrize("args, message", [
    (("--function", "nope"), "no function 'nope' defined in the input (functions: saxpy8, cmul2)"),
    (("--function", "cmul2", "--block", "loop"), "no block 'loop' in function 'cmul2' "
                                                 "(blocks: entry)"),
])
def test_missing_function_or_block(tmp_path, capsys, args, message):
    code, _, err = run(capsys, EXAMPLE, *args, "-o", tmp_path / "x.svg")
    assert (code, err) == (1, f"slpvec: error: {message}\n")
    assert not (tmp_path / "x.svg").exists()


def test_unknown_picture_format(tmp_path, capsys):
    code, _, err = run(capsys, EXAMPLE, "--function", "cmul2", "-o", tmp_path / "x.pdf")
    assert (code, err) == (1, f"slpvec: error: -o {tmp_path / 'x.pdf'}: expected a .svg, "
                              ".png or .html file\n")


def test_dot_not_installed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot (nor anything else) on PATH
    code, _, err = run(capsys, EXAMPLE, "--function", "cmul2", "-o", tmp_path / "x.svg")
    assert code == 1
    assert err.startswith("slpvec: error: graphviz's 'dot' not found on PATH") \
        and err.count("\n") == 1


@pytest.mark.parametrize("line, short", [
    ("%i2 = tail call float @llvm.fmuladd.f32(float %a, float %i, float %i1)",
     "%i2 = fmuladd(%a, %i, %i1)"),
    ("%arrayidx3 = getelementptr inbounds nuw i8, ptr %x, i64 4", "%arrayidx3 = gep %x, 4"),
    ("store <8 x float> %4, ptr %y, align 4, !tbaa !9", "store x8 %4, %y"),
    ("%4 = call <8 x float> @llvm.fmuladd.v8f32(<8 x float> %3, <8 x float> %0, <8 x float> %1)",
     "%4 = fmuladd x8(%3, %0, %1)"),
    ("%x = fadd fast double %a, 1.000000e+00", "%x = fadd %a, 1.0"),
    ("%c = sitofp i32 %i to double", "%c = sitofp %i"),
    ("%cmp = icmp slt i32 %i64, %b", "%cmp = icmp slt %i64, %b"),  # value names stay
])
def test_short_text(line, short):
    assert short_text(line) == short


def test_a_block_left_scalar_says_why(tmp_path):
    explained = explain_block(load_module(EXAMPLE, "haswell"), "cmul2", "entry", "greedy")
    assert explained.packs == () and explained.cost_after == explained.cost_before == 11
    graph = block_graph(explained)
    assert "stays scalar: no profitable plan" in graph.source
    assert svg_classes(graph.pipe(format="svg", encoding="utf-8"))["node instr"] == 15
