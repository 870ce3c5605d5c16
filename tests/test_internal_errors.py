"""Internal errors are not user errors: bad input says ``slpvec: error:`` and
exits 1; a failure of slpvec itself says ``slpvec: internal error: ...
(please report ...)`` and exits 70, and inside one block it only leaves that
block scalar with the reason in the report."""

import json

import pytest

from ilp_oracle.model import SolverError
from slpvec.cli import main
from slpvec.codegen import ScheduleError, UnsupportedPack
from slpvec.errors import INTERNAL_ERROR_EXIT, InternalError, SlpvecError
from slpvec.graph import GraphTooLarge

from .conftest import kernel_ir

HINT = "(please report; rerun with --debug for a traceback)"


def vectorize(tmp_path, capsys, text, *extra):
    src = tmp_path / "in.ll"
    src.write_text(text)
    out = tmp_path / "out.ll"
    code = main(["vectorize", str(src), "-o", str(out), *extra])
    return code, out, capsys.readouterr().err


@pytest.mark.parametrize("error", [UnsupportedPack, ScheduleError, SolverError, GraphTooLarge])
def test_limits_of_slpvec_are_internal_errors_not_user_errors(error):
    assert issubclass(error, InternalError) and not issubclass(error, SlpvecError)


def test_bad_input_is_a_user_error(tmp_path, capsys):
    code, out, err = vectorize(tmp_path, capsys, "define void @f( {")
    assert code == 1 and err.startswith("slpvec: error:") and "internal" not in err
    assert err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("raised, shown", [
    (RuntimeError("index out of step"), "RuntimeError: index out of step"),
    (InternalError("plan rejected by the scheduler"), "plan rejected by the scheduler"),
])
def test_a_failure_of_slpvec_is_an_internal_error(tmp_path, capsys, monkeypatch, raised, shown):
    def fail(*_, **__):
        raise raised
    monkeypatch.setattr("slpvec.driver.run_slp", fail)
    code, out, err = vectorize(tmp_path, capsys, kernel_ir("vec4.c"))
    assert code == INTERNAL_ERROR_EXIT and not out.exists()
    assert err == f"slpvec: internal error: {shown} {HINT}\n"


def test_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    def fail(*_, **__):
        raise RuntimeError("index out of step")
    monkeypatch.setattr("slpvec.driver.run_slp", fail)
    with pytest.raises(RuntimeError, match="index out of step"):
        vectorize(tmp_path, capsys, kernel_ir("vec4.c"), "--debug")


@pytest.mark.parametrize("raised, reason", [
    (UnsupportedPack("cannot vectorize 'frob'"), "cannot vectorize 'frob'"),
    (ZeroDivisionError("division by zero"), "internal error: ZeroDivisionError: division by zero"),
])
def test_a_block_failing_inside_falls_back_with_its_reason(tmp_path, capsys, monkeypatch,
                                                          raised, reason):
    def fail(self):
        raise raised
    monkeypatch.setattr("slpvec.codegen.BlockEmitter.emit", fail)
    report = tmp_path / "report.json"
    code, out, err = vectorize(tmp_path, capsys, kernel_ir("vec4.c"), "--report", str(report))
    assert code == 0 and "<4 x float>" not in out.read_text()
    blocks = json.loads(report.read_text())["blocks"]
    fallbacks = [b for b in blocks if b["fallback_reason"]]
    assert fallbacks and all(b["fallback_reason"] == reason for b in fallbacks)
    assert all(f"scalar fallback {b['block_id']}: {reason}" in err for b in fallbacks)
