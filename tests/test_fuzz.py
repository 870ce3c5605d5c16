"""The fuzzer: clean on random blocks of every class; a wrong vectorizer leaves a reproducer."""

import json
import re

import pytest

import slpvec.tools.fuzz as fuzz_module
from slpvec.cli import main
from slpvec.tools.fuzz import (EVERY_CLASS, FUZZ_SPECS, executable, fuzz, spec_labels,
                         specs_with)
from slpvec.tools.randblocks import FUZZ_CLASSES, BlockSpec, random_block_ir, random_module_ir
from slpvec.target import Target

HASWELL = Target("x86_64-pc-linux-gnu", "haswell", "", 256)
POLICIES = ["greedy", "ilp", "gnn"]


def test_fuzz_smoke_over_every_class_is_clean(tmp_path):
    # one module with every class on (compares, selects, narrow, i1,
    # intrinsics, globals, vec3, structs, foreign layout, wrap, debug, invoke)
    # and one of may-alias lane groups with casts, through all three policies
    specs = (EVERY_CLASS, BlockSpec(noalias=False, casts=True, shuffled=True))
    summary = fuzz(16, 0, POLICIES, HASWELL, tmp_path, specs=specs)  # 10 + 6 blocks
    assert (summary.blocks, summary.runs) == (16, 48)
    assert summary.mismatches == [] and summary.crashes == [] and summary.unchecked == []
    assert set(summary.classes) == set(FUZZ_CLASSES) | {"may-alias", "casts"}
    every = summary.classes["compares"]
    assert every["blocks"] == 10 and every["vectorized"] >= 20  # of 30: not a test of nothing


def test_fuzz_single_block_loops_is_clean(tmp_path):
    # lane groups run in a loop: splats and gathers of the scalar arguments are
    # built in the preheader (slpvec.codegen.hoist), the module runs unchanged
    specs = (BlockSpec(loop=True, shuffled=True), BlockSpec(noalias=False, loop=True))
    summary = fuzz(20, 0, ["greedy", "ilp"], HASWELL, tmp_path, specs=specs)
    assert summary.mismatches == [] and summary.crashes == [] and summary.unchecked == []
    assert summary.classes["loop"]["blocks"] == 20 and summary.classes["loop"]["vectorized"] >= 20


def test_fuzz_loop_carried_values_is_clean(tmp_path):
    # lanes read what the previous iteration computed: their phis pack into
    # vector phis entered from the preheader (issue 16), the module runs unchanged
    specs = (BlockSpec(loop=True, carried=True, shuffled=True),
             BlockSpec(noalias=False, loop=True, carried=True))
    summary = fuzz(20, 0, POLICIES, HASWELL, tmp_path, specs=specs)
    assert summary.mismatches == [] and summary.crashes == [] and summary.unchecked == []
    assert summary.classes["carried"]["blocks"] == 20
    assert summary.classes["carried"]["vectorized"] >= 30  # of 60 runs


def test_fuzz_extract_lanes_is_clean(tmp_path):
    # lanes extracted from two or three vectors: extract packs become one
    # shufflevector of two vectors (issue 16), the module runs unchanged
    specs = (BlockSpec(n_groups=3, shuffled=True, extracts=True),
             BlockSpec(n_groups=3, noalias=False, extracts=True, compares=True))
    summary = fuzz(20, 0, ["greedy", "ilp"], HASWELL, tmp_path, specs=specs)
    assert summary.mismatches == [] and summary.crashes == [] and summary.unchecked == []
    assert summary.classes["extracts"]["vectorized"] >= 20


