"""Ordinary inputs that used to be rejected or left scalar for no reason:
debug records (-g), invoke-terminated blocks, quoted and numbered function
names, arguments named like our temporaries; and inputs that must be refused
with one clear line: NUL bytes, bitcode without llvm-dis."""

import re
import struct
import subprocess

import pytest

from slpvec.driver import run_slp
from slpvec.errors import IRParseError, SlpvecError
from slpvec.inputs import load_module
from slpvec.ir import parse_file, parse_module
from slpvec.ir.parser import parse_llvm
from slpvec.toolchain import compile_c_to_ir, tool_path
from slpvec.tools.validate import validate_modules


def pairs_body(a="%a", b="%b", scale="2.0"):
    """a[0..1] = b[0..1] * scale: one block that vectorizes."""
    return f"""  %b0 = load float, ptr {b}, align 4
  %m0 = fmul float %b0, {scale}
  store float %m0, ptr {a}, align 4
  %pb1 = getelementptr inbounds float, ptr {b}, i64 1
  %b1 = load float, ptr %pb1, align 4
  %m1 = fmul float %b1, {scale}
  %pa1 = getelementptr inbounds float, ptr {a}, i64 1
  store float %m1, ptr %pa1, align 4
"""


def vectorized_and_valid(ir, policy="greedy", functions=None):
    text, report = run_slp(ir, policy)
    assert report.blocks and all(b.vectorized for b in report.blocks
                                 if "entry" in b.block_id), report.blocks
    assert "store <2 x float>" in text
    result = validate_modules(ir, text, seeds=2, functions=functions)
    assert result.ok and not result.inconclusive, result
    return text, report


# -- debug records -----------------------------------------------------------

DEBUG_META = """
!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "hand", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "t.c", directory: "/")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = !{i32 7, !"Dwarf Version", i32 5}
!5 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 1, type: !6, scopeLine: 1, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!6 = !DISubroutineType(types: !7)
!7 = !{null}
!8 = !DIBasicType(name: "float", size: 32, encoding: DW_ATE_float)
!9 = !DILocalVariable(name: "a", arg: 1, scope: !5, file: !1, line: 1, type: !12)
!10 = !DILocation(line: 1, column: 1, scope: !5)
!11 = !DILocalVariable(name: "m", scope: !5, file: !1, line: 2, type: !8)
!12 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !8, size: 64)
"""

RECORD_M0 = "    #dbg_value(float %m0, !11, !DIExpression(), !10)\n"
DEBUG_IR = ("define void @f(ptr noalias %a, ptr noalias %b, i1 %c) !dbg !5 {\nentry:\n"
            "    #dbg_value(ptr %a, !9, !DIExpression(), !10)\n"
            + pairs_body().replace("  store float %m0", RECORD_M0 + "  store float %m0")
            + "  br i1 %c, label %then, label %exit\nthen:\n" + RECORD_M0
            + "    #dbg_value(!DIArgList(float %m0, float %m1), !11, !DIExpression("
              "DW_OP_LLVM_arg, 0, DW_OP_LLVM_arg, 1, DW_OP_plus, DW_OP_stack_value), !10)\n"
            + "  br label %exit\nexit:\n    #dbg_value(ptr %b, !11, !DIExpression(), !10)\n"
            + "  ret void\n}\n" + DEBUG_META)


def test_debug_records_are_not_instructions():
    fn = parse_module(DEBUG_IR).functions[0]
    entry = fn.blocks[0]
    assert [ins.opcode for ins in entry.instrs][:3] == ["load", "fmul", "store"]
    assert not any("#dbg" in ins.text for b in fn.blocks for ins in b.instrs)
    assert [len(b.instrs) for b in fn.blocks] == [9, 1, 1]


@pytest.mark.parametrize("policy", ["greedy", "ilp"])
def test_debug_records_of_vanished_values_are_dropped(policy):
    # %m0/%m1 live only in the vector: the records naming them in %then go,
    # the one naming %b in %exit stays, and the module verifies
    text, _ = vectorized_and_valid(DEBUG_IR, policy)
    assert "%m0" not in text and "%m1" not in text
    assert "#dbg_value(ptr %b," in text and "#dbg_value(ptr %a," in text
    parse_llvm(text)


def test_c_built_with_debug_info_vectorizes(tmp_path):
    source = tmp_path / "k.c"
    source.write_text("void k(float *restrict a, const float *restrict b, int n) {\n"
                      "  for (int i = 0; i < 4; i++) a[i] = b[i] * 3.0f + a[i];\n"
                      "  if (n) a[4] = b[4];\n}\n")
    ir = compile_c_to_ir(source, "haswell", ("-g",))
    assert "#dbg_value" in ir
    text, report = run_slp(ir, "greedy")
    assert report.blocks[0].vectorized and "<4 x float>" in text
    assert validate_modules(ir, text, seeds=2).ok


