"""Bad input, everywhere: a clear one-line error (exit 1, no output file) when
the user's input is wrong, a scalar fallback (exit 0) when it is ours or the
environment's, and never wrong code."""

import time
from pathlib import Path

import pytest

from ilp_oracle import model as ilp_model
from slpvec import toolchain
from slpvec.cli import main
from slpvec.driver import run_slp
from slpvec.ir import parse_module
from slpvec.policies import get_policy
from slpvec.tools.randblocks import BlockSpec, random_block_ir
from slpvec.tools.validate import validate_modules

from .conftest import kernel_ir

DATA = Path(__file__).parent / "data" / "bad"
UNSUPPORTED = (DATA / "unsupported_ops.ll").read_text()
# the same, minus what MCJIT cannot run (inline asm, strict-FP intrinsics)
RUNNABLE = "\n".join(line for line in UNSUPPORTED.splitlines()
                     if "asm sideeffect" not in line and "%cs = " not in line
                     ).replace("%e0 = fadd float %d0, %cs", "%e0 = fadd float %d0, %l0")


def vectorize(tmp_path, capsys, text: str | bytes, *extra):
    src = tmp_path / "in.ll"
    if isinstance(text, bytes):
        src.write_bytes(text)
    else:
        src.write_text(text)
    out = tmp_path / "out.ll"
    code = main(["vectorize", str(src), "-o", str(out), *extra])
    return code, out, capsys.readouterr().err


GOOD = kernel_ir("vec4.c")


@pytest.mark.parametrize("name, text, message", [
    ("malformed", GOOD.replace("ret void", "ret void void", 1), "malformed LLVM IR"),
    ("truncated", GOOD[: len(GOOD) // 2], "malformed LLVM IR"),
    ("newer LLVM syntax", GOOD.replace("ret void", "frobnicate i32 0\n  ret void", 1),
     "malformed LLVM IR"),
    ("binary", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "cannot read"),
])
def test_wrong_input_is_one_line_exit_1_and_no_output(tmp_path, capsys, name, text, message):
    code, out, err = vectorize(tmp_path, capsys, text, "--policy", "greedy")
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, name
    assert lines[0].startswith("slpvec: error:") and message in lines[0]
    assert not out.exists() and not list(tmp_path.glob(".*tmp*"))


def test_empty_module_passes_through(tmp_path, capsys):
    text = 'source_filename = "empty.c"\n'
    code, out, _ = vectorize(tmp_path, capsys, text, "--policy", "greedy")
    assert code == 0 and text.strip() in out.read_text() and "define" not in out.read_text()


def test_unsupported_instructions_and_intrinsics_stay_scalar_and_verify():
    """atomics, fence, cmpxchg, freeze, inline asm, strict-FP and unknown
    intrinsics are barriers; the packable code around them still vectorizes."""
    text, report = run_slp(UNSUPPORTED, "greedy")
    parse_module(text)  # re-parses and verifies
    assert not report.fallbacks and report.blocks[0].vectorized
    for kept in ("atomicrmw add", "fence seq_cst", "cmpxchg", 'asm sideeffect "nop"',
                 "@llvm.experimental.constrained.fadd.f32", "freeze float"):
        assert kept in text


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_unsupported_instructions_compute_the_same(policy):
    text, report = run_slp(RUNNABLE, policy)
    assert report.blocks[0].vectorized
    result = validate_modules(RUNNABLE, text, seeds=3)
    assert result.ok and not result.inconclusive


def test_huge_block_finishes_bounded():
    """A 5,000+ instruction block: candidates capped, the policy's budget
    respected, and the result still correct."""
    ir = random_block_ir(1, BlockSpec(n_arrays=8, n_groups=250, max_lanes=8,
                                      scalar_stmts=60, elem="float"))
    start = time.perf_counter()
    text, report = run_slp(ir, "greedy", block_budget_s=2.0)
    block = report.blocks[0]
    assert block.n_instrs >= 5000 and block.n_candidates <= 1000
    assert block.vectorized and block.policy_seconds < 2.0 + 3.0  # one last tree may finish
    assert time.perf_counter() - start < 60
    assert validate_modules(ir, text, seeds=1).ok


def test_block_over_the_size_limit_is_left_scalar():
    ir = random_block_ir(2, BlockSpec(elem="float"))
    text, report = run_slp(ir, "greedy", max_block_instrs=10)
    assert report.blocks[0].fallback_reason.startswith("block has ")
    assert "over the limit of 10; left scalar" in report.blocks[0].fallback_reason
    assert "<" not in "".join(l for l in text.splitlines() if l.startswith("  %"))


@pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated:DeprecationWarning")
def test_missing_solver_falls_back_to_scalar(monkeypatch, tmp_path, capsys):
    import pulp
    monkeypatch.setattr(ilp_model, "_solver",
                        lambda name, limit: pulp.PULP_CBC_CMD(path="/nonexistent/cbc", msg=False))
    code, out, err = vectorize(tmp_path, capsys, RUNNABLE, "--policy", "ilp")
    assert code == 0 and "ILP solver cbc failed" in err
    assert "<2 x" not in out.read_text()


def test_solver_time_limit_never_gives_wrong_code():
    ir = random_block_ir(3, BlockSpec(n_arrays=4, n_groups=12, max_lanes=8, elem="float"))
    policy = get_policy("ilp", time_limit_s=0.01)
    text, report = run_slp(ir, policy, block_budget_s=0.01)
    solves = [b.solve for b in report.blocks if b.n_candidates]
    assert solves and {s.status for s in solves} <= {
        "optimal", "feasible", "timeout_no_solution"}
    assert validate_modules(ir, text, seeds=2).ok


@pytest.mark.parametrize("tool, argv", [("opt", ["cost"]), ("clang", ["analyze"])])
def test_missing_llvm_tool_names_the_install(monkeypatch, tmp_path, capsys, tool, argv):
    src = tmp_path / ("k.ll" if tool == "opt" else "k.c")
    src.write_text(GOOD if tool == "opt" else "void f(float *a) { a[0] += 1; }\n")
    monkeypatch.setenv(f"SLPVEC_{tool.upper()}", "/nonexistent/tool-22")
    toolchain.tool_path.cache_clear()
    try:
        code = main([*argv, str(src)])
    finally:
        monkeypatch.undo()
        toolchain.tool_path.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert "not found on PATH; install LLVM 22 (apt-get install -y clang-22 llvm-22" in err[0]