def test_fuzz_command_prints_counts_per_class(tmp_path, capsys):
    assert main(["fuzz", "--count", "10", "--seed", "3", "--policies", "greedy",
                 "--classes", "compares,selects,intrinsics", "--reproducers", str(tmp_path),
                 "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("blocks 10, runs 10, vectorized ")
    assert out[0].endswith("mismatches 0, crashes 0")
    header = next(line for line in out if line.strip().startswith("class"))
    assert header.split() == ["class", "blocks", "vectorized", "fallbacks", "mismatches",
                              "crashes", "unchecked"]
    assert any(line.split()[:2] == ["intrinsics", "10"] for line in out)


def test_fuzz_help_names_every_class(capsys):
    """--classes' help lists what it accepts (it lacked alternate, extracts,
    loop and carried, the newest classes)."""
    with pytest.raises(SystemExit):
        main(["fuzz", "--help"])
    text = re.sub(r"-\s+", "-", " ".join(capsys.readouterr().out.split()))
    listed = set(re.search(r"all of them \(([^)]*)\)", text).group(1).split(", "))
    assert listed == {label for spec in FUZZ_SPECS for label in spec_labels(spec)}


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "--jobs"), (["--classes", "compares,bogus"], "unknown fuzz class")])
def test_fuzz_command_rejects_bad_options(argv, message, capsys):
    try:
        status = main(["fuzz", "--count", "1", *argv])
    except SystemExit as stop:
        status = stop.code
    assert status in (1, 2)
    assert message in capsys.readouterr().err


def test_specs_cover_every_class_alone_and_mixed():
    for name in FUZZ_CLASSES:
        alone = [s for s in FUZZ_SPECS if spec_labels(s) == (name,)]
        assert len(alone) == 1, name
        assert len(specs_with([name])) >= 3, name  # alone, in a mix, in EVERY_CLASS
    assert specs_with(["plain"]) == (BlockSpec(),)


def test_a_wrong_vectorizer_is_caught_with_a_reproducer(tmp_path, monkeypatch):
    real = fuzz_module.run_slp

    def wrong(text, policy, target):  # vectorize, then break one vector op
        out, report = real(text, policy, target)
        return out.replace("fadd <", "fsub <", 1).replace("add <", "sub <", 1), report

    monkeypatch.setattr(fuzz_module, "run_slp", wrong)
    summary = fuzz(10, 4, ["greedy"], HASWELL, tmp_path, specs=(BlockSpec(),))
    assert summary.mismatches and not summary.crashes
    folder = tmp_path / "seed4-greedy"
    repro = json.loads((folder / "repro.json").read_text())
    assert repro["seed"] == 4 and repro["policy"] == "greedy" and repro["functions"]
    # minimised: one function, one pack (any single add pack shows the bug)
    assert len(repro["packs"]) == 1
    source = (folder / "input.ll").read_text()
    assert source.count("define ") == 1
    assert source == random_block_ir(repro["block_seed"], BlockSpec(**repro["spec"]))
    assert (folder / "vectorized.ll").read_text().count("sub <") == 1


def test_a_lost_predicate_is_caught_in_a_class_module(tmp_path, monkeypatch):
    # the bug class of issue 15: a vector compare with another lane's predicate
    real = fuzz_module.run_slp
    swap = {"eq": "ne", "ne": "eq", "ult": "uge", "uge": "ult", "ugt": "ule", "ule": "ugt",
            "slt": "sge", "sge": "slt", "sgt": "sle", "sle": "sgt"}

    def wrong(text, policy, target):
        out, report = real(text, policy, target)
        lines = out.splitlines()
        for k, line in enumerate(lines):
            words = line.split()
            if "icmp" in words and any(w.startswith("<") for w in words):
                at = next(i for i, w in enumerate(words) if w in swap)
                words[at] = swap[words[at]]
                lines[k] = "  " + " ".join(words)
                break
        return "\n".join(lines) + "\n", report

    monkeypatch.setattr(fuzz_module, "run_slp", wrong)
    spec = next(s for s in FUZZ_SPECS if spec_labels(s) == ("compares",))
    summary = fuzz(4, 2, ["greedy"], HASWELL, tmp_path, specs=(spec,))
    assert summary.mismatches and not summary.crashes
    repro = json.loads((tmp_path / "seed2-greedy" / "repro.json").read_text())
    assert repro["spec"]["compares"] and repro["executed_as"] != "as is"
    source = (tmp_path / "seed2-greedy" / "input.ll").read_text()
    assert source == random_block_ir(repro["block_seed"], BlockSpec(**repro["spec"]))


def test_execution_form_lowers_the_modules_own_layout_and_names_unnamed_globals():
    # the host JIT replaces the datalayout: a struct GEP must already be the
    # byte offset of the module's layout (i386-like: double at 4, not 8)
    module = ('target datalayout = "e-m:e-i64:32-f64:32:64-n32:64-S128"\n'
              '@0 = global [4 x i32] zeroinitializer\n'
              "define void @f(ptr %p) {\n"
              "  %q = getelementptr { i32, double }, ptr %p, i64 1, i32 1\n"
              "  store double 1.0, ptr %q\n  store i32 1, ptr @0\n  ret void\n}\n")
    text = executable(module, BlockSpec(foreign_layout=True))
    assert "getelementptr i8, ptr %p, i64 16" in text  # 12 + 4 (x86-64: 16 + 8)
    assert "@fuzz.unnamed.0" in text and "@0" not in text


