"""The yardstick microbenchmarks: build, predicted and measured gains, correlation; on
a tiny kernel with a handful of calls, so nothing here is a timing measurement."""

import shutil
import sys
from types import SimpleNamespace

import pytest

from nas_bench import microbench as mb
from nas_bench.cli import main
from nas_bench.npb import NasError
from slpvec.target import cpu_target

HASWELL = cpu_target("haswell", "x86_64-pc-linux-gnu")

TINY = """/* four independent lanes, no loop: only SLP can pack them */
double a[4], b[4], c[4];  /* external: globalopt cannot split them */
void kernel_init(void) { for (int i = 0; i < 4; i++) { a[i] = i + 1; b[i] = i + 5; } }
void kernel_run(void) {
  c[0] = a[0] * b[0] + a[0]; c[1] = a[1] * b[1] + a[1];
  c[2] = a[2] * b[2] + a[2]; c[3] = a[3] * b[3] + a[3];
}
double kernel_checksum(void) { return c[0] + 2 * c[1] + 3 * c[2] + 4 * c[3]; }
"""


@pytest.fixture
def kernels(tmp_path):
    folder = tmp_path / "kernels"
    folder.mkdir()
    shutil.copy(mb.KERNELS_DIR / mb.HARNESS, folder)
    (folder / "tiny.c").write_text(TINY)
    return folder


def test_tiny_kernel_end_to_end(kernels, tmp_path):
    results = mb.run_microbench(("tiny",), ("slpvec-greedy", "clang-slp", "slpvec-greedy+mca",
                                            "plugin-greedy"),
                                HASWELL, tmp_path / "build", reps=3, rounds=2, folder=kernels)
    assert [r.variant for r in results] == ["scalar", "slpvec-greedy", "clang-slp",
                                            "slpvec-greedy+mca", "plugin-greedy"]
    assert results[3].tti == results[1].tti      # mca agrees the packed block is faster
    assert results[4].tti < results[0].tti, results[4].error    # the plugin packs it too
    assert all(r.ns > 0 and r.checksum == 1 * 6 + 2 * 14 + 3 * 24 + 4 * 36 for r in results)
    scalar, greedy = results[:2]
    assert greedy.tti < scalar.tti and greedy.mca < scalar.mca
    gains = mb.gains(results)
    assert gains[0].tti > 1 and gains[0].mca > 1 and gains[0].measured > 0 and not gains[0].note
    table = mb.render(results, "protocol")
    assert table.startswith("protocol\n\n| kernel | variant | scalar ns |")
    assert "tti: Pearson" in table and "over 4 kernel variants" in table


def test_block_frequencies_follow_the_loop(kernels):
    ir = mb.variant_ir(mb.KERNELS_DIR / "sp_thomas.c", "scalar", HASWELL)
    freqs = mb.block_frequencies(ir)
    assert freqs["entry"] == 1.0 and max(freqs.values()) > 100


def test_wrong_checksum_is_reported_and_left_out():
    results = [mb.KernelResult("k", "scalar", 10.0, 8.0, 100.0, 1.0),
               mb.KernelResult("k", "slpvec-ilp", 5.0, 4.0, 50.0, 1.5),
               mb.KernelResult("k", "clang-slp", 5.0, 8.0, 80.0, 1.0),
               mb.KernelResult("k", "slpvec-greedy", None, None, None, None, "llc-22 failed")]
    ilp, clang, greedy = mb.gains(results)
    assert ilp.measured is None and ilp.note.startswith("WRONG checksum 1.5")
    assert (clang.tti, clang.mca, clang.measured) == (2.0, 1.0, 1.25)
    assert greedy.note == "llc-22 failed" and greedy.tti is None
    assert mb.correlation_line([clang], "tti") == (
        "tti: Pearson nan, Spearman nan with the measured gain over 1 kernel variants; "
        "of the 1 measured outside 1 ± 0.02, 1 predicted on the right side of 1")
    rows = [mb.Gain("k", f"v{n}", tti, None, measured) for n, (tti, measured) in
            enumerate([(1.0, 1.01), (1.2, 0.9), (1.1, 1.5), (1.1, 2.0)])]
    assert mb.correlation_line(rows, "tti").startswith(
        "tti: Pearson -0.089, Spearman -0.316 with the measured gain over 4 kernel variants; "
        "of the 3 measured outside 1 ± 0.02, 2 predicted on the right side of 1")
    assert mb._ranks([3.0, 1.0, 3.0, 2.0]) == [3.5, 1.0, 3.5, 2.0]


def test_every_bench_kernel_defines_the_harness_functions():
    names = mb.kernel_names()
    assert {"ft_butterfly", "sp_txinvr", "lu_blts"} <= set(names) and "harness" not in names
    for name in names:
        ir = mb.variant_ir(mb.KERNELS_DIR / f"{name}.c", "scalar", HASWELL)
        for fn in ("kernel_init", "kernel_run", "kernel_checksum"):
            assert f"@{fn}(" in ir, (name, fn)


def test_command_line_errors(capsys, monkeypatch):
    assert main(["yardstick", "--kernels", "nope"]) == 1
    assert "unknown kernel(s) nope" in capsys.readouterr().err
    assert main(["yardstick", "--reps", "0"]) == 1
    with pytest.raises(NasError, match="unknown microbenchmark variant 'gcc'"):
        mb.variant_ir(mb.KERNELS_DIR / "ft_evolve.c", "gcc", HASWELL)


def test_a_binary_the_host_cannot_run_is_named_as_such(tmp_path):
    """A kernel built for a cpu with features this machine lacks (say
    -mcpu znver4 where AVX-512 is masked) dies of SIGILL: say so, instead of
    'no timing in its output (exit -4)'."""
    binary = tmp_path / "k-slpvec-ilp"
    binary.write_text("#!/bin/sh\nkill -ILL $$\n")
    binary.chmod(0o755)
    with pytest.raises(NasError, match="illegal instruction: this machine cannot run code "
                                       "built for the chosen -mcpu"):
        mb.time_binary(binary, 1)
