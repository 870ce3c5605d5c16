"""``slpvec cc``: a drop-in compiler that matches plain clang's program output."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slpvec.tools import cc
from slpvec.errors import SlpvecError
from slpvec.policies.base import _REGISTRY, Policy

MAIN_C = r"""
#include <stdio.h>
void saxpy(float *restrict y, const float *restrict x, float a, int n);
int main(void) {
  float x[64], y[64];
  for (int i = 0; i < 64; i++) { x[i] = i * 0.5f; y[i] = 64 - i; }
  for (int r = 0; r < 3; r++) saxpy(y, x, SCALE, 64);
  double s = 0;
  for (int i = 0; i < 64; i++) s += y[i] * (i + 1);
  printf("%.6f\n", s);
  return 0;
}
"""
KERNEL_C = r"""
void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i += 4) {
    y[i] += a * x[i]; y[i + 1] += a * x[i + 1];
    y[i + 2] += a * x[i + 2]; y[i + 3] += a * x[i + 3];
  }
}
"""
FLAGS = ["-O3", "-march=native", "-DSCALE=1.25f"]


@pytest.fixture
def program(tmp_path, monkeypatch):
    """A two-source C program in a fresh working directory."""
    (tmp_path / "main.c").write_text(MAIN_C)
    (tmp_path / "kernel.c").write_text(KERNEL_C)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _output(binary: Path) -> str:
    return subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout


def _clang_output(tmp: Path) -> str:
    subprocess.run(["clang-22", *FLAGS, "main.c", "kernel.c", "-o", "ref"], check=True, cwd=tmp)
    return _output(tmp / "ref")


def test_one_step_build_matches_clang(program):
    assert cc.main([*FLAGS, "main.c", "kernel.c", "-o", "prog", "-lm"]) == 0
    assert _output(program / "prog") == _clang_output(program)


def test_compile_then_link_writes_a_report(program):
    assert cc.main(["--policy", "greedy", "--report-dir", "rep", *FLAGS, "-c",
                    "main.c", "kernel.c"]) == 0
    assert (program / "main.o").is_file() and (program / "kernel.o").is_file()
    assert cc.main(["-O3", "main.o", "kernel.o", "-o", "prog"]) == 0  # link-only passthrough
    assert _output(program / "prog") == _clang_output(program)
    reports = sorted((program / "rep").glob("kernel-*.json"))
    assert len(reports) == 1 and '"vectorized_blocks": 1' in reports[0].read_text()


def test_console_script_and_non_c_passthrough(program):
    """`slpvec cc` via the CLI; a non-C step (-E) goes straight to clang."""
    proc = subprocess.run([sys.executable, "-m", "slpvec", "cc", "-E", "-DSCALE=7", "main.c"],
                          capture_output=True, text=True, check=True)
    assert "saxpy(y, x, 7, 64)" in proc.stdout


def test_failing_vectorizer_falls_back_to_scalar(program, capsys, monkeypatch):
    class Broken(Policy):
        name = "broken-for-test"

        def plan(self, ctx):
            raise RuntimeError("boom")
    monkeypatch.setitem(_REGISTRY, "broken-for-test", Broken)

    # the post-O3 route runs the policy in this process (the plugin's: test_plugin.py)
    assert cc.main(["--pipeline", "post-O3", "--policy", "broken-for-test", *FLAGS, "main.c",
                    "kernel.c", "-o", "prog"]) == 0
    assert "left scalar: internal error: RuntimeError: boom" in capsys.readouterr().err

    def crash(*_, **__):
        raise AssertionError("bug in run_slp")
    monkeypatch.setattr("slpvec.driver.run_slp", crash)
    assert cc.main(["--pipeline", "post-O3", *FLAGS, "main.c", "kernel.c", "-o", "prog2"]) == 0
    assert "vectorizer failed (AssertionError: bug in run_slp); compiled scalar" \
        in capsys.readouterr().err
    assert _output(program / "prog") == _output(program / "prog2") == _clang_output(program)


def test_user_errors(program, capsys):
    (program / "bad.c").write_text("int f( {")
    assert cc.main(["-c", "bad.c"]) != 0
    assert "error" in capsys.readouterr().err
    assert cc.main(["--policy", "nope", "-c", "main.c"]) == 1
    assert capsys.readouterr().err.startswith("slpvec: error: unknown policy 'nope'")
    with pytest.raises(SlpvecError, match="-o with -c"):
        cc.parse_args(["-c", "a.c", "b.c", "-o", "x.o"])
    for value in ("0", "-2", "nan", "inf"):
        assert cc.main(["--time-limit", value, "-c", "main.c"]) == 1
        assert capsys.readouterr().err == (
            f"slpvec: error: cc: --time-limit: time limit must be a positive, finite number "
            f"of seconds, got '{value}'\n")


def test_parse_args_classifies():
    inv = cc.parse_args(["-O2", "-I", "inc", "-DX=1", "a.c", "b.o", "-lm", "-L/x",
                         "-Wl,-z,now", "-o", "prog"])
    assert inv.sources == ("a.c",) and inv.output == "prog" and not inv.compile_only
    assert inv.compile_flags == ("-O2", "-I", "inc", "-DX=1") and not inv.passthrough
    assert cc.parse_args(["a.o", "-o", "p"]).passthrough
    assert cc.parse_args(["-S", "a.c"]).passthrough
    opts, rest = cc.split_options(["--policy=ilp", "--time-limit", "2", "-c", "a.c"])
    assert (opts.policy, opts.time_limit, rest) == ("ilp", 2.0, ["-c", "a.c"])


def test_llc_flags_follow_clang():
    flags = cc.llc_flags(("-O2", "-mcmodel=medium"), '!{i32 8, !"PIC Level", i32 2}')
    assert flags == ["-O2", "-filetype=obj", "--relocation-model=pic", "--code-model=medium"]
    assert "--relocation-model=static" in cc.llc_flags((), "")


def test_unwritable_report_dir_warns_and_builds(program, capsys):
    (program / "blocker").write_text("a file, not a folder")
    assert cc.main(["--report-dir", "blocker/reports", "-O3", "-c", "kernel.c"]) == 0
    err = capsys.readouterr().err
    assert "slpvec: warning: kernel.c: no report: cannot write blocker/reports/" in err
    assert (program / "kernel.o").exists()


@pytest.mark.parametrize("flags", [
    ["-c", "-MD", "-MF", "dep.d", "kernel.c", "-o", "sub/kernel.o"],
    ["-c", "-MMD", "kernel.c", "-o", "sub/kernel.o"],
    ["-c", "-MD", "kernel.c"],
    ["-c", "-MD", "-MT", "custom", "-MFdep.d", "kernel.c"],
    ["-MD", "main.c", "kernel.c", "-o", "prog"],
], ids=["MF", "MMD-from-o", "no-o", "MT", "link"])
def test_dependency_files_name_what_clang_names(program, flags):
    """The IR compile writes to stdout: its dep file used to be '-.d' with
    the target '-' instead of the object."""
    (program / "k.h").write_text("#define K 1\n")
    (program / "kernel.c").write_text('#include "k.h"\n' + KERNEL_C)
    for folder in ("ours", "clang"):
        (program / folder / "sub").mkdir(parents=True)
        for name in ("main.c", "kernel.c", "k.h"):
            (program / folder / name).write_text((program / name).read_text())
    subprocess.run(["clang-22", *FLAGS, *flags], cwd=program / "clang", check=True)
    subprocess.run([sys.executable, "-m", "slpvec.cli", "cc", *FLAGS, *flags],
                   cwd=program / "ours", check=True)
    expected = sorted(p.relative_to(program / "clang") for p in (program / "clang").rglob("*.d"))
    found = sorted(p.relative_to(program / "ours") for p in (program / "ours").rglob("*.d"))
    assert found == expected and expected
    for path in expected:
        assert (program / "ours" / path).read_text() == (program / "clang" / path).read_text()


@pytest.mark.parametrize("lto", [["-flto"], ["-flto=thin"], ["-flto", "-fno-lto"]])
def test_lto_compiles_to_bitcode_like_clang(program, capsys, lto):
    assert cc.main([*FLAGS, *lto, "-c", "kernel.c", "-o", "kernel.o"]) == 0
    bitcode = (program / "kernel.o").read_bytes()[:4] == b"BC\xc0\xde"
    assert bitcode == (lto[-1] != "-fno-lto")
    assert ("-flto: compiled by clang-22 alone" in capsys.readouterr().err) == bitcode


def test_plugin_pipeline_is_the_default(program, monkeypatch):
    """slpvec cc is a front end over the pass plugin: clang-22 itself compiles
    with -fpass-plugin and slpvec's options as -mllvm flags."""
    calls = []
    real = cc._tool

    def record(name, args, stdin=None):
        calls.append((name, args))
        return real(name, args, stdin)
    monkeypatch.setattr(cc, "_tool", record)
    assert cc.main(["--policy", "ilp", "--time-limit", "2", "--report-dir", "reports", "-O3",
                    "-c", "kernel.c"]) == 0
    (name, args), = calls
    assert name == "clang" and any(a.startswith("-fpass-plugin=") for a in args)
    assert "-slpvec-policy=ilp" in args and "-slpvec-time-limit=2" in args
    # the worker wrote the report; cc added clang's share of the compile time
    report, = (program / "reports").glob("kernel-*.json")
    data = json.loads(report.read_text())
    assert data["clang_seconds"] > 0 and data["slpvec_seconds"] > 0
    assert data["report"]["policy"] == "ilp" and data["report"]["blocks"]
    with pytest.raises(SlpvecError, match="--pipeline must be one of plugin, post-O3"):
        cc.split_options(["--pipeline", "late"])


