"""Apply per-block vector code to a module, verify it, fall back per block.

A block whose code does not parse or verify is left scalar, with the
verifier's first line as the reason: never wrong IR, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import IRParseError
from ..ir import Block, Module
from ..ir.instr_text import read_instr_text
from ..ir.parser import DEBUG_RECORD, parse_llvm
from .block import BlockCode

_VALUE_REF = re.compile(r'%(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)')


@dataclass(frozen=True)
class ModuleCode:
    """The vectorized module text and which block codes made it in."""

    text: str
    applied: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]  # (block id, reason)


def splice(module: Module, codes: list[BlockCode]) -> str:
    """Module text with each coded block's instruction lines replaced.

    Debug records (``#dbg_value(...)``) between a coded block's instructions go
    with them; a record elsewhere in the function that names a value the new
    code no longer defines is dropped too, so the module still verifies.
    """
    lines = module.text.split("\n")
    blocks = {block.id: block for block in module.blocks()}
    replace: dict[int, tuple[int, list[str]]] = {}  # first index -> (end, new lines)
    drop: set[int] = set()  # debug records that would name a vanished value
    for code in codes:
        block = blocks[code.block_id]
        replace[block.instrs[0].line - 1] = (block.instrs[-1].end_line,
                                             ["  " + ln for ln in code.lines])
        gone = _vanished_values(block, code)
        if gone:
            drop |= {n for n in _function_body(lines, block)
                     if lines[n].lstrip().startswith(DEBUG_RECORD)
                     and gone & set(_VALUE_REF.findall(lines[n]))}
    insert: dict[int, list[str]] = {}
    for code in codes:  # loop-invariant vectors: before the preheader's terminator
        if code.preheader_lines:
            _insert_before_terminator(replace, insert, blocks[code.preheader_id],
                                      ["  " + ln for ln in code.preheader_lines])
    out: list[str] = []
    n = 0
    while n < len(lines):
        out.extend(insert.get(n, ()))
        if n in replace:
            n, new = replace[n]
            out.extend(new)
            continue
        if n not in drop:
            out.append(lines[n])
        n += 1
    return "\n".join(out)


def _insert_before_terminator(replace: dict[int, tuple[int, list[str]]],
                              insert: dict[int, list[str]], block: Block,
                              new: list[str]) -> None:
    """Put ``new`` before ``block``'s terminator: into its new code if it has
    some (``replace``: the terminator is its last line), else before the
    terminator's original line (``insert``: line index -> lines before it)."""
    first = block.instrs[0].line - 1
    if first in replace:
        end, lines = replace[first]
        replace[first] = (end, lines[:-1] + new + lines[-1:])
    else:
        insert.setdefault(block.instrs[-1].line - 1, []).extend(new)


def _vanished_values(block: Block, code: BlockCode) -> set[str]:
    """References (``%x``) of the block's values that its new code does not define."""
    defined = {"%" + read_instr_text("", line).result for line in code.lines}
    return {ins.ref for ins in block.instrs if ins.name} - defined


def _function_body(lines: list[str], block: Block) -> range:
    """Line indices between the header and the closing brace of the block's function."""
    first = block.instrs[0].line - 1
    while not lines[first].startswith("define "):
        first -= 1
    last = block.instrs[-1].end_line
    while lines[last] != "}":
        last += 1
    return range(first + 1, last)


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
