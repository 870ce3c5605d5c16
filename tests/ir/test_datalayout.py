"""DataLayout against LLVM's own: sizes, alignments and struct offsets of a
matrix of types under several datalayouts, checked with llvmlite's target data."""

import llvmlite.binding as llvm
import pytest

from slpvec.ir.datalayout import X86_64_LINUX, DataLayout, LayoutError

LAYOUTS = {
    "x86_64": X86_64_LINUX,
    "i686": "e-m:e-p:32:32-p270:32:32-p271:32:32-p272:64:64-i128:128-f64:32:64-f80:32"
            "-n8:16:32-S128",
    "aarch64": "e-m:e-p270:32:32-p271:32:32-p272:64:64-i8:8:32-i16:16:32-i64:64-i128:128"
               "-n32:64-S128-Fn32",
    "wasm32": "e-m:e-p:32:32-p10:8:8-p20:8:8-i64:64-i128:128-n32:64-S128-ni:1:10:20",
    "armv7": "e-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64",
    "ppc64-big-endian": "E-m:e-Fi64-i64:64-i128:128-n32:64-S128-v256:256:256-v512:512:512",
    "avr": "e-P1-p:16:8-i8:8-i16:8-i32:8-i64:8-f32:8-f64:8-n8:16-a:8",
    "odd": "e-p:64:64:64:32-p1:32:32:32:16-i24:64-v96:32-f80:32-a:0:64",
    "empty": "",
}

SCALARS = ["i1", "i8", "i16", "i24", "i48", "i64", "i128", "i256", "half", "bfloat",
           "float", "double", "x86_fp80", "fp128", "ptr", "ptr addrspace(1)"]
AGGREGATES = [
    "<3 x float>", "<3 x i8>", "<2 x i24>", "<8 x i1>", "<3 x i1>", "<4 x float>",
    "<8 x float>", "<2 x double>", "<3 x double>", "<4 x ptr>", "<2 x i64>",
    "[3 x i24]", "[4 x <3 x float>]", "[0 x i32]", "[5 x x86_fp80]",
    "{ i8, double }", "{ i32, i64 }", "{ i8, <3 x float>, i16 }", "<{ i8, i64 }>",
    "{ i8, { i16, x86_fp80 }, [3 x i8] }", "{ i1, <{ i8, i32 }>, i128 }", "{}",
    "{ [2 x { i8, double }], ptr }", "{ i8 }", "<{}>", "{ i24, <2 x i24>, i48 }",
]
TYPES = SCALARS + AGGREGATES


@pytest.fixture(scope="module")
def llvm_types():
    """Each type of TYPES as an llvmlite type (from a module's globals)."""
    text = "\n".join(f"@g{k} = external global {t}" for k, t in enumerate(TYPES))
    module = llvm.parse_assembly(text)
    return {t: g.global_value_type for t, g in zip(TYPES, module.global_variables)}


@pytest.mark.parametrize("name", LAYOUTS)
def test_sizes_alignments_and_offsets_match_llvm(name, llvm_types):
    text = LAYOUTS[name]
    ours, theirs = DataLayout.parse(text), llvm.create_target_data(text)
    for type_text, llvm_type in llvm_types.items():
        assert (ours.alloc_size(type_text), ours.abi_align(type_text)) == \
            (theirs.get_abi_size(llvm_type), theirs.get_abi_alignment(llvm_type)), type_text
        if type_text.startswith(("{", "<{")):
            offsets = tuple(theirs.get_element_offset(llvm_type, k)
                            for k in range(len(list(llvm_type.elements))))
            assert ours.struct_field_offsets(type_text) == offsets, type_text


def test_store_size_is_bits_rounded_up_to_bytes():
    layout = DataLayout.parse(X86_64_LINUX)
    # (type, store size, alloc size): vectors are bit-packed, then padded
    for type_text, store, alloc in [("i1", 1, 1), ("i24", 3, 4), ("i48", 6, 8),
                                    ("x86_fp80", 10, 16), ("<3 x float>", 12, 16),
                                    ("<3 x i8>", 3, 4), ("<8 x i1>", 1, 1),
                                    ("<2 x i24>", 6, 8), ("{ i32, i8 }", 8, 8)]:
        assert (layout.store_size(type_text), layout.alloc_size(type_text)) == \
            (store, alloc), type_text


def test_pointer_and_index_widths():
    assert (DataLayout.parse("").pointer_bits, DataLayout.parse("").index_bits) == (64, 64)
    i686 = DataLayout.parse(LAYOUTS["i686"])
    assert (i686.pointer_bits, i686.index_bits) == (32, 32)
    odd = DataLayout.parse(LAYOUTS["odd"])
    assert (odd.pointer_bits, odd.index_bits) == (64, 32)
    assert odd.pointer(1).index_bits == 16 and odd.pointer(7) == odd.pointer(0)


def test_parse_is_cached_and_frozen():
    assert DataLayout.parse(X86_64_LINUX) is DataLayout.parse(X86_64_LINUX)
    with pytest.raises(AttributeError):
        DataLayout.parse("").text = "e"  # frozen


@pytest.mark.parametrize("type_text", ["%struct.S", "[2 x %struct.S]", "void", "label",
                                       "<vscale x 4 x float>", 'target("spirv.Image")'])
def test_types_it_cannot_lay_out_raise(type_text):
    with pytest.raises(LayoutError):
        DataLayout.parse(X86_64_LINUX).alloc_size(type_text)


@pytest.mark.parametrize("text", ["e-i64:48", "e-p:64:64:64:128", "e-q8:8", "e-i8:16:8"])
def test_malformed_or_unknown_layouts_raise(text):
    with pytest.raises(LayoutError):
        DataLayout.parse(text)
