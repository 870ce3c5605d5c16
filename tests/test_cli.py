"""The slpvec CLI: analyze and cost, on IR and C input, and its errors."""

import json
import subprocess
from pathlib import Path

import pytest

from slpvec.cli import main

from .analysis.test_candidates import ALIAS_IR

EXAMPLE = Path(__file__).parents[1] / "examples" / "kernels" / "saxpy4.c"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_analyze_json_exact(tmp_path, capsys):
    ll = tmp_path / "alias.ll"
    ll.write_text(ALIAS_IR.format(na="noalias "))
    code, out, _ = run(capsys, "analyze", str(ll), "--json", "-mcpu", "haswell")
    assert code == 0
    data = json.loads(out)
    (block,) = data["blocks"]
    assert (block["function"], block["label"], block["n_instrs"]) == ("alias", "entry", 7)
    assert block["candidates"] == [[0, 3], [1, 5]]
    assert block["candidate_names"] == [["%x", "%y"], ["store", "store"]]
    assert block["n_memory_deps"] == 0 and block["scalar_cost"] > 0
    assert data["target"]["cpu"] == "haswell" and data["unknown"] == []


def test_analyze_text_on_c_input(capsys):
    code, out, _ = run(capsys, "analyze", str(EXAMPLE), "-mcpu", "haswell")
    assert code == 0
    assert out.splitlines()[0] == "target x86_64-pc-linux-gnu cpu=haswell vector_bits=256"
    assert "saxpy8:entry  instrs=" in out and "cmul2:entry" in out


def test_cost_table_and_total(capsys):
    code, out, _ = run(capsys, "cost", str(EXAMPLE), "-mcpu", "haswell")
    assert code == 0
    rows = out.splitlines()
    assert rows[0].split() == ["block", "instrs", "cost"]
    per_block = [float(r.split()[2]) for r in rows[1:-1]]
    total = rows[-1].split()
    assert total[0] == "total" and float(total[2]) == sum(per_block)
    assert "(throughput, cpu=haswell)" in rows[-1]


def test_mcpu_is_written_into_the_ir(tmp_path, capsys):
    # clang's target-cpu attribute would override opt's -mcpu: retargeting must win
    ll = tmp_path / "k.ll"
    ll.write_text(ALIAS_IR.format(na="noalias ").replace(
        "{\nentry:", '#0 {\nentry:') + 'attributes #0 = { "target-cpu"="znver4" }\n')
    _, out, _ = run(capsys, "analyze", str(ll), "--json", "-mcpu", "atom")
    assert json.loads(out)["target"]["cpu"] == "atom"


AVX2_C = r"""
#include <immintrin.h>
void f(int *restrict o, const int *restrict a, const int *restrict b) {
  __m256i x = _mm256_loadu_si256((const __m256i *)a);
  __m256i y = _mm256_loadu_si256((const __m256i *)b);
  _mm256_storeu_si256((__m256i *)o, _mm256_sign_epi32(x, y));
  o[8] = a[8] + b[8]; o[9] = a[9] + b[9]; o[10] = a[10] + b[10]; o[11] = a[11] + b[11];
}
"""


@pytest.mark.parametrize("cpu", ["x86-64", "atom"])
def test_mcpu_keeps_the_features_an_intrinsic_needs(tmp_path, capsys, cpu):
    """Built with -mavx2 for x86-64; -mcpu used to drop "target-features",
    and llc-22 then aborted on the AVX2 intrinsic."""
    (tmp_path / "k.c").write_text(AVX2_C)
    subprocess.run(["clang-22", "-O3", "-mavx2", "-fno-slp-vectorize", "-S", "-emit-llvm",
                    "k.c", "-o", "k.ll"], cwd=tmp_path, check=True)
    code, _, _ = run(capsys, "vectorize", str(tmp_path / "k.ll"), "-mcpu", cpu,
                     "-o", str(tmp_path / "out.ll"))
    text = (tmp_path / "out.ll").read_text()
    assert code == 0 and f'"target-cpu"="{cpu}"' in text and "@llvm.x86.avx2.psign.d" in text
    llc = subprocess.run(["llc-22", "out.ll", "-o", "out.s"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert llc.returncode == 0, llc.stderr
    assert "vpsignd" in (tmp_path / "out.s").read_text()


@pytest.mark.parametrize("argv, message", [
    (["cost", "/nonexistent.ll"], "no such file"),
    (["analyze", __file__], "expected a .c, .ll or .bc file"),
])
def test_errors_are_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err and err.count("\n") == 1


def test_validate_cli_exit_codes(tmp_path, capsys):
    out = tmp_path / "v.ll"
    assert main(["vectorize", str(EXAMPLE), "-o", str(out), "-mcpu", "haswell"]) == 0
    code, text, _ = run(capsys, "validate", str(EXAMPLE), str(out), "-mcpu", "haswell", "--seeds", "1")
    assert code == 0 and text.strip().endswith("0 mismatches, 0 inconclusive")
    # a wrong vector op (max of the first two operands instead of a*x+y) must be caught
    broken = tmp_path / "broken.ll"
    vec_text = out.read_text()
    i = vec_text.index("call <8 x float> @llvm.fmuladd.v8f32(")
    j = vec_text.index(")", i)
    args = vec_text[i + len("call <8 x float> @llvm.fmuladd.v8f32("):j].split(", <8 x float>")
    broken.write_text(vec_text[:i] + "call <8 x float> @llvm.maxnum.v8f32(" + args[0] + ", <8 x float>"
                      + args[1] + vec_text[j:])
    code, text, _ = run(capsys, "validate", str(EXAMPLE), str(broken), "-mcpu", "haswell", "--seeds", "1")
    assert code == 3 and "MISMATCH saxpy8 seed=0" in text


def test_ilp_summary_pairs_solves_with_their_source():
    """Synthetic files all name their functions f0, f1, ...: the objective of
    one file's f0 must be compared with that file's f0, not another's (the
    solve record travels in that block's row)."""
    from slpvec.tools.evaluate import BlockRow, ilp_summary

    def row(source, objective, cost):
        return BlockRow(source, "ilp", "f0:entry", 10, 3, 20.0, cost, cost, 0.1, "", 0.01,
                        solve_status="optimal", solve_kept="ilp", solve_seconds=0.01,
                        solve_objective=objective)

    blocks = [row("a.ll", 12.0, 12.0), row("b.ll", 15.0, 15.0), row("c.ll", 17.0, 18.0)]
    summary = ilp_summary(blocks, 10.0)
    assert "on 3 vectorized blocks" in summary and "MAE 0.333" in summary


@pytest.mark.parametrize("command", ["vectorize", "evaluate"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_nonsensical_time_limit_is_a_usage_error(capsys, command, value):
    argv = [command, str(EXAMPLE), f"--time-limit={value}"]
    argv += ["-o", "-"] if command == "vectorize" else []
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"time limit must be a positive, finite number of seconds, got '{value}'" in err
