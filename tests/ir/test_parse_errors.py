"""Malformed input: one-line IRParseError naming the line, never a crash."""

import pytest

from slpvec.errors import IRParseError
from slpvec.ir import parse_file, parse_module

GOOD = """define void @f(ptr %a) {
entry:
  store i32 1, ptr %a, align 4
  ret void
}
"""


def one_line(err) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def test_syntax_error_names_its_line():
    bad = GOOD.replace("store i32 1, ptr %a", "store i32 1, ptr %undefined_ptr")
    with pytest.raises(IRParseError) as err:
        parse_module(bad, "k.ll")
    assert err.value.line == 3
    assert one_line(err).startswith("k.ll:3: malformed LLVM IR: use of undefined value")


def test_truncated_module():
    with pytest.raises(IRParseError) as err:
        parse_module(GOOD[: GOOD.index("ret void")])
    assert err.value.line is not None and "malformed LLVM IR" in one_line(err)


def test_invalid_but_parseable_ir_fails_verification():
    with pytest.raises(IRParseError) as err:
        parse_module(GOOD.replace("  ret void\n", ""))  # block without terminator
    assert "malformed LLVM IR" in one_line(err)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_input(text):
    with pytest.raises(IRParseError, match="empty input"):
        parse_module(text)


def test_unknown_future_syntax():
    with pytest.raises(IRParseError) as err:
        parse_module(GOOD.replace("store i32 1", "frobnicate i32 1"))
    assert err.value.line == 3 and one_line(err)


def test_missing_file(tmp_path):
    with pytest.raises(IRParseError, match="cannot read"):
        parse_file(tmp_path / "nope.ll")


def test_module_without_functions_is_fine():
    assert parse_module("@g = global i32 0\n").functions == ()
