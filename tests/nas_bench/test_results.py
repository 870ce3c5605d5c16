"""nas_bench reporting: exact medians, speedups and geomean from a synthetic CSV."""

import math

import pytest

from nas_bench.cli import main
from nas_bench.npb import NasError
from nas_bench.results import read_csv, render_markdown, summarize
from nas_bench.runner import parse_output, schedule

CSV = """benchmark,class,variant,run,seconds,verified,npb_seconds
CG,W,clang-O3,0,2.0,1,
CG,W,clang-O3,1,4.0,1,
CG,W,clang-O3,2,3.0,1,
CG,W,slpvec-greedy,0,1.5,1,
CG,W,slpvec-greedy,1,9.0,0,
CG,W,slpvec-greedy,2,1.0,1,
BT,W,clang-O3,0,10.0,1,9.5
BT,W,slpvec-greedy,0,8.0,1,7.5
BT,W,clang-O3-noslp,0,12.5,1,
"""


@pytest.fixture
def results(tmp_path):
    (tmp_path / "nas.csv").write_text(CSV)
    return tmp_path


def test_summary_numbers(results):
    summary = summarize(read_csv(results / "nas.csv"))
    assert summary.benchmarks == ("BT", "CG")
    assert summary.variants == ("clang-O3-noslp", "clang-O3", "slpvec-greedy")
    assert summary.medians["CG", "clang-O3"] == 3.0
    assert summary.medians["CG", "slpvec-greedy"] == 1.25      # the unverified 9.0 is dropped
    assert summary.counts["CG", "slpvec-greedy"] == (2, 3)
    assert summary.speedup("CG", "slpvec-greedy") == 2.4
    assert summary.speedup("BT", "slpvec-greedy") == 1.25
    assert summary.speedup("CG", "clang-O3-noslp") is None
    assert summary.geomean("slpvec-greedy") == pytest.approx(math.sqrt(2.4 * 1.25))
    assert summary.geomean("clang-O3-noslp") == pytest.approx(0.8)


def test_report_command_renders_markdown_and_png(results, capsys):
    assert main(["report", str(results)]) == 0
    md = (results / "nas.md").read_text()
    assert capsys.readouterr().out == md
    assert ("| CG | - | 3.000 s (1.000x, spread 66.7%) | 1.250 s (2.400x, spread 40.0%) "
            "[2/3 verified] |") in md
    assert ("| BT | 12.500 s (0.800x, spread 0.0%) | 10.000 s (1.000x, spread 0.0%) | "
            "8.000 s (1.250x, spread 0.0%) |") in md
    assert f"| **geomean speedup** | 0.800x | 1.000x | {math.sqrt(3.0):.3f}x |" in md
    assert "| CG | - | 2.000 s (1.000x) | 1.000 s (2.000x) [2/3 verified] |" in md   # fastest
    assert "3 runs per binary, variants interleaved (order rotated each round), not pinned" in md
    assert "Noise floor: not measured (add the variant clang-O3-again" in md
    assert (results / "nas.png").stat().st_size > 1000


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("nas_bench: error: ")
    (tmp_path / "nas.csv").write_text("benchmark,class\nBT,W\n")
    with pytest.raises(NasError, match="malformed"):
        read_csv(tmp_path / "nas.csv")
    assert render_markdown  # imported API


def test_parse_output_and_interleaving():
    out = " Time in seconds =                 1.25\n Verification    =               SUCCESSFUL\n"
    assert parse_output(out) == (True, 1.25)
    assert parse_output(out.replace("SUCCESSFUL", "UNSUCCESSFUL")) == (False, 1.25)
    binaries = {(b, v): None for b in ("BT", "CG") for v in ("a", "b")}
    order = schedule(binaries, 2)
    assert order[:4] == [(0, "BT", "a"), (0, "BT", "b"), (0, "CG", "a"), (0, "CG", "b")]
    assert order[4:] == [(1, "BT", "b"), (1, "BT", "a"), (1, "CG", "b"), (1, "CG", "a")]
