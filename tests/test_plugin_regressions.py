"""Inputs the pass plugin once compiled to wrong programs (auditor's finds):
each C program must print under ``clang-22 -O3 -fpass-plugin`` what it prints
under plain ``clang-22 -O3``."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from slpvec.tools.plugin_bridge import plugin_path

CFLAGS = ("-O3", "-march=haswell")

# A static table of label addresses (GNU computed goto): the initializer holds
# blockaddress constants of run's blocks; run has vectorizable blocks.
COMPUTED_GOTO = r"""
#include <stdio.h>
double a[8], b[8], c[8];
__attribute__((noinline)) double run(const unsigned char *prog, int n) {
  static void *tbl[] = {&&op_add, &&op_mul, &&op_end};
  int pc = 0;
  double acc = 0;
  goto *tbl[prog[pc]];
op_add:
  c[0] = a[0] + b[0]; c[1] = a[1] + b[1]; c[2] = a[2] + b[2]; c[3] = a[3] + b[3];
  acc += c[0] + c[3];
  pc++; goto *tbl[prog[pc]];
op_mul:
  c[0] = a[0] * b[0]; c[1] = a[1] * b[1]; c[2] = a[2] * b[2]; c[3] = a[3] * b[3];
  acc += c[1] + c[2];
  pc++; goto *tbl[prog[pc]];
op_end:
  return acc + n;
}
int main(void) {
  for (int i = 0; i < 8; i++) { a[i] = i * 0.5; b[i] = 3 - i; }
  unsigned char prog[] = {0, 1, 0, 1, 2};
  printf("%f\n", run(prog, 5));
  return 0;
}
"""


@pytest.fixture(scope="module")
def plugin() -> str:
    return str(plugin_path(build=True))


def _run(source: Path, flags: list[str], tag: str) -> str:
    exe = source.parent / tag
    subprocess.run(["clang-22", *CFLAGS, *flags, str(source), "-o", str(exe)], check=True,
                   capture_output=True, text=True)
    return subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("policy", ["ilp"])  # greedy leaves run scalar
def test_label_addresses_survive_the_body_swap(plugin, tmp_path, policy):
    """The old body is parked and erased after the swap; blockaddress
    constants naming its blocks (the static label table) were zapped to
    inttoptr 1 and the program jumped there (SIGSEGV)."""
    source = tmp_path / "cgoto.c"
    source.write_text(COMPUTED_GOTO)
    flags = [f"-fpass-plugin={plugin}", "-mllvm", f"-slpvec-python={sys.executable}",
             "-mllvm", f"-slpvec-policy={policy}"]
    assert _run(source, flags, policy) == _run(source, [], "clang")


TINY = """define void @f(ptr %p) {
entry:
  store double 1.0, ptr %p
  ret void
}
"""


def test_server_never_replays_an_earlier_request(tmp_path, monkeypatch):
    """A client that connects and goes away before sending its request (a
    compile interrupted by make) must not make the server fork a child for
    the request before it: that stale message re-ran the earlier compile,
    rewriting its output file and report."""
    import socket
    import time

    from slpvec.tools import plugin_server

    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.ll").write_text(TINY)
    argv = ["in.ll", "out.ll", "--policy", "greedy"]
    path = tmp_path / "server.sock"
    server = subprocess.Popen([sys.executable, "-m", "slpvec", "plugin-server", str(path), "30"])
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        monkeypatch.setattr(plugin_server, "socket_path", lambda: path)
        assert plugin_server.request(argv) == 0 and (tmp_path / "out.ll").exists()
        (tmp_path / "out.ll").unlink()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(path))  # and hang up without a request
        time.sleep(3)
        assert not (tmp_path / "out.ll").exists()
    finally:
        server.kill()


OPTNONE = r"""
double a[8], b[8];
__attribute__((optnone, noinline)) void keep(void) {
  b[0] = a[0] * 2 + 1; b[1] = a[1] * 2 + 1; b[2] = a[2] * 2 + 1; b[3] = a[3] * 2 + 1;
}
void change(void) {
  b[4] = a[4] * 2 + 1; b[5] = a[5] * 2 + 1; b[6] = a[6] * 2 + 1; b[7] = a[7] * 2 + 1;
}
"""


def test_optnone_functions_are_left_alone(plugin, tmp_path):
    """An optnone function keeps the body clang gave it (no pass may change
    it; LLVM's SLP skips it), while the other function is vectorized."""
    source = tmp_path / "optnone.c"
    source.write_text(OPTNONE)
    flags = [f"-fpass-plugin={plugin}", "-mllvm", f"-slpvec-python={sys.executable}"]
    ir = subprocess.run(["clang-22", *CFLAGS, *flags, "-S", "-emit-llvm", str(source), "-o", "-"],
                        capture_output=True, text=True, check=True).stdout
    bodies = {name: body for name, body in re.findall(r"define .*?@(\w+)\(.*?\n(.*?)\n}", ir, re.S)}
    assert "x double>" not in bodies["keep"]
    assert "x double>" in bodies["change"]


# Straight-line code only LLVM's SLP (or slpvec) vectorizes; no loops for the
# loop vectorizer.
STRAIGHT = """
void scale(double *restrict a, const double *restrict b) {
  a[0] = b[0] * 3.0; a[1] = b[1] * 3.0; a[2] = b[2] * 3.0; a[3] = b[3] * 3.0;
}
"""


def _clang_ir(plugin: str, source: Path, *flags: str) -> str:
    return subprocess.run(
        ["clang-22", "-march=haswell", f"-fpass-plugin={plugin}", "-mllvm",
         f"-slpvec-python={sys.executable}", *flags, "-S", "-emit-llvm", str(source), "-o", "-"],
        capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("flags, vectorized", [
    (["-O3", "-fno-slp-vectorize"], False),  # no SLP at all: neither LLVM's nor slpvec's
    (["-Os", "-fno-slp-vectorize"], False),
    (["-O1"], False),                        # clang runs no SLP at -O1 ...
    (["-O1", "-fslp-vectorize"], True),      # ... unless asked
    (["-O3"], True),
    (["-Os"], True),                         # clang runs SLP at -Os and -Oz
    (["-Oz"], True),
])
def test_slpvec_runs_exactly_where_llvm_would_run_slp(plugin, tmp_path, flags, vectorized):
    source = tmp_path / "straight.c"
    source.write_text(STRAIGHT)
    assert ("x double>" in _clang_ir(plugin, source, "-mllvm", "-slpvec-policy=greedy",
                                     *flags)) == vectorized


@pytest.mark.parametrize("level, vectorized", [("Os", True), ("Oz", False), ("O3", True)])
def test_opt_levels_follow_llvm_slp(plugin, tmp_path, level, vectorized):
    """opt-22's default<Oz> has no SLP pass (clang's -Oz adds one): neither
    does slpvec run there."""
    source = tmp_path / "straight.c"
    source.write_text(STRAIGHT)
    scalar = tmp_path / "in.ll"
    subprocess.run(["clang-22", "-O0", "-Xclang", "-disable-O0-optnone", "-march=haswell",
                    "-S", "-emit-llvm", str(source), "-o", str(scalar)], check=True)
    out = subprocess.run(["opt-22", f"-load-pass-plugin={plugin}",
                          f"-slpvec-python={sys.executable}", f"-passes=default<{level}>", "-S",
                          str(scalar)], capture_output=True, text=True, check=True).stdout
    assert ("x double>" in out) == vectorized


def test_report_shows_kept_bodies_scalar(plugin, tmp_path):
    """The plugin keeps the old body of a function with label addresses; its
    report must not claim that function's blocks were vectorized."""
    from slpvec.tools.plugin_bridge import KEPT_BODY

    source = tmp_path / "cgoto.c"
    source.write_text(COMPUTED_GOTO)
    reports = tmp_path / "reports"
    _clang_ir(plugin, source, "-O3", "-mllvm", "-slpvec-policy=ilp", "-mllvm",
              f"-slpvec-report-dir={reports}")
    blocks = [b for path in reports.glob("*.json")
              for b in json.loads(path.read_text())["report"]["blocks"]]
    kept = [b for b in blocks if b["block_id"].startswith("run:") and b["packs"]]
    assert kept, "ilp packs blocks of run (else this test proves nothing)"
    assert all(b["fallback_reason"] == KEPT_BODY and b["cost_after"] == b["cost_before"]
               for b in kept)


def _pair(name: str, op: str, label: str = "entry") -> str:
    return f"""define void {name}(ptr noalias %a, ptr noalias %b) {{
{label}:
  %b1 = getelementptr inbounds double, ptr %b, i64 1
  %x0 = load double, ptr %b, align 8
  %x1 = load double, ptr %b1, align 8
  %y0 = {op} double %x0, 2.0
  %y1 = {op} double %x1, 2.0
  %a1 = getelementptr inbounds double, ptr %a, i64 1
  store double %y0, ptr %a, align 8
  store double %y1, ptr %a1, align 8
  ret void
}}
"""


# Names with colons (function and label), an unnamed function after an
# unnamed global (slot @1), and a quoted all-digit name: block ids
# "function:label" were split at the last colon, @1 was looked up by name, and
# either made the plugin leave the whole module unchanged.
ODD_NAMES = ("@0 = global i32 0\n\n" + _pair('@"ns:f"', "fmul", '"e:x"') + _pair("@1", "fadd")
             + _pair('@"7"', "fsub") + _pair("@plain", "fdiv"))


def test_functions_with_odd_names_are_vectorized(plugin, tmp_path):
    source = tmp_path / "odd.ll"
    source.write_text(ODD_NAMES)
    proc = subprocess.run(["opt-22", f"-load-pass-plugin={plugin}",
                           f"-slpvec-python={sys.executable}", "-mtriple=x86_64-pc-linux-gnu",
                           "-mcpu=haswell", "-passes=slpvec", "-S", str(source)],
                          capture_output=True, text=True, check=True)
    assert proc.stderr == ""
    bodies = dict(re.findall(r"define void (\S+)\(.*?\n(.*?)\n}", proc.stdout, re.S))
    assert set(bodies) == {'@"ns:f"', "@1", '@"7"', "@plain"}
    assert all("<2 x double>" in body for body in bodies.values()), bodies
