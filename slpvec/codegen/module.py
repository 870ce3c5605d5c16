"""Apply per-block vector code to a module, verify it, fall back per block.

A block whose code does not parse or verify is left scalar, with the
verifier's first line as the reason: never wrong IR, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IRParseError
from ..ir import Module
from ..ir.parser import parse_llvm
from .block import BlockCode


@dataclass(frozen=True)
class ModuleCode:
    """The vectorized module text and which block codes made it in."""

    text: str
    applied: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]  # (block id, reason)


def splice(module: Module, codes: list[BlockCode]) -> str:
    """Module text with each coded block's instruction lines replaced."""
    lines = module.text.split("\n")
    spans = {}
    for block in module.blocks():
        if block.instrs:
            spans[block.id] = (block.instrs[0].line, block.instrs[-1].line)
    for code in sorted(codes, key=lambda c: spans[c.block_id][0], reverse=True):
        start, end = spans[code.block_id]
        if lines[end - 1].rstrip().endswith("["):  # switch printed over several lines
            while lines[end - 1].strip() != "]":
                end += 1
        lines[start - 1:end] = ["  " + ln for ln in code.lines]
    return "\n".join(lines)


def _verifies(text: str) -> str:
    """'' if the text parses and verifies, else a one-line reason."""
    try:
        parse_llvm(text, "<vectorized>")
    except IRParseError as err:
        return str(err).split(": malformed LLVM IR: ", 1)[-1]
    return ""


def assemble(module: Module, codes: list[BlockCode]) -> ModuleCode:
    """Splice all block codes in; if the result fails verification, add them
    one at a time and keep only those that verify."""
    if not codes:
        return ModuleCode(module.text, (), ())
    text = splice(module, codes)
    if not _verifies(text):
        return ModuleCode(text, tuple(c.block_id for c in codes), ())
    kept: list[BlockCode] = []
    rejected = []
    for code in codes:
        reason = _verifies(splice(module, kept + [code]))
        if reason:
            rejected.append((code.block_id, f"verification failed: {reason}"))
        else:
            kept.append(code)
    return ModuleCode(splice(module, kept), tuple(c.block_id for c in kept), tuple(rejected))
