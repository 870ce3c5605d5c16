"""nas_bench's measuring protocol: min/median/spread, the clang-O3-again noise floor,
pinning with taskset, classes; on fake benchmark binaries (a shell script each), so
nothing here runs NPB."""

import os
import stat
import subprocess

import pytest

from nas_bench import suite
from nas_bench.cli import main
from nas_bench.npb import Build, NasError
from nas_bench.results import read_csv, render_markdown, summarize, write_csv
from nas_bench.runner import Run, check_pin, command, run_all
from nas_bench.suite import SuiteConfig, cflags, check_config, run_suite
from nas_bench.variants import NOISE, VARIANTS, make_variant

CORE = min(os.sched_getaffinity(0))


def fake_binary(folder, seconds="0.01", verdict="SUCCESSFUL"):
    """An executable that prints what an NPB benchmark prints, and the cpus it may use."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.x"
    path.write_text("#!/bin/sh\ngrep Cpus_allowed_list /proc/self/status\n"
                    f"echo ' Time in seconds = {seconds}'\n"
                    f"echo ' Verification    =               {verdict}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def runs_of(variant, seconds, bench="FT", core=None):
    return [Run(bench, "A", variant, k, s, True, None, core) for k, s in enumerate(seconds)]


def test_min_median_spread_and_noise_floor():
    runs = (runs_of("clang-O3", [2.0, 2.2, 2.1, 2.6, 2.0], core=1)
            + runs_of(NOISE, [2.1, 2.1, 2.3, 2.2, 2.0], core=1)
            + runs_of("slpvec-gnn", [1.9, 2.0, 1.8, 2.4, 1.9], core=1)
            + runs_of("clang-O3", [1.0, 1.1], bench="LU", core=1)
            + runs_of(NOISE, [1.04, 1.0], bench="LU", core=1))
    summary = summarize(runs)
    assert summary.medians["FT", "clang-O3"] == 2.1 and summary.mins["FT", "clang-O3"] == 2.0
    assert summary.spreads["FT", "clang-O3"] == pytest.approx(0.6 / 2.1)
    assert summary.speedup("FT", "slpvec-gnn", "min") == pytest.approx(2.0 / 1.8)
    assert summary.speedup("FT", NOISE) == 1.0 and summary.speedup("LU", NOISE) == \
        pytest.approx(1.05 / 1.02)
    assert summary.noise_floor() == pytest.approx(1.05 / 1.02 - 1)
    assert summary.noise_floor("min") == 0.0
    md = render_markdown(summary)
    assert "NPB class A: 5 runs per binary, variants interleaved (order rotated each round), " \
           "pinned to core 1 (taskset)" in md
    assert "| FT | 2.100 s (1.000x, spread 28.6%) | 2.100 s (1.000x, spread 14.3%) | " \
           "1.900 s (1.105x, spread 31.6%) |" in md
    assert "| FT | 2.000 s (1.000x) | 2.000 s (1.000x) | 1.800 s (1.111x) |" in md
    assert "**Noise floor** (clang-O3-again, an identical clang-O3 build, against clang-O3): " \
           "up to ±2.9% on one benchmark by the median, ±0.0% by the min" in md


def test_csv_keeps_the_core(tmp_path):
    runs = runs_of("clang-O3", [1.0], core=CORE) + runs_of("clang-O3", [1.5])
    write_csv(tmp_path / "nas.csv", runs)
    assert read_csv(tmp_path / "nas.csv") == runs


def test_pinning_uses_taskset_and_refuses_cpus_we_cannot_use(tmp_path):
    pinned = subprocess.run(command(fake_binary(tmp_path), CORE), capture_output=True, text=True)
    assert f"Cpus_allowed_list:\t{CORE}\n" in pinned.stdout
    assert command("ft.A.x") == ["ft.A.x"]
    assert command("ft.A.x", 1) == ["taskset", "-c", "1", "ft.A.x"]
    check_pin(None)
    check_pin(CORE)
    with pytest.raises(NasError, match="--pin-core 4096: this process may run on cpus"):
        check_pin(4096)


def test_run_all_pins_and_interleaves_fake_benchmarks(tmp_path):
    binaries = {("FT", v): fake_binary(tmp_path / v) for v in ("clang-O3", NOISE)}
    binaries["FT", "bad"] = fake_binary(tmp_path / "bad", verdict="UNSUCCESSFUL")
    runs = run_all(binaries, "A", 2, core=CORE)
    assert [(r.run, r.variant) for r in runs] == [
        (0, "clang-O3"), (0, NOISE), (0, "bad"), (1, NOISE), (1, "bad"), (1, "clang-O3")]
    assert [r.verified for r in runs if r.variant != "bad"] == [True] * 4
    assert not any(r.verified for r in runs if r.variant == "bad")
    assert {r.core for r in runs} == {CORE} and runs[0].npb_seconds == 0.01


def test_run_suite_reports_the_noise_floor(tmp_path, monkeypatch):
    def fake_builds(config, log=print):
        return [Build("FT", config.npb_class, v, fake_binary(tmp_path / "bin" / v), True, 0.1)
                for v in config.variants]
    monkeypatch.setattr(suite, "build_all", fake_builds)
    config = SuiteConfig(out=tmp_path / "out", npb_class="A", benchmarks=("FT",),
                         variants=("clang-O3", NOISE, "slpvec-greedy"), repeats=3, quiet=True,
                         pin_core=CORE)
    result = run_suite(config)
    assert len(result.runs) == 9 and all(r.verified and r.core == CORE for r in result.runs)
    md = (tmp_path / "out" / "nas.md").read_text()
    assert f"NPB class A: 3 runs per binary, variants interleaved (order rotated each round), " \
           f"pinned to core {CORE} (taskset)" in md
    assert "**Noise floor** (clang-O3-again" in md and "Fastest run:" in md


def test_classes_noise_variant_and_bad_pin_from_the_command_line(tmp_path, capsys):
    check_config(SuiteConfig(out=tmp_path, npb_class="A"))
    assert "-mcmodel" not in cflags(SuiteConfig(out=tmp_path, npb_class="A"))
    assert "-mcmodel=medium" in cflags(SuiteConfig(out=tmp_path, npb_class="C"))
    assert NOISE in VARIANTS and make_variant(NOISE).cc == make_variant("clang-O3").cc
    assert main(["run", "--class", "a", "--pin-core", "4096", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("nas_bench: error: --pin-core 4096: ")
    assert main(["run", "--class", "Q", "--out", str(tmp_path)]) == 1
    assert "unknown class 'Q'" in capsys.readouterr().err
