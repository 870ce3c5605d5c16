"""Post-vectorization cleanup with llvmlite's pass builder (instcombine + DCE)."""

from __future__ import annotations

import functools

import llvmlite.binding as llvm

from ..ir.parser import parse_llvm


@functools.cache
def _init_native() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def cleanup(text: str) -> str:
    """Run instcombine and dead-code elimination; returns verified IR text.

    Removes the scalar GEPs and extracts codegen left unused and folds
    trivial shuffles. Raises IRParseError if the input does not verify.
    """
    _init_native()
    mod = parse_llvm(text, "<vectorized>")
    target = llvm.Target.from_triple(mod.triple or llvm.get_process_triple())
    machine = target.create_target_machine()
    builder = llvm.create_pass_builder(machine, llvm.create_pipeline_tuning_options())
    manager = llvm.create_new_module_pass_manager()
    manager.add_instruction_combine_pass()
    manager.add_dead_code_elimination_pass()
    manager.run(mod, builder)
    mod.verify()
    return str(mod)
