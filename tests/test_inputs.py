"""One input loader: compile_flags.txt as clangd reads it, for every command.

A C file whose header sits in a sibling folder, reachable only through the
relative ``-I../include`` of its compile_flags.txt, loads from any working
directory through each command that compiles C.
"""

import json

import pytest

from dataset.build import build_shard, plan_work
from slpvec.cli import main
from slpvec.errors import SlpvecError
from slpvec.inputs import compile_flags_for, find_inputs, load_module, module_source

HEADER = "#define SCALE 3.0f\n"
KERNEL = """#include "scale.h"
void scale4(float *restrict a, const float *restrict b) {
  a[0] = b[0] * SCALE; a[1] = b[1] * SCALE; a[2] = b[2] * SCALE; a[3] = b[3] * SCALE;
}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """proj/src/kernel.c + proj/include/scale.h + proj/src/compile_flags.txt (-I../include);
    the working directory is elsewhere, and a farther compile_flags.txt would break the build."""
    proj = tmp_path / "proj"
    (proj / "include").mkdir(parents=True)
    (proj / "src").mkdir()
    (proj / "include" / "scale.h").write_text(HEADER)
    (proj / "src" / "kernel.c").write_text(KERNEL)
    (proj / "src" / "compile_flags.txt").write_text("  -I../include  \n\n-DUNUSED=1\n")
    (tmp_path / "compile_flags.txt").write_text("-DSCALE_IS_WRONG\n-include missing.h\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return proj


def test_nearest_compile_flags_with_paths_from_its_folder(project, tmp_path, monkeypatch):
    flags = compile_flags_for(project / "src" / "kernel.c")
    assert flags.flags == ("-I../include", "-DUNUSED=1") and flags.folder == project / "src"
    module = load_module(project / "src" / "kernel.c", "haswell")
    assert module.function("scale4") and "3.000000e+00" in module.text
    assert module_source(module) == str(project / "src" / "kernel.c")
    # a relative source path is found from the working directory, its flags from their file
    monkeypatch.chdir(project)
    assert load_module("src/kernel.c", "haswell").function("scale4")
    # a source deeper down uses the nearest file above it, paths from that file's folder
    deep = project / "src" / "deep" / "er"
    deep.mkdir(parents=True)
    (deep / "k.c").write_text(KERNEL)
    assert compile_flags_for(deep / "k.c").folder == project / "src"
    assert load_module(deep / "k.c", "haswell").function("scale4")
    # with no file above, nothing is added
    alone = tmp_path / "elsewhere" / "k.c"
    alone.write_text("int f(int x) { return x; }\n")
    (tmp_path / "compile_flags.txt").unlink()
    assert compile_flags_for(alone).folder is None and load_module(alone).function("f")


def test_the_flags_file_is_what_makes_the_header_found(project):
    (project / "src" / "compile_flags.txt").write_text("-Iinclude\n")   # from proj/src: wrong
    with pytest.raises(SlpvecError, match="scale.h"):
        load_module(project / "src" / "kernel.c", "haswell")


def test_ir_inputs_are_retargeted_unless_asked_not_to(tmp_path):
    ll = tmp_path / "k.ll"
    ll.write_text('define void @f() #0 {\n  ret void\n}\nattributes #0 = { "target-cpu"="x86-64" }\n')
    assert '"target-cpu"="haswell"' in load_module(ll, "haswell").text
    assert '"target-cpu"="x86-64"' in load_module(ll, "haswell", retarget_ir=False).text
    with pytest.raises(SlpvecError, match="expected a .c, .ll or .bc file"):
        (tmp_path / "k.txt").write_text("")
        load_module(tmp_path / "k.txt")


@pytest.mark.parametrize("command", ["cost", "analyze", "vectorize"])
def test_single_input_commands(project, tmp_path, command, capsys):
    extra = ["-o", str(tmp_path / "out.ll")] if command == "vectorize" else []
    assert main([command, str(project / "src" / "kernel.c"), "-mcpu", "haswell", *extra]) == 0
    assert "scale4" in capsys.readouterr().out or (tmp_path / "out.ll").is_file()


def test_validate_evaluate_and_compare_llvm(project, tmp_path, capsys):
    kernel = project / "src" / "kernel.c"
    out = tmp_path / "out.ll"
    assert main(["vectorize", str(kernel), "-o", str(out), "-mcpu", "haswell"]) == 0
    assert "<4 x float>" in out.read_text()
    assert main(["validate", str(kernel), str(out), "-mcpu", "haswell"]) == 0
    assert "0 mismatches" in capsys.readouterr().out
    assert find_inputs([project]) == [kernel]
    assert main(["evaluate", str(project), "--policies", "none,greedy", "-mcpu", "haswell",
                 "-q", "--csv", str(tmp_path / "e.csv")]) == 0
    assert "1 inputs evaluated, 0 skipped" in capsys.readouterr().out
    assert main(["compare-llvm", str(project), "--policies", "greedy", "-mcpu", "haswell",
                 "--csv", str(tmp_path / "c.csv")]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert "scale4" in (tmp_path / "c.csv").read_text()


def test_dataset_build_uses_the_flags(project, tmp_path):
    [item] = plan_work([project / "src" / "kernel.c"], "haswell", "throughput", 10.0, 0)
    (tmp_path / "ds" / "shards").mkdir(parents=True)
    record = build_shard(item, tmp_path / "ds")
    assert record.blocks == 1 and record.failures == 0, json.dumps(record.failure_reasons)
