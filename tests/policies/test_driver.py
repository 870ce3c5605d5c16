"""run_slp end to end: policies, reports, fallbacks, verification by opt-22."""

import json
import subprocess

import pytest

from slpvec.cli import main
from slpvec.driver import run_slp
from slpvec.errors import IRParseError, SlpvecError
from slpvec.policies import get_policy, policy_names
from slpvec.target import Target
from slpvec.tools.validate import validate_modules

from ..codegen.test_golden import FMA_IR, HEADER, lanes_add

AVX2 = Target("x86_64-pc-linux-gnu", "haswell", "", 256)


def opt_verifies(text: str) -> bool:
    proc = subprocess.run(["opt-22", "-passes=verify", "-disable-output", "-"], input=text,
                          capture_output=True, text=True)
    return proc.returncode == 0


def test_registry_and_unknown_policy():
    assert {"none", "greedy"} <= set(policy_names())
    with pytest.raises(SlpvecError, match="unknown policy 'nope'"):
        get_policy("nope")


def test_none_leaves_the_module_alone():
    text, report = run_slp(HEADER + lanes_add(4), "none", AVX2)
    assert "<4 x float>" not in text
    assert report.cost_after == report.cost_before and not report.fallbacks


def test_greedy_vectorizes_and_saves():
    src = HEADER + lanes_add(4)
    text, report = run_slp(src, "greedy", AVX2)
    assert "fadd <4 x float>" in text and "store <4 x float>" in text
    (block,) = report.blocks
    assert block.vectorized and block.cost_after < block.cost_before
    # the estimate predicts the yardstick measured on the emitted code
    assert block.estimated_after == pytest.approx(block.cost_after)
    assert opt_verifies(text)
    assert validate_modules(src, text).ok


def test_greedy_fma_block():
    src = HEADER + FMA_IR
    text, report = run_slp(src, "greedy", AVX2)
    assert "@llvm.fmuladd.v4f64" in text
    assert report.cost_after < report.cost_before
    assert validate_modules(src, text).ok


NOT_PROFITABLE = """
define i64 @f(ptr noalias %a, i64 %x, i64 %y) {
entry:
  %s0 = mul i64 %x, %x
  %s1 = mul i64 %y, %y
  store i64 %s0, ptr %a, align 8
  %pa1 = getelementptr inbounds i64, ptr %a, i64 1
  store i64 %s1, ptr %pa1, align 8
  %r = add i64 %s0, %s1
  ret i64 %r
}
"""


def test_nothing_profitable_stays_scalar():
    # Packing needs inserts for x, y, a slow <2 x i64> mul (AVX2 has no vpmullq)
    # and extracts for the scalar add: never cheaper than scalar.
    text, report = run_slp(HEADER + NOT_PROFITABLE, "greedy", AVX2)
    (block,) = report.blocks
    assert block.n_candidates >= 1 and block.packs == ()
    assert "<2 x double>" not in text


def test_malformed_ir_is_a_one_line_error():
    with pytest.raises(IRParseError) as err:
        run_slp("define void @f() {\n  ret i32 0\n}\n", "greedy", AVX2)
    assert "\n" not in str(err.value)


def test_cli_vectorize_writes_output_and_report(tmp_path, capsys):
    src = tmp_path / "k.ll"
    src.write_text(HEADER + lanes_add(4))
    out, rep = tmp_path / "k.vec.ll", tmp_path / "r.json"
    assert main(["vectorize", str(src), "-o", str(out), "--policy", "greedy",
                 "-mcpu", "haswell", "--report", str(rep)]) == 0
    assert "<4 x float>" in out.read_text()
    data = json.loads(rep.read_text())
    assert data["vectorized_blocks"] == 1 and data["cost_after"] < data["cost_before"]
    assert "saved" in capsys.readouterr().err


def test_cli_error_leaves_no_output(tmp_path, capsys):
    src = tmp_path / "bad.ll"
    src.write_text("define void @f() {\n  %x = fadd float 1.0, %nope\n  ret void\n}\n")
    out = tmp_path / "o.ll"
    assert main(["vectorize", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("slpvec: error:") and "bad.ll:2" in err and "\n" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


NO_CANDIDATES = """
define float @one(float %x) {
entry:
  %r = fadd float %x, 1.0
  ret float %r
}
"""


@pytest.mark.parametrize("policy, reasons", [
    ("greedy", {"g:entry": "no profitable plan", "one:entry": "no candidate packs"}),
    ("ilp", {"g:entry": "ilp: optimal; no plan is cheaper", "one:entry": "no candidate packs"}),
    ("none", {"f:entry": "policy none leaves every block scalar",
              "g:entry": "policy none leaves every block scalar",
              "one:entry": "no candidate packs"}),
])
def test_report_says_why_each_scalar_block_is_scalar(tmp_path, capsys, policy, reasons):
    src = tmp_path / "k.ll"
    src.write_text(HEADER + lanes_add(4) + NOT_PROFITABLE.replace("@f(", "@g(") + NO_CANDIDATES)
    rep = tmp_path / "r.json"
    assert main(["vectorize", str(src), "-o", str(tmp_path / "o.ll"), "--policy", policy,
                 "-mcpu", "haswell", "--report", str(rep)]) == 0
    blocks = {b["block_id"]: b for b in json.loads(rep.read_text())["blocks"]}
    for block_id, block in blocks.items():
        vectorized = bool(block["packs"]) and not block["fallback_reason"]
        assert vectorized != bool(block["scalar_reason"]), block
        if block_id in reasons:
            assert block["scalar_reason"].startswith(reasons[block_id])
    assert bool(blocks["f:entry"]["packs"]) == (policy != "none")
