"""The clang/opt pass plugin (plugin/SlpvecPlugin.cpp + slpvec.tools.plugin_bridge):
LLVM's SLP replaced by slpvec inside ``clang-22 -O3``; programs print what
clang -O3 prints; a failing worker leaves the module as it was, with one
warning line."""

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slpvec.errors import SlpvecError
from slpvec.tools import plugin_bridge, plugin_server
from slpvec.tools.plugin_bridge import plugin_path

PROGRAMS = Path(__file__).parent / "data" / "programs"
# (source, extra flags), as in test_cc_semantics
UNITS = (("semantics.c", ()), ("semantics_fast.c", ("-ffast-math",)))
SAXPY = Path(__file__).resolve().parents[1] / "examples" / "kernels" / "saxpy4.c"
CFLAGS = ("-O3", "-march=haswell")


@pytest.fixture(scope="module")
def plugin() -> str:
    return str(plugin_path(build=True))


def _plugin_flags(plugin: str, **options: str) -> list[str]:
    flags = [f"-fpass-plugin={plugin}", "-mllvm", f"-slpvec-python={sys.executable}"]
    for name, value in options.items():
        flags += ["-mllvm", f"-slpvec-{name.replace('_', '-')}={value}"]
    return flags


def _build(tmp: Path, flags: list[str], tag: str, env: dict | None = None) -> tuple[str, str]:
    """Compile and link the semantics program; (its output, clang's stderr)."""
    objects, stderr = [], ""
    for source, extra in UNITS:
        obj = tmp / f"{tag}-{Path(source).stem}.o"
        proc = subprocess.run(["clang-22", *CFLAGS, *extra, *flags, "-c", str(PROGRAMS / source),
                               "-o", str(obj)], capture_output=True, text=True, env=env,
                              check=True)
        stderr += proc.stderr
        objects.append(str(obj))
    subprocess.run(["clang-22", *objects, "-o", str(tmp / tag)], check=True)
    run = subprocess.run([str(tmp / tag)], capture_output=True, text=True, check=True)
    return run.stdout, stderr


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> str:
    return _build(tmp_path_factory.mktemp("ref"), [], "clang")[0]


def _emit_ir(flags: list[str], source: Path = SAXPY, env: dict | None = None) -> str:
    proc = subprocess.run(["clang-22", *CFLAGS, *flags, "-S", "-emit-llvm", str(source), "-o", "-"],
                          capture_output=True, text=True, env=env, check=True)
    assert not proc.stderr, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_program_built_with_plugin_matches_clang(plugin, reference, tmp_path, policy):
    reports = tmp_path / "reports"
    out, stderr = _build(tmp_path, _plugin_flags(plugin, policy=policy, report_dir=str(reports)),
                         policy)
    assert out == reference
    assert stderr == ""
    vectorized = set()
    for path in reports.glob("*.json"):
        data = json.loads(path.read_text())
        assert data["policy"] == policy
        vectorized |= {b["block_id"].split(":")[0] for b in data["report"]["blocks"] if b["packs"]}
    assert {"bools", "selects", "fcmp_fast"} <= vectorized  # not vacuous


def test_plugin_replaces_llvm_slp(plugin):
    """The vectors come from slpvec: none with policy 'none' (LLVM's SLP is
    skipped), LLVM's with policy 'llvm', slpvec's <8 x float> fmuladd otherwise."""
    assert "x float>" not in _emit_ir(["-fno-slp-vectorize"])
    assert "x float>" not in _emit_ir(_plugin_flags(plugin, policy="none"))
    assert "x float>" in _emit_ir(_plugin_flags(plugin, policy="llvm"))
    ir = _emit_ir(_plugin_flags(plugin, policy="greedy"))
    assert re.search(r"call <8 x float> @llvm\.fmuladd\.v8f32", ir)
    assert "declare <8 x float> @llvm.fmuladd.v8f32" in ir  # the new intrinsic is declared