@pytest.mark.slow
def test_fuzz_every_spec_with_two_jobs(tmp_path):
    count = 10 * len(FUZZ_SPECS)  # a module of every spec
    summary = fuzz(count, 9000, POLICIES, HASWELL, tmp_path, jobs=2)
    assert summary.blocks == count
    assert summary.mismatches == [] and summary.crashes == [] and summary.unchecked == []
    for name in FUZZ_CLASSES:
        assert summary.classes[name]["vectorized"] > 0, name


SANITY_PASSES = ("-passes=function(early-cse,instcombine<no-verify-fixpoint>,slp-vectorizer,"
                 "instcombine<no-verify-fixpoint>,gvn)")


@pytest.mark.slow
@pytest.mark.parametrize("spec", [s for s in FUZZ_SPECS if s.classes],
                         ids=lambda s: "+".join(s.classes))
def test_llvm_slp_output_runs_like_every_class_spec(spec):
    # the generator's own check: what LLVM's SLP vectorizer, instcombine and GVN
    # make of a class module must run exactly like it, or the fuzzer would report
    # mismatches that are the generator's (poison on an input lane, NaN payloads)
    from slpvec.toolchain import run_tool
    from slpvec.tools.validate import validate_modules
    source = random_module_ir(77, 10, spec)
    optimized = run_tool("opt", [SANITY_PASSES, "-S"], stdin=source).stdout
    vectors = re.compile(r"<\d+ x \w+>")
    assert len(vectors.findall(optimized)) > len(vectors.findall(source))  # LLVM vectorized
    result = validate_modules(executable(source, spec), executable(optimized, spec), seeds=2)
    assert result.mismatches == () and result.unchecked == ()


def test_jobs_do_not_change_the_counts(tmp_path):
    one = fuzz(12, 0, ["greedy"], HASWELL, tmp_path / "one", specs=(BlockSpec(),))
    two = fuzz(12, 0, ["greedy"], HASWELL, tmp_path / "two", jobs=2, specs=(BlockSpec(),))
    assert one.blocks == 12 and one.lines() == two.lines()


def test_generated_blocks_have_nothing_to_fold_or_merge():
    # like clang -O3 output: nothing for instsimplify to fold, no repeated
    # computation or load for early-cse to merge. LLVM's SLP folds operations
    # on constants while packing, and repeated loads of one address confused
    # our candidate search; such blocks measured (and trained) the wrong thing
    from slpvec.toolchain import run_tool

    def instructions(text: str) -> int:
        return sum(1 for line in text.splitlines()
                   if line.startswith("  ") and not line.lstrip().startswith(";"))

    # (not BlockSpec(casts=True): its widen-then-narrow pairs, there to fuzz
    # cast codegen, fold by design; the dataset uses the default spec)
    for spec in (BlockSpec(), BlockSpec(shuffled=True, n_groups=4, max_lanes=8)):
        module = random_module_ir(5, 80, spec)
        folded = run_tool("opt", ["-passes=instsimplify,early-cse<memssa>", "-S"],
                          stdin=module).stdout
        assert instructions(folded) == instructions(module)


def test_half_arithmetic_is_executed_by_the_validator():
    # on a generic x86-64 JIT machine half <-> float became libcalls MCJIT could
    # not resolve: every run crashed in both versions, the narrow class's half
    # blocks were never checked (and each crash cost a worker restart)
    from slpvec.tools.validate import validate_modules
    module = ('target triple = "x86_64-pc-linux-gnu"\n'
              "define void @f(ptr noalias %a, float %x) {\n"
              "  %h = fptrunc float %x to half\n  %y = fadd half %h, 0xH3C00\n"
              "  store half %y, ptr %a, align 2\n  ret void\n}\n")
    result = validate_modules(module, module.replace("fadd half", "fsub half"), seeds=2)
    assert result.inconclusive == () and len(result.mismatches) == 2
