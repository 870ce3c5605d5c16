"""``parse_named_module`` (one LLVM parse, instnamer in memory) builds the
same Module as the two-parse ``parse_module(name_values(text))`` it replaces
in ``run_slp``, and leaves already-named text alone."""

import re

import pytest

from slpvec.driver import has_numbered_values
from slpvec.ir import parse_module
from slpvec.ir.parser import numbered_values_in_text
from slpvec.passes import name_values, parse_named_module

from ..conftest import KERNEL_FILES, kernel_ir

NUMBERED = """define double @f(ptr %0, i1 %c) {
  %2 = load double, ptr %0, align 8
  br i1 %c, label %3, label %5

3:
  %4 = fadd double %2, 1.0
  br label %5

5:
  %6 = phi double [ %2, %1 ], [ %4, %3 ]
  ret double %6
}
"""


_TYPE_DEFINITION = re.compile(r"^(%[^ ]+) = type ", re.M)


def _two_parses(text: str):
    module = parse_module(text)
    return parse_module(name_values(module.text)) if has_numbered_values(module) else module


def _same_modules(one, other) -> bool:
    """Equal, up to the ``.N`` suffixes llvmlite's shared context adds to
    named struct types each time a text defining them is parsed again."""
    renames = dict(zip(_TYPE_DEFINITION.findall(other.text), _TYPE_DEFINITION.findall(one.text)))
    other_repr = repr(other)
    for old, new in sorted(renames.items(), key=lambda item: -len(item[0])):
        other_repr = other_repr.replace(old, new)
    return repr(one) == other_repr


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.stem)
def test_named_parse_matches_two_parses(path):
    text = kernel_ir(path.name)
    assert _same_modules(parse_named_module(text), _two_parses(text))


def test_numbered_text_is_named():
    module = parse_named_module(NUMBERED)
    assert numbered_values_in_text(parse_module(NUMBERED).text)
    assert not has_numbered_values(module)
    assert module == _two_parses(NUMBERED)


def test_text_check_agrees_with_the_module_check():
    named = parse_module(name_values(NUMBERED))
    assert not numbered_values_in_text(named.text)
    only_label = NUMBERED.replace("%2", "%x").replace("%4", "%y").replace("%6", "%z")
    assert numbered_values_in_text(parse_module(only_label).text)
    assert has_numbered_values(parse_module(only_label))