def test_opt_loads_the_plugin(plugin, tmp_path):
    scalar = _emit_ir(["-Xclang", "-disable-llvm-optzns"])
    (tmp_path / "in.ll").write_text(scalar)
    proc = subprocess.run(["opt-22", f"-load-pass-plugin={plugin}", f"-slpvec-python={sys.executable}",
                           "-passes=default<O3>", "-S", str(tmp_path / "in.ll")],
                          capture_output=True, text=True, check=True)
    assert "@llvm.fmuladd.v8f32" in proc.stdout and not proc.stderr


def test_debug_info_survives(plugin):
    """Metadata of the returned bodies maps onto the module's (by slot): the
    module verifies with one compile unit, and the vector code is there."""
    ir = _emit_ir(["-g", *_plugin_flags(plugin)], PROGRAMS / "semantics.c")
    assert ir.count("distinct !DICompileUnit") == 1
    assert "<8 x i32>" in ir or "<4 x i32>" in ir
    subprocess.run(["llvm-as-22", "-o", "/dev/null"], input=ir, text=True, check=True)


def _fake_python(tmp: Path, body: str) -> str:
    """A stand-in for the worker's python: $4 is the module in, $5 the module out."""
    script = tmp / "fake-python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("worker, why", [
    (None, "worker failed: slpvec: error: unknown policy"),
    ("echo 'slpvec exploded' >&2; exit 3", "worker failed: slpvec exploded"),
    ("echo 'define i32 @main( {' > \"$5\"; echo main", "does not parse"),
    ("sed 's/^define \\(.*\\)@main(/define \\1@main2(/' \"$4\" > \"$5\"; echo main",
     "the vectorized module adds @main2"),
    ("cp \"$4\" \"$5\"; echo nosuch", "unknown function @nosuch"),
])
def test_failure_leaves_a_working_binary_and_one_warning(plugin, reference, tmp_path, worker, why):
    flags = _plugin_flags(plugin, policy="nonesuch" if worker is None else "greedy")
    if worker is not None:
        flags[2] = f"-slpvec-python={_fake_python(tmp_path, worker)}"
    out, stderr = _build(tmp_path, flags, "broken")
    assert out == reference
    lines = stderr.splitlines()
    assert len(lines) == len(UNITS), stderr  # one line per compiled module
    assert all(line.startswith("slpvec: warning: ") and line.endswith("; module left unchanged")
               for line in lines), stderr
    assert why in lines[0]


def test_identity_worker_round_trips_every_function(plugin, tmp_path):
    """A worker returning its input and naming every function: each body is
    replaced by its parsed copy (globals, intrinsics, debug metadata mapped),
    and the module compiles to the same IR as without the plugin."""
    names = "grep -o '^define [^@]*@[A-Za-z_0-9]*' \"$4\" | sed 's/.*@//'"
    fake = _fake_python(tmp_path, f"cp \"$4\" \"$5\"; {names}")
    flags = ["-g", f"-fpass-plugin={plugin}", "-mllvm", f"-slpvec-python={fake}",
             "-fno-slp-vectorize"]
    ir = _emit_ir(flags, PROGRAMS / "semantics.c")
    baseline = _emit_ir(["-g", "-fno-slp-vectorize"], PROGRAMS / "semantics.c")
    assert ir.count("define ") == baseline.count("define ") > 5
    assert ir.count("#dbg_") == baseline.count("#dbg_")
    assert ir.count("distinct !DICompileUnit") == 1


