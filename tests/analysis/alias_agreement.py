"""Our no-alias claims against LLVM's: every pair of accesses of one block
that :func:`slpvec.analysis.address.may_alias` calls independent must be
``NoAlias`` in ``opt-22 -passes=aa-eval -print-all-alias-modref-info``
(BasicAA, scoped noalias and TBAA, on each pointer with its access type)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from slpvec.analysis.address import AddressAnalysis, may_alias
from slpvec.ir import Module
from slpvec.ir.types import LOAD, STORE

_FUNCTION = re.compile(r"^Function: .*: \d+ pointers, \d+ call sites$")
_RESULT = re.compile(r"^\s+(NoAlias|MayAlias|PartialAlias|MustAlias):\t(.*)$")


@dataclass
class Agreement:
    """Counts of our no-alias claims: ``confirmed`` by LLVM, ``contradicted``
    (LLVM says another answer; listed), ``unmatched`` (no aa-eval line)."""

    confirmed: int = 0
    contradicted: list[tuple[str, str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)


def llvm_alias_results(module_text: str, timeout: float | None = None) -> list[dict[str, str]]:
    """Per defined function, in module order: ``"t1* v1, t2* v2"`` -> result.
    aa-eval prints every pair of a function's pointers: a function of
    thousands takes minutes (``subprocess.TimeoutExpired`` after ``timeout``)."""
    run = subprocess.run(["opt-22", "-passes=aa-eval", "-print-all-alias-modref-info",
                          "-disable-output", "-"], input=module_text, capture_output=True,
                         text=True, check=True, timeout=timeout)
    functions: list[dict[str, str]] = []
    for line in run.stderr.splitlines():
        if _FUNCTION.match(line):
            functions.append({})
        elif functions and (match := _RESULT.match(line)):
            functions[-1][match.group(2)] = match.group(1)
    return functions


def _accesses(block, addresses):
    for ins in block.instrs:
        if ins.idx in addresses and ins.kind in (LOAD, STORE):
            pointer, value_type = ((ins.operands[0], ins.type) if ins.kind == LOAD
                                   else (ins.operands[1], ins.operands[0].type))
            yield addresses[ins.idx], f"{value_type}* {pointer.text}"


def check_agreement(module: Module, timeout: float | None = None) -> Agreement:
    """Compare every pair of accesses we call independent with LLVM's answer."""
    found = Agreement()
    results = llvm_alias_results(module.text, timeout)
    assert len(results) == len(module.functions)
    for fn, llvm in zip(module.functions, results):
        for block in fn.blocks:
            accesses = list(_accesses(block, AddressAnalysis(block, fn).addresses()))
            for j, (b, b_text) in enumerate(accesses):
                for a, a_text in accesses[:j]:
                    if may_alias(a, b):
                        continue
                    answer = llvm.get(f"{a_text}, {b_text}") or llvm.get(f"{b_text}, {a_text}")
                    if answer == "NoAlias":
                        found.confirmed += 1
                    elif answer is None:
                        found.unmatched.append((block.id, f"{a_text} / {b_text}"))
                    else:
                        found.contradicted.append((block.id, f"{a_text} / {b_text}", answer))
    return found
