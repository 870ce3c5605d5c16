"""Which functions the validator counts as changed between two versions."""

from slpvec.tools.validate_diff import changed_functions, function_bodies

ORIGINAL = """
define void @same(ptr %0, ptr %1) #0 {
  %3 = load float, ptr %1, align 4, !tbaa !5
  store float %3, ptr %0, align 4, !tbaa !5
  ret void
}

define void @"quoted name"(ptr %a) {
entry:
  store i32 1, ptr %a, align 4
  ret void
}

define void @0(ptr %a) {
  store i32 2, ptr %a, align 4
  ret void
}
"""


def test_renamed_values_and_renumbered_metadata_are_unchanged():
    renamed = (ORIGINAL.replace("%3", "%i3").replace("%0", "%out").replace("!5", "!9")
               .replace("#0", "#3").replace("entry:", "bb:  ; preds = %x"))
    assert renamed != ORIGINAL
    assert changed_functions(ORIGINAL, renamed) == set()
    assert set(function_bodies(ORIGINAL)) == {"same", "quoted name", "@0"}


def test_a_different_instruction_or_a_missing_function_is_changed():
    assert changed_functions(ORIGINAL, ORIGINAL.replace("i32 2", "i32 3")) == {"@0"}
    assert changed_functions(ORIGINAL, ORIGINAL.replace("align 4, !tbaa !5\n  ret",
                                                        "align 8, !tbaa !5\n  ret")) == {"same"}
    without = ORIGINAL[:ORIGINAL.index('define void @"quoted')]
    assert changed_functions(ORIGINAL, without) == {"quoted name", "@0"}
