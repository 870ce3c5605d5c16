"""Every command-line entry point ends the same way (slpvec.entry): the
user's error is one ``PROG: error:`` line and exit 1, a bug is one
``PROG: internal error: ... (please report ...)`` line and exit 70, and
``--debug`` shows the traceback instead."""

import importlib

import pytest

from slpvec.errors import INTERNAL_ERROR_EXIT, CostModelError, InternalError, SlpvecError

from .conftest import kernel_ir

HINT = "(please report; rerun with --debug for a traceback)"

# (prog, module with main, argv, the function main reaches that we make fail)
ENTRY_POINTS = [
    ("slpvec", "slpvec.cli", ["plugin-path"], "slpvec.cli.cmd_plugin_path"),
    ("slpvec-train", "models.train_cli", ["--data", "d", "--out", "o", "--device", "cpu"],
     "models.train.train"),
    ("crossval", "models.crossval", ["--data", "d", "--out", "o"], "models.crossval.run"),
    ("slpvec-dataset", "dataset.cli", ["info", "o"], "dataset.cli.cmd_info"),
    ("dataset.corpus", "dataset.corpus", ["prepare"], "dataset.corpus.prepare"),
    ("nas_bench", "nas_bench.cli", ["report", "o"], "nas_bench.cli.cmd_report"),
]


def run(monkeypatch, module, argv, target, raised):
    def fail(*_, **__):
        raise raised
    monkeypatch.setattr(target, fail)
    return importlib.import_module(module).main(argv)


@pytest.mark.parametrize("prog, module, argv, target", ENTRY_POINTS)
def test_a_bug_is_one_internal_error_line(monkeypatch, capsys, prog, module, argv, target):
    code = run(monkeypatch, module, argv, target, RuntimeError("index out of step"))
    assert code == INTERNAL_ERROR_EXIT
    assert capsys.readouterr().err == f"{prog}: internal error: RuntimeError: index out of step {HINT}\n"


@pytest.mark.parametrize("prog, module, argv, target", ENTRY_POINTS)
def test_a_user_error_is_one_error_line(monkeypatch, capsys, prog, module, argv, target):
    code = run(monkeypatch, module, argv, target, SlpvecError("no such dataset"))
    assert code == 1 and capsys.readouterr().err == f"{prog}: error: no such dataset\n"


@pytest.mark.parametrize("prog, module, argv, target", ENTRY_POINTS)
def test_debug_shows_the_traceback(monkeypatch, prog, module, argv, target):
    with pytest.raises(RuntimeError, match="index out of step"):
        run(monkeypatch, module, [*argv, "--debug"], target, RuntimeError("index out of step"))


def test_a_cost_printout_slpvec_cannot_match_is_internal():
    assert issubclass(CostModelError, InternalError) and not issubclass(CostModelError, SlpvecError)


MISMATCH = CostModelError("opt-22 priced 3 instructions of @f, expected 4")


def test_compare_llvm_skips_an_unpriceable_input_with_one_line(tmp_path, monkeypatch, capsys):
    src = tmp_path / "in.ll"
    src.write_text(kernel_ir("vec4.c"))
    run(monkeypatch, "slpvec.cli", ["compare-llvm", str(src), "--policies", "greedy"],
        "slpvec.tools.llvm_compare.compare_module", MISMATCH)
    assert f"  skipped {src}: {MISMATCH}\n" == capsys.readouterr().err


def test_evaluate_records_an_unpriceable_input_as_an_error_row(monkeypatch):
    from slpvec.ir import parse_module
    from slpvec.policies import policy_for_run
    from slpvec.tools.evaluate import evaluate_module

    def fail(*_, **__):
        raise MISMATCH
    monkeypatch.setattr("slpvec.tools.evaluate.run_slp", fail)
    rows, _ = evaluate_module(parse_module(kernel_ir("vec4.c")), [policy_for_run("greedy")])
    assert [r.error for r in rows] == [str(MISMATCH)]
