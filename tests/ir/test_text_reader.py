"""The text reader (slpvec.ir.text_function) builds exactly the Module the
llvmlite reader builds, and hands anything it does not know to llvmlite.

The whole default suite can be run with ``SLPVEC_CHECK_TEXT_READER=1``: every
function any test parses is then read both ways and compared.
"""

from unittest import mock

import pytest

import slpvec.ir.parser as parser
from slpvec.errors import InternalError
from slpvec.ir import parse_module
from slpvec.ir.operand_text import Unsupported, read_operands
from slpvec.passes import name_values

from ..conftest import KERNEL_FILES, kernel_ir

SHAPES = """
%pair = type { double, i32 }
@g = global [4 x double] zeroinitializer
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1 immarg)
declare i32 @printf(ptr, ...)
declare double @sink(ptr, double)

define <2 x i32> @shapes(ptr noalias %p, i1 %c, <4 x i32> %v, i32 %n, double %d) {
entry:
  %a = alloca [4 x i32], align 16
  %b = alloca i32, i32 %n, align 4
  %s = shufflevector <4 x i32> %v, <4 x i32> poison, <2 x i32> <i32 0, i32 1>
  call void @llvm.memset.p0.i64(ptr align 8 %p, i8 0, i64 16, i1 false)
  %z = extractelement <4 x i32> %v, i64 1
  %w = insertelement <4 x i32> %v, i32 %z, i64 0
  %m = icmp slt <4 x i32> %v, %w
  %f = fcmp fast olt double %d, 1.500000e+00
  %q = getelementptr inbounds nuw %pair, ptr %p, i64 1, i32 1
  %e = getelementptr inbounds [4 x double], ptr @g, i64 0, i64 2
  %l = load volatile double, ptr getelementptr inbounds (i8, ptr @g, i64 8), align 8
  store double %l, ptr %e, align 8, !nontemporal !0
  %x = fadd nnan double %l, %d
  %t = fptosi double %x to i32
  %u = zext nneg i32 %t to i64
  %k = call noundef i32 (ptr, ...) @printf(ptr noundef nonnull %a, i64 %u)
  %r = tail call fast double @sink(ptr nonnull dereferenceable(8) %q, double %x) #0
  br i1 %c, label %then, label %join

then:
  %y = select i1 %f, i32 %z, i32 7
  switch i32 %y, label %join [
    i32 0, label %join
    i32 5, label %then
  ]

join:
  %h = phi i32 [ %z, %entry ], [ %y, %then ], [ %y, %then ]
  %o = freeze i32 %h
  ret <2 x i32> %s
}

attributes #0 = { nounwind }
!0 = !{i32 1}
"""


def _both_ways(text: str):
    """(module read from text, module read through llvmlite, functions the
    text reader gave up on)."""
    given_up = []
    real = parser.read_blocks

    def counting(name, *args):
        try:
            return real(name, *args)
        except Unsupported:
            given_up.append(name)
            raise

    def refuse(*_):
        raise Unsupported("forced")

    mod = parser.parse_llvm(text)  # one parse for both: llvmlite renames struct types
    with mock.patch.object(parser, "read_blocks", counting):
        module = parser.module_from_llvm(mod)
    with mock.patch.object(parser, "read_blocks", refuse):
        llvmlite_module = parser.module_from_llvm(mod)
    return module, llvmlite_module, given_up


def test_every_shape_is_read_from_text_like_llvmlite():
    module, reference, given_up = _both_ways(SHAPES)
    assert given_up == []
    assert module == reference


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.stem)
def test_kernels_read_the_same_both_ways(path):
    for text in (kernel_ir(path.name), name_values(kernel_ir(path.name))):
        module, reference, given_up = _both_ways(text)
        assert module == reference
        assert len(given_up) <= len(module.functions) // 2


@pytest.mark.parametrize("line", [
    "%v = load atomic i32, ptr %p seq_cst, align 4",
    "call void asm sideeffect \"nop\", \"\"()",
    "%r = call double %fp(double %x)",
    "call void @llvm.foo(metadata !3)",
    "%s = call i32 @f(i32 %x) [ \"deopt\"(i32 1) ]",
    "%a = alloca i32, align 4, addrspace(5)",
    "%g = getelementptr i8, <2 x ptr> %p, <2 x i64> %i",
    "%e = extractvalue { i32, i32 } %s, 0",
    "%i = call ptr @f(ptr swifterror %x)",
    "%b = call ptr @f(ptr blockaddress(@g, %bb))",
])
def test_unknown_text_is_left_to_llvmlite(line):
    with pytest.raises(Unsupported):
        read_operands(line)


def test_a_function_with_unknown_text_is_read_through_llvmlite():
    text = ("define i32 @f(ptr %p) {\n  %v = load atomic i32, ptr %p seq_cst, align 4\n"
            "  %w = add i32 %v, 1\n  ret i32 %w\n}\n")
    module, reference, given_up = _both_ways(text)
    assert given_up == ["f"] and module == reference


def test_the_check_mode_catches_a_disagreement(monkeypatch):
    monkeypatch.setenv(parser.CHECK_TEXT_READER, "1")
    real = parser.read_blocks

    def wrong(*args):
        blocks = real(*args)
        return blocks[:-1]

    monkeypatch.setattr(parser, "read_blocks", wrong)
    with pytest.raises(InternalError, match="disagree"):
        parse_module(SHAPES)


@pytest.mark.slow
def test_corpus_reads_the_same_both_ways(corpus_root):
    from dataset.corpus import corpus_sources
    from slpvec.inputs import load_module

    files = corpus_sources(corpus_root)
    assert files, f"no C files in the corpus at {corpus_root}"
    different, functions, given_up = [], 0, 0
    for path in files:
        text = load_module(path, "haswell").text
        for variant in (text, name_values(text)):
            module, reference, gave_up = _both_ways(variant)
            functions += len(module.functions)
            given_up += len(gave_up)
            if module != reference:
                different.append(path.name)
    assert different == []
    assert given_up <= functions // 4
