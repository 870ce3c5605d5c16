"""Instructions LLVM prints over several lines (switch) stay one Instr."""

from slpvec.codegen import BlockEmitter, NameGen, assemble
from slpvec.analysis.candidates import CandidateGenerator
from slpvec.ir import parse_module
from slpvec.packs import Pack, PackPlan
from slpvec.target import Target

SWITCH_IR = """
define void @f(ptr noalias %a, ptr noalias %b, i32 %k) {
entry:
  %b0 = load float, ptr %b, align 4
  store float %b0, ptr %a, align 4
  %pb1 = getelementptr inbounds float, ptr %b, i64 1
  %b1 = load float, ptr %pb1, align 4
  %pa1 = getelementptr inbounds float, ptr %a, i64 1
  store float %b1, ptr %pa1, align 4
  switch i32 %k, label %done [
    i32 1, label %one
    i32 2, label %done
  ]
one:
  br label %done
done:
  ret void
}
"""


def test_switch_is_one_instruction_and_survives_codegen():
    module = parse_module(SWITCH_IR)
    entry = module.functions[0].blocks[0]
    assert [i.opcode for i in entry.instrs][-1] == "switch"
    assert len(entry.instrs) == 7
    assert "i32 2, label %done ]" in entry.instrs[-1].text
    fn = module.functions[0]
    gen = CandidateGenerator(entry, Target("x86_64-pc-linux-gnu", "haswell", "", 256), fn)
    plan = PackPlan(entry.id, (Pack((0, 3)), Pack((1, 5))))
    code = BlockEmitter(entry, gen.deps, plan, NameGen(set())).emit()
    out = assemble(module, [code])
    assert out.rejected == () and "store <2 x float>" in out.text
    assert parse_module(out.text).functions[0].blocks[0].instrs[-1].opcode == "switch"


def test_switch_closed_with_metadata_ends_its_instruction():
    # clang prints '  ], !prof !0' after a switch with branch weights; the lines
    # after it were joined into the switch ("cannot align blocks of @f")
    text = SWITCH_IR.replace("    i32 2, label %done\n  ]", "    i32 2, label %done\n  ], !prof !0")
    module = parse_module(text + '!0 = !{!"branch_weights", i32 1, i32 2, i32 3}\n')
    fn = module.functions[0]
    assert [b.label for b in fn.blocks] == ["entry", "one", "done"]
    assert fn.blocks[0].instrs[-1].text.endswith("], !prof !0")
    assert [i.opcode for i in fn.blocks[1].instrs] == ["br"]