def test_worker_keeps_metadata_numbering(tmp_path):
    """What the plugin's metadata mapping relies on: the worker's output has the
    input's `!N = ...` lines unchanged, and it names the functions it changed."""
    ir = _emit_ir(["-g", "-Xclang", "-disable-llvm-optzns", "-O3"], SAXPY)
    ir = subprocess.run(["opt-22", "-passes=default<O3>", "-vectorize-slp=false", "-S"], input=ir,
                        capture_output=True, text=True, check=True).stdout
    (tmp_path / "in.ll").write_text(ir)
    proc = subprocess.run([sys.executable, "-m", "slpvec", "plugin-worker", str(tmp_path / "in.ll"),
                           str(tmp_path / "out.ll"), "--policy", "greedy"],
                          capture_output=True, text=True, check=True)
    assert "saxpy8" in proc.stdout.split() and set(proc.stdout.split()) <= {"saxpy8", "cmul2"}
    out = (tmp_path / "out.ll").read_text()
    assert "<8 x float>" in out
    metadata = [line for line in ir.splitlines() if line.startswith("!")]
    assert metadata and metadata == [line for line in out.splitlines() if line.startswith("!")]


def test_plugin_path_cli(plugin):
    proc = subprocess.run([sys.executable, "-m", "slpvec", "plugin-path"], capture_output=True,
                          text=True, check=True)
    assert proc.stdout.strip() == plugin


def test_plugin_path_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setattr("slpvec.tools.plugin_bridge.PLUGIN_DIR", tmp_path)
    with pytest.raises(SlpvecError, match="the plugin is not built; run scripts/setup.sh"):
        plugin_path()
    with pytest.raises(SlpvecError, match="no .*build.sh"):
        plugin_path(build=True)


CPP_WITH_EXCEPTIONS = r"""
#include <cstdio>
#include <stdexcept>
#include <vector>
struct P { double x, y, z, w; };
static P add(const P &a, const P &b) { return {a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w}; }
double work(std::vector<P> &v) {
  P acc{0, 0, 0, 0};
  for (auto &p : v) { acc = add(acc, p); p.x *= 2; p.y *= 2; p.z *= 2; p.w *= 2; }
  if (acc.x > 1e300) throw std::runtime_error("big");
  return acc.x + acc.y + acc.z + acc.w;
}
int main() {
  std::vector<P> v(100);
  for (int i = 0; i < 100; i++) v[i] = {double(i), i * 2.0, i * 3.0, i * 4.0};
  try { printf("%f %f\n", work(v), work(v)); } catch (std::exception &e) { puts(e.what()); }
}
"""


def test_cpp_with_landing_pads(plugin, tmp_path):
    """Functions with a personality and landing pads: the parked old body keeps
    the personality, so the module verifies and the vectorized body stays."""
    source = tmp_path / "eh.cpp"
    source.write_text(CPP_WITH_EXCEPTIONS)
    outputs = []
    for tag, flags in (("clang", []), ("plugin", _plugin_flags(plugin))):
        proc = subprocess.run(["clang++-22", *CFLAGS, *flags, str(source), "-o", str(tmp_path / tag)],
                              capture_output=True, text=True, check=True)
        assert proc.stderr == ""
        outputs.append(subprocess.run([str(tmp_path / tag)], capture_output=True, text=True,
                                      check=True).stdout)
    assert outputs[0] == outputs[1]
    ir = subprocess.run(["clang++-22", *CFLAGS, *_plugin_flags(plugin, policy="greedy"), "-S",
                         "-emit-llvm", str(source), "-o", "-"], capture_output=True, text=True,
                        check=True).stdout
    assert re.search(r"define .*@_Z4work.* personality", ir) and "x double>" in ir



# A worker whose numbering is off: the int and float TBAA type nodes trade places.
SWAP_TBAA = r"""
import re, sys
text = open(sys.argv[4]).read()
(a, x), (b, y) = (re.search(rf'^(![0-9]+) = (!{{!"{t}".*)$', text, re.M).groups()
                  for t in ("int", "float"))
text = text.replace(f"{a} = {x}", f"{a} = {y}").replace(f"{b} = {y}", f"{b} = {x}", 1)
open(sys.argv[5], "w").write(text)
print("\n".join(re.findall(r'^define [^@]*@(\w+)\(', text, re.M)))
"""


