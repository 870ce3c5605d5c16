"""The differential validator catches wrong results, one-sided crashes, hangs."""

import pytest

from slpvec.errors import SlpvecError
from slpvec.ir import parse_module
from slpvec.tools.validate import validate_modules

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


ALIAS_ORDER = """
define float @f(ptr %a, ptr %b) {{
entry:
{body}
}}
"""
STORE_THEN_LOAD = "  store float 1.0, ptr %a, align 4\n  %x = load float, ptr %b, align 4\n  ret float %x"
LOAD_THEN_STORE = "  %x = load float, ptr %b, align 4\n  store float 1.0, ptr %a, align 4\n  ret float %x"


def test_may_alias_pointers_are_run_overlapping():
    """Reordering a store and a load through may-alias pointers is wrong;
    the validator catches it because odd seeds overlap the buffers."""
    original = ALIAS_ORDER.format(body=STORE_THEN_LOAD)
    reordered = ALIAS_ORDER.format(body=LOAD_THEN_STORE)
    result = validate_modules(original, reordered, seeds=8)
    assert result.mismatches and all(seed % 2 == 1 for _, seed in result.mismatches)
    noalias = original.replace("ptr %a, ptr %b", "ptr noalias %a, ptr noalias %b")
    assert validate_modules(noalias, reordered.replace(
        "ptr %a, ptr %b", "ptr noalias %a, ptr noalias %b"), seeds=8).ok


def test_a_vectorized_module_that_does_not_compile_mismatches_everywhere():
    broken = SRC.replace("ret void", "ret i32 0", 1)
    result = validate_modules(SRC, broken, seeds=2)
    assert result.mismatches == (("add_f32", 0), ("add_f32", 1))
    assert "error" in result.error and result.control_runs == 2


def test_an_original_that_does_not_compile_is_a_one_line_error():
    with pytest.raises(SlpvecError, match="cannot run the module: .*error"):
        validate_modules(SRC.replace("ret void", "ret i32 0", 1), SRC, seeds=1)
