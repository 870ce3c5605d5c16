"""The differential validator catches wrong results, one-sided crashes, hangs."""

from slpvec.ir import parse_module
from slpvec.validate import validate_modules

from .conftest import kernel_ir

SRC = parse_module(kernel_ir("add_f32.c")).text


def test_identical_modules_agree():
    result = validate_modules(SRC, SRC, seeds=2)
    assert result.ok and result.runs == 2 and not result.inconclusive


def test_wrong_result_is_a_mismatch():
    assert "fadd float" in SRC
    bad = SRC.replace("fadd float", "fsub float", 1)
    assert validate_modules(SRC, bad, seeds=2).mismatches == (("add_f32", 0), ("add_f32", 1))


def test_crash_in_one_version_is_a_mismatch():
    crash = SRC.replace("store float", "store volatile float", 1).replace(
        "ptr %a, align 4", "ptr null, align 4", 1)
    assert crash != SRC
    assert not validate_modules(SRC, crash, seeds=1).ok


def test_hang_in_one_version_is_a_mismatch():
    i = SRC.index("ret void")
    hang = SRC[:i] + "br label %spin\nspin:\n  br label %spin" + SRC[i + len("ret void"):]
    result = validate_modules(SRC, hang, seeds=1, run_timeout=1)
    assert result.mismatches == (("add_f32", 0),)