def test_shifted_metadata_numbering_is_refused(plugin, tmp_path):
    """Pairs are checked operand by operand: a worker that swapped two TBAA
    nodes (same kind, so a kind check passes) must not get its bodies in,
    where alias analysis would read int accesses as float ones."""
    fake = tmp_path / "fake-python"
    fake.write_text(f"#!{sys.executable}\n{SWAP_TBAA}")
    fake.chmod(0o755)
    proc = subprocess.run(["clang-22", *CFLAGS, f"-fpass-plugin={plugin}", "-mllvm",
                           f"-slpvec-python={fake}", "-S", "-emit-llvm",
                           str(PROGRAMS / "semantics.c"), "-o", "-"],
                          capture_output=True, text=True, check=True)
    assert re.fullmatch(r"slpvec: warning: .*semantics.c: metadata !\d+ does not match; "
                        r"module left unchanged\n", proc.stderr), proc.stderr


def _wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(str(path)) == 0


def test_worker_server_answers_like_a_local_worker(tmp_path, monkeypatch, capsys):
    """By default the request goes to the long-lived server (a stale
    socket file is replaced), which answers what a local worker would, from
    the client's working directory; idle, it exits and removes its socket."""
    ir = subprocess.run(["clang-22", *CFLAGS, "-fno-slp-vectorize", "-S", "-emit-llvm", str(SAXPY),
                         "-o", "-"], capture_output=True, text=True, check=True).stdout
    (tmp_path / "in.ll").write_text(ir)
    argv = ["in.ll", "local.ll", "--policy", "greedy", "--report-dir", "reports"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLPVEC_PLUGIN_SERVER", "0")  # this run: local
    assert plugin_bridge.run_worker(argv) == 0
    local = capsys.readouterr().out
    path = plugin_server.socket_path()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a socket file nobody listens on: a server that died
    stale.close()
    server = subprocess.Popen([sys.executable, "-m", "slpvec", "plugin-server", str(path), "3"])
    try:
        assert _wait_for(lambda: _listening(path))
        assert plugin_server.request(argv[:1] + ["served.ll"] + argv[2:]) == 0
        assert capsys.readouterr().out == local and "saxpy8" in local
        assert (tmp_path / "served.ll").read_text() == (tmp_path / "local.ll").read_text()
        assert len(list((tmp_path / "reports").glob("*.json"))) == 1
        assert server.wait(timeout=60) == 0 and not path.exists()  # idle: gone
    finally:
        server.kill()


def test_worker_server_sees_tool_failures(tmp_path, monkeypatch, capsys):
    """A tool failing inside a server child is an error there as it is locally
    (the server ignores SIGCHLD; a child that kept that would read every exit
    status of opt-22 as 0)."""
    fake_opt = _fake_python(tmp_path, "echo 'opt exploded' >&2; exit 1")
    monkeypatch.setenv("SLPVEC_OPT", fake_opt)
    monkeypatch.setenv("SLPVEC_CACHE_DIR", str(tmp_path / "cache"))  # costs not cached: opt runs
    monkeypatch.setenv("SLPVEC_PLUGIN_SERVER", "0")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.ll").write_text(_emit_ir(["-fno-slp-vectorize"]))
    argv = ["in.ll", "out.ll", "--policy", "greedy"]
    local = subprocess.run([sys.executable, "-m", "slpvec", "plugin-worker", *argv],
                           capture_output=True, text=True)  # a fresh process: nothing cached
    assert local.returncode == 1 and "opt exploded" in local.stderr
    path = plugin_server.socket_path()
    server = subprocess.Popen([sys.executable, "-m", "slpvec", "plugin-server", str(path), "3"])
    try:
        assert _wait_for(lambda: _listening(path))
        assert plugin_server.request(argv) == 1
        assert capsys.readouterr().err == local.stderr
    finally:
        server.kill()
