"""Malformed input: a one-line IRParseError naming the source and line, never a crash."""

import pytest

from slpvec.errors import IRParseError, SlpvecError
from slpvec.ir import parse_file, parse_module

GOOD = """define void @f(ptr %a) {
entry:
  %x = load i32, ptr %a, align 4
  %y = add i32 %x, 1
  store i32 %y, ptr %a, align 4
  ret void
}
"""


def one_line(err) -> str:
    """The error's message, checked to be a single line."""
    text = str(err.value)
    assert text and "\n" not in text and "\r" not in text
    assert isinstance(err.value, SlpvecError)
    return text


def test_good_module_parses():
    assert [i.opcode for i in parse_module(GOOD).functions[0].blocks[0].instrs] == [
        "load", "add", "store", "ret"]


@pytest.mark.parametrize("old, new, line, detail", [
    ("add i32 %x, 1", "add i32 %x 1", 4, "expected ',' in arithmetic operation"),
    ("add i32", "add i33x", 4, "expected value token"),
    ("store i32 %y", "stor i32 %y", 5, "expected instruction opcode"),
    ("align 4\n  %y", "align 4,\n  %y", 4, "expected metadata or 'align'"),
    ("define void", "define vod", 1, "expected type"),
])
def test_syntax_error_names_its_line(old, new, line, detail):
    bad = GOOD.replace(old, new, 1)
    assert bad != GOOD
    with pytest.raises(IRParseError) as err:
        parse_module(bad, "k.ll")
    assert err.value.line == line and err.value.source == "k.ll"
    message = one_line(err)
    assert message.startswith(f"k.ll:{line}: malformed LLVM IR: ")
    assert detail in message


def test_line_numbers_count_leading_blank_lines_and_comments():
    bad = "; a comment\n\n\n" + GOOD.replace("add i32 %x, 1", "add i32 %x 1")
    with pytest.raises(IRParseError) as err:
        parse_module(bad, "k.ll")
    assert err.value.line == 7 and one_line(err).startswith("k.ll:7: ")


def test_undefined_value():
    with pytest.raises(IRParseError) as err:
        parse_module(GOOD.replace("add i32 %x, 1", "add i32 %z, 1"), "k.ll")
    assert err.value.line == 4
    assert one_line(err) == "k.ll:4: malformed LLVM IR: use of undefined value '%z'"


def test_type_mismatch():
    with pytest.raises(IRParseError) as err:
        parse_module(GOOD.replace("store i32 %y", "store i64 %y"), "k.ll")
    assert err.value.line == 5 and "'%y' defined with type 'i32'" in one_line(err)


@pytest.mark.parametrize("cut", [
    "  %y",         # a function cut in half, between two instructions
    "i32 %x, 1",    # ... and in the middle of an instruction
    "}",            # closing brace missing
])
def test_truncated_module(cut):
    truncated = GOOD[: GOOD.index(cut)]
    with pytest.raises(IRParseError) as err:
        parse_module(truncated, "cut.ll")
    assert err.value.line is not None and 1 <= err.value.line <= truncated.count("\n") + 1
    assert one_line(err).startswith(f"cut.ll:{err.value.line}: malformed LLVM IR: ")


def test_invalid_but_parseable_ir_fails_verification():
    # syntactically fine, but %v does not dominate its use in %exit
    bad = """define i32 @g(i1 %c) {
entry:
  br i1 %c, label %then, label %exit
then:
  %v = add i32 1, 2
  br label %exit
exit:
  ret i32 %v
}
"""
    with pytest.raises(IRParseError) as err:
        parse_module(bad, "dom.ll")
    message = one_line(err)
    assert message.startswith("dom.ll: malformed LLVM IR: ")
    assert "does not dominate" in message


@pytest.mark.parametrize("text", ["", "   \n", "\n\n\t\n"])
def test_empty_input(text):
    with pytest.raises(IRParseError) as err:
        parse_module(text, "empty.ll")
    assert one_line(err) == "empty.ll: malformed LLVM IR: empty input"


def test_not_ir_at_all():
    with pytest.raises(IRParseError) as err:
        parse_module("int main(void) { return 0; }\n", "main.c")
    assert err.value.line == 1 and one_line(err).startswith("main.c:1: malformed LLVM IR: ")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.ll"
    with pytest.raises(IRParseError) as err:
        parse_file(path)
    assert err.value.line is None
    assert one_line(err) == f"{path}: malformed LLVM IR: cannot read: No such file or directory"


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(IRParseError) as err:
        parse_file(tmp_path)
    assert "cannot read" in one_line(err)


def test_parse_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.ll"
    path.write_text(GOOD.replace("add i32 %x, 1", "add i32 %z, 1"))
    with pytest.raises(IRParseError) as err:
        parse_file(path)
    assert err.value.line == 4 and one_line(err).startswith(f"{path}:4: malformed LLVM IR: ")


def test_binary_file_is_a_parse_error(tmp_path):
    path = tmp_path / "k.ll"
    path.write_bytes(b"BC\xc0\xde\x35\x14\x00\x00\x05\x00\x00\x00\x62\x0c\x30\x24")
    with pytest.raises(IRParseError) as err:
        parse_file(path)
    assert "bitcode that cannot be read" in one_line(err)  # truncated bitcode


def test_module_without_functions_is_fine():
    module = parse_module("@g = global i32 0\ndeclare void @h()\n")
    assert module.functions == () and module.unknown == ()