def test_the_plugin_front_end_does_not_import_the_vectorizer(program):
    """Under make, slpvec cc runs once per source: on the plugin route the
    worker builds the policy, so the front end checks only the name and
    never imports the policies, the driver or the GNN (0.3-0.5 s of CPU per
    source, a third of a gnn build of NPB BT)."""
    probe = ("import sys\n"
             "from slpvec.tools import cc\n"
             "code = cc.main(['--policy', 'gnn', '-O3', '-c', 'kernel.c'])\n"
             "heavy = sorted(m for m in sys.modules if m in ('slpvec.driver', 'slpvec.policies', "
             "'models.policy', 'numpy', 'llvmlite'))\n"
             "print(code, heavy)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=program, check=True)
    assert proc.stdout.strip() == "0 []"
    assert (program / "kernel.o").is_file()


@pytest.mark.parametrize("what,message", [
    ("spec", "model was trained under feature spec 0123456789abcdef"),
    ("missing", "not a slpvec model directory"),
])
def test_a_bad_model_is_one_error_before_clang_runs(program, capsys, monkeypatch, what, message):
    """On the plugin route the worker loads the model; a bad ``--model`` made
    it warn once per source and leave every module scalar, so a typo went
    unnoticed in a make build. The front end now checks the model directory
    (config and feature spec) and stops with one line before calling clang."""
    from models.checkpoint import pretrained_dir

    bad = program / "model"
    if what == "spec":
        bad.mkdir()
        config = json.loads((pretrained_dir() / "config.json").read_text())
        (bad / "config.json").write_text(json.dumps({**config, "feature_spec": "0123456789abcdef"}))
        (bad / "weights.npz").write_bytes(b"")
    monkeypatch.setattr(cc, "_tool", lambda *a, **k: pytest.fail("clang was called"))
    assert cc.main(["--policy", "gnn", "--model", str(bad), "-O3", "-c", "kernel.c"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("slpvec: error: ") and message in err and err.count("\n") == 1
    assert not (program / "kernel.o").exists()