def test_cc_with_g_vectorizes(tmp_path, monkeypatch):
    from slpvec.tools import cc
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.c").write_text("void k(float *restrict a, const float *restrict b) {\n"
                                  "  for (int i = 0; i < 4; i++) a[i] = b[i] * 3.0f + a[i];\n}\n")
    assert cc.main(["--policy", "greedy", "--report-dir", "rep", "-O3", "-g", "-c", "k.c"]) == 0
    report = next((tmp_path / "rep").glob("k-*.json")).read_text()
    assert '"vectorized_blocks": 1' in report and '"fallback_reason": ""' in report


# -- invoke ------------------------------------------------------------------

INVOKE_IR = """
define i32 @callee(i32 %x) {
  ret i32 %x
}

define i32 @personality(...) {
  ret i32 0
}

define i32 @f(ptr noalias %a, ptr noalias %b) personality ptr @personality {
entry:
""" + pairs_body() + """  %r = invoke i32 @callee(i32 1)
          to label %cont unwind label %lpad
cont:
  ret i32 %r
lpad:
  %lp = landingpad { ptr, i32 }
          cleanup
  ret i32 0
}
"""


def test_block_ending_in_invoke_vectorizes():
    text, report = vectorized_and_valid(INVOKE_IR, functions=["f"])
    assert re.search(r"invoke i32 @callee\(i32 1\)\s+to label %cont unwind label %lpad", text)
    entry = parse_module(INVOKE_IR).function("f").blocks[0]
    assert entry.instrs[-1].end_line == entry.instrs[-1].line + 1


# -- function and value names ---------------------------------------------------

NAMES_IR = "".join(
    f"define void {ref}(ptr noalias %a, ptr noalias %b) {{\nentry:\n{pairs_body()}  ret void\n}}\n\n"
    for ref in ("@0", '@"\\01name"', '@"a b"', "@plain"))


def test_quoted_and_numbered_function_names():
    module = parse_module(NAMES_IR)
    assert [fn.name for fn in module.functions] == ["0", "\x01name", "a b", "plain"]
    text, report = run_slp(NAMES_IR, "greedy")
    assert [b.block_id for b in report.blocks if b.vectorized] == [
        "0:entry", "\x01name:entry", "a b:entry", "plain:entry"]
    assert text.count("store <2 x float>") == 4
    result = validate_modules(NAMES_IR, text, seeds=2, functions=["\x01name", "a b", "plain"])
    assert result.ok and not result.inconclusive


def test_arguments_named_like_temporaries():
    ir = ("define void @f(ptr noalias %slp.0, ptr noalias %slp.1, float %slp.2) {\nentry:\n"
          + pairs_body("%slp.0", "%slp.1", "%slp.2") + "  ret void\n}\n")
    text, report = vectorized_and_valid(ir)
    assert not report.fallbacks


# -- NUL bytes and bitcode ---------------------------------------------------------

def test_nul_byte_is_an_error_not_a_truncation():
    good = "define void @f() {\n  ret void\n}\n"
    text = good + "\0" + good.replace("@f", "@g")
    with pytest.raises(IRParseError) as err:
        parse_module(text, "k.ll")
    assert str(err.value) == f"k.ll:4: malformed LLVM IR: NUL byte at byte offset {len(good)}"


@pytest.fixture
def bitcode(tmp_path):
    ll = tmp_path / "k.ll"
    ll.write_text("define void @f(ptr noalias %a, ptr noalias %b) {\nentry:\n"
                  + pairs_body() + "  ret void\n}\n")
    bc = tmp_path / "k.bc"
    subprocess.run([tool_path("llvm-as"), str(ll), "-o", str(bc)], check=True)
    return bc


def test_bitcode_is_disassembled(bitcode, tmp_path):
    assert parse_file(bitcode).function("f").blocks[0].instrs[0].opcode == "load"
    assert load_module(bitcode).function("f")
    wrapped = tmp_path / "wrapped.bc"  # the bitcode wrapper header (0x0B17C0DE)
    data = bitcode.read_bytes()
    wrapped.write_bytes(struct.pack("<5I", 0x0B17C0DE, 0, 20, len(data), 0) + data)
    assert parse_file(wrapped).function("f")


def test_vectorize_cli_reads_bitcode(bitcode, tmp_path):
    from slpvec.cli import main
    out = tmp_path / "out.ll"
    assert main(["vectorize", str(bitcode), "-o", str(out), "--policy", "greedy"]) == 0
    assert "store <2 x float>" in out.read_text()


def test_bitcode_without_llvm_dis_says_so(bitcode, monkeypatch):
    monkeypatch.setenv("SLPVEC_LLVM_DIS", "no-such-llvm-dis")
    tool_path.cache_clear()
    try:
        with pytest.raises(SlpvecError) as err:
            parse_file(bitcode)
    finally:
        monkeypatch.undo()
        tool_path.cache_clear()
    assert str(err.value) == (f"{bitcode}: is LLVM bitcode, and reading it needs "
                              "no-such-llvm-dis, which is not installed")
