"""Where the pass plugin puts slpvec (``-slpvec-placement``) relative to
LLVM's loop unroller, which runs right after SLP in the pipeline: ``split``
(default) runs the unroller's full unrolling before slpvec and its partial
and runtime unrolling after it, ``slp`` all of it after slpvec (the plugin
defers the pipeline's unroller, with its settings), ``last`` none."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from slpvec.tools.plugin_bridge import plugin_path

# NPB IS's key histogram: clang -O3 unrolls the loop (by 4 on haswell) and
# leaves it scalar. Run after the unroller, slpvec packs the copies' key
# loads and shifts, then extracts every lane to GPRs for the address: slower
# on the machine (issue 17: IS 0.93-0.96x clang -O3).
HISTOGRAM = """
#define N (1 << 20)
int key[N], hist[1024];

void count(void) {
    for (int i = 0; i < N; i++)
        hist[key[i] >> 6]++;
}
"""
# A user-requested unroll that only the loop unroller performs (runtime trip
# count): its transform warning must run after the deferred unroller.
PRAGMA = """
void scale(float *restrict a, const float *restrict b, int n) {
#pragma clang loop unroll_count(3) vectorize(disable)
    for (int i = 0; i < n; i++)
        a[i] = b[i] * a[i] + 1.0f;
}
"""
# UA's laplacian: at SLP's place LICM keeps r's 25 values in phis of the k
# loop (slpvec packs no phis); the unroller fully unrolls k and j, and then
# the multiply-adds along i pack (as LLVM's SLP packs them before unrolling).
NEST = """
#define N 5
double w[N][N];

void lap(double r[restrict N][N][N], const double u[restrict N][N][N]) {
    for (int iz = 0; iz < N; iz++)
        for (int k = 0; k < N; k++)
            for (int j = 0; j < N; j++)
                for (int i = 0; i < N; i++)
                    r[iz][j][i] = r[iz][j][i] + w[k][i] * u[iz][j][k];
}
"""
CFLAGS = ("-O3", "-march=haswell")


@pytest.fixture(scope="module")
def plugin() -> str:
    return str(plugin_path(build=True))


def _compile(tmp: Path, text: str, flags: list[str]) -> subprocess.CompletedProcess:
    source = tmp / "unit.c"
    source.write_text(text)
    return subprocess.run(["clang-22", *CFLAGS, *flags, "-S", "-emit-llvm", str(source), "-o", "-"],
                          capture_output=True, text=True, check=True)


def _with_plugin(plugin: str, python: str = sys.executable, **options: str) -> list[str]:
    flags = [f"-fpass-plugin={plugin}", "-mllvm", f"-slpvec-python={python}"]
    for name, value in {"policy": "greedy", **options}.items():
        flags += ["-mllvm", f"-slpvec-{name}={value}"]
    return flags


def _increments(ir: str) -> int:
    """Histogram increments in the IR: the loop's unroll factor."""
    return len(re.findall(r"= add nsw i32 %\w+, 1\n", ir))


@pytest.mark.parametrize("placement", ["split", "slp"])
def test_slpvec_sees_the_loop_before_partial_unrolling(plugin, tmp_path, placement):
    clang = _compile(tmp_path, HISTOGRAM, []).stdout
    ours = _compile(tmp_path, HISTOGRAM, _with_plugin(plugin, placement=placement)).stdout
    last = _compile(tmp_path, HISTOGRAM, _with_plugin(plugin, placement="last")).stdout
    assert "x i32>" not in clang
    assert "x i32>" not in ours and _increments(ours) == _increments(clang) == 4
    assert "<4 x i32>" in last  # the unrolled copies, packed


@pytest.mark.parametrize("placement, packed", [("split", True), ("slp", False), ("last", True)])
def test_slpvec_sees_loops_after_full_unrolling(plugin, tmp_path, placement, packed):
    ir = _compile(tmp_path, NEST, _with_plugin(plugin, placement=placement)).stdout
    assert ("x double>" in ir) == packed


@pytest.mark.parametrize("flags, unroll", [([], 4), (["-disable-loop-unrolling"], 1)])
def test_the_deferred_unroller_keeps_the_pipelines_settings(plugin, tmp_path, flags, unroll):
    """opt's -disable-loop-unrolling (PipelineTuningOptions::LoopUnrolling, as
    clang's -fno-unroll-loops; clang also marks each loop, opt does not) holds."""
    out = _opt_O3(plugin, tmp_path, HISTOGRAM, flags)
    assert out.stderr == ""
    assert "x i32>" not in out.stdout and _increments(out.stdout) == unroll


def test_requested_unroll_warns_only_if_it_fails(plugin, tmp_path):
    clang = _compile(tmp_path, PRAGMA, ["-fno-slp-vectorize"])
    ours = _compile(tmp_path, PRAGMA, _with_plugin(plugin))
    assert ours.stderr == clang.stderr == ""
    assert ours.stdout.count("fmul") == clang.stdout.count("fmul") > 3  # unrolled


def test_a_failing_worker_still_gets_its_loops_unrolled(plugin, tmp_path):
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\necho 'slpvec exploded' >&2\nexit 3\n")
    fake.chmod(0o755)
    proc = _compile(tmp_path, HISTOGRAM, _with_plugin(plugin, python=str(fake)))
    assert proc.stderr.startswith("slpvec: warning: ") and "module left unchanged" in proc.stderr
    assert _increments(proc.stdout) == 4


def _opt_O3(plugin: str, tmp: Path, text: str, flags: list[str]) -> subprocess.CompletedProcess:
    """``opt-22 -passes=default<O3>`` with the plugin on clang's unoptimised IR of ``text``."""
    source = tmp / "unit.c"
    source.write_text(text)
    scalar = subprocess.run(["clang-22", *CFLAGS, "-Xclang", "-disable-llvm-optzns", "-S",
                             "-emit-llvm", str(source), "-o", "-"],
                            capture_output=True, text=True, check=True).stdout
    return subprocess.run(["opt-22", f"-load-pass-plugin={plugin}",
                           f"-slpvec-python={sys.executable}", "-passes=default<O3>", *flags,
                           "-S"], input=scalar, capture_output=True, text=True, check=True)


def test_an_unknown_placement_is_one_warning(plugin, tmp_path):
    proc = _compile(tmp_path, HISTOGRAM, _with_plugin(plugin, placement="early"))
    assert proc.stderr == ("slpvec: warning: -slpvec-placement=early: not split, slp or last; "
                           "using last\n")
    assert "<4 x i32>" in proc.stdout
