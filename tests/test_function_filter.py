"""SLPVEC_FUNCTIONS / SLPVEC_SKIP_FUNCTIONS: vectorize only some functions
(both ``slpvec cc`` pipelines), to find the function a slowdown comes from."""

import subprocess
from pathlib import Path

from slpvec.driver import NOT_SELECTED, run_slp
from slpvec.target import cpu_target
from slpvec.tools import plugin_bridge
from slpvec.tools.frontend_env import FunctionFilter, function_filter

SAXPY = Path(__file__).resolve().parents[1] / "examples" / "kernels" / "saxpy4.c"


def _scalar_ir() -> str:
    return subprocess.run(["clang-22", "-O3", "-march=haswell", "-fno-slp-vectorize", "-S",
                           "-emit-llvm", str(SAXPY), "-o", "-"],
                          capture_output=True, text=True, check=True).stdout


def test_the_environment_names_the_functions():
    assert function_filter({}) is None
    assert function_filter({"SLPVEC_FUNCTIONS": " , "}) is None
    only = function_filter({"SLPVEC_FUNCTIONS": "@saxpy8, cmul2"})
    assert only == FunctionFilter(frozenset({"saxpy8", "cmul2"}))
    assert only("cmul2") and not only("main")
    both = function_filter({"SLPVEC_FUNCTIONS": "a,b", "SLPVEC_SKIP_FUNCTIONS": "b"})
    assert both("a") and not both("b") and not both("c")


def test_run_slp_leaves_unselected_functions_scalar():
    text = _scalar_ir()
    _, everything = run_slp(text, "greedy", target=cpu_target("haswell"))
    assert {b.block_id.split(":")[0] for b in everything.blocks if b.vectorized} >= {"saxpy8"}
    _, report = run_slp(text, "greedy", target=cpu_target("haswell"),
                        select=FunctionFilter(skip=frozenset({"saxpy8"})))
    saxpy = [b for b in report.blocks if b.block_id.startswith("saxpy8:")]
    assert saxpy and all(b.scalar_reason == NOT_SELECTED and not b.vectorized for b in saxpy)


def test_the_plugin_worker_returns_only_selected_functions(tmp_path, monkeypatch, capsys):
    (tmp_path / "in.ll").write_text(_scalar_ir())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLPVEC_PLUGIN_SERVER", "0")
    assert plugin_bridge.run_worker(["in.ll", "all.ll", "--policy", "greedy"]) == 0
    assert "saxpy8" in capsys.readouterr().out.split()
    monkeypatch.setenv("SLPVEC_SKIP_FUNCTIONS", "saxpy8")
    assert plugin_bridge.run_worker(["in.ll", "some.ll", "--policy", "greedy"]) == 0
    assert "saxpy8" not in capsys.readouterr().out.split()
