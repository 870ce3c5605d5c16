"""LLVM passes run in-process through llvmlite's new pass manager."""

from __future__ import annotations

import functools

import llvmlite.binding as llvm

from .ir import Module
from .ir.parser import module_from_llvm, numbered_values_in_text, parse_llvm

_PASSES = {
    "instcombine": "add_instruction_combine_pass",
    "dce": "add_dead_code_elimination_pass",
    "instnamer": "add_instruction_namer_pass",
}


@functools.cache
def _init_native() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def run_passes(text: str, passes: tuple[str, ...]) -> str:
    """Run ``passes`` (names of :data:`_PASSES`) over IR text; returns verified text.

    Raises IRParseError if the input does not parse or verify.
    """
    mod = parse_llvm(text, "<passes>")
    _run_on(mod, passes)
    return str(mod)


def _run_on(mod: llvm.ModuleRef, passes: tuple[str, ...]) -> None:
    """Run ``passes`` over a parsed module in place, then verify it."""
    _init_native()
    target = llvm.Target.from_triple(mod.triple or llvm.get_process_triple())
    builder = llvm.create_pass_builder(target.create_target_machine(),
                                       llvm.create_pipeline_tuning_options())
    manager = llvm.create_new_module_pass_manager()
    for name in passes:
        getattr(manager, _PASSES[name])()
    manager.run(mod, builder)
    mod.verify()


def cleanup(text: str) -> str:
    """Dead-code elimination: drops the scalar GEPs codegen left unused.

    Deliberately not instcombine: it also rewrites blocks nobody vectorized
    (sinking, hoisting, re-canonicalising), which moves cost between blocks
    and would credit or blame a policy for changes it did not make. DCE only
    deletes unused instructions, so an untouched block keeps its cost.
    """
    return run_passes(text, ("dce",))


def name_values(text: str) -> str:
    """Give every unnamed value a name (``%5`` -> ``%i5``-style, LLVM's instnamer).

    Codegen reorders and removes instructions; LLVM requires numbered values
    to appear in sequence, so vectorization works on named values only.
    """
    return run_passes(text, ("instnamer",))


def parse_named_module(text: str, source: str = "<input>") -> Module:
    """``parse_module(name_values(text))`` when the text has numbered values,
    else ``parse_module(text)``, with one LLVM parse: the instnamer runs on the
    module already in memory. Raises IRParseError for text that is not valid IR.
    """
    mod = parse_llvm(text, source)
    canonical = str(mod)
    if not numbered_values_in_text(canonical):
        return module_from_llvm(mod, source, canonical)
    _run_on(mod, ("instnamer",))
    return module_from_llvm(mod, source)
