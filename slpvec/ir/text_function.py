"""A function's blocks built from its canonical text alone (no llvmlite walk).

:func:`read_blocks` resolves the operands :mod:`slpvec.ir.operand_text`
reads: ``%x`` to an instruction of the function (LOCAL in its own block,
else VALUE) or an argument, ``label %x`` to a block, ``@g`` to a global of
the module, anything else to a constant. It raises Unsupported for what it
cannot resolve; :mod:`slpvec.ir.parser` then reads the function through
llvmlite, and a test holds both readers to the same Module.
"""

from __future__ import annotations

from typing import Callable, Sequence

from . import opcodes
from .globals import GlobalTable
from .instr_text import read_instr_text
from .operand_text import Unsupported, read_operands
from .types import (value_ref, unescape_name, GLOBAL, LABEL, LOCAL, VALUE, Block, Instr,
                    Operand)


def make_instr(idx: int, opcode: str, rtype: str, line, operands: Sequence[Operand],
               immarg_positions: Callable[[], tuple[int, ...]]) -> Instr:
    """The Instr of ``line`` (start, text, end) with its operands;
    ``immarg_positions()``: the callee's immarg parameter positions, asked
    only for a call of a global."""
    facts = read_instr_text(opcode, line.text)
    callee, immargs = "", ()
    if opcode in ("call", "invoke", "callbr") and operands and operands[-1].kind == GLOBAL:
        callee = operands[-1].text[1:]
        immargs = tuple((pos, operands[pos].text) for pos in immarg_positions()
                        if pos < len(operands) - 1)
    return Instr(idx=idx, opcode=opcode, type=rtype, operands=tuple(operands),
                 name=unescape_name(facts.result), text=line.text,
                 kind=opcodes.classify(opcode, callee, facts.ordered), callee=callee,
                 line=line.start, end_line=line.end, predicate=facts.predicate,
                 flags=facts.flags, immargs=immargs, align=facts.align,
                 metadata=facts.metadata, source_type=facts.source_type)


def read_blocks(name: str, text_blocks, labels: list[str], args: dict[str, str],
                globals_: GlobalTable) -> tuple[Block, ...]:
    """The blocks of function ``name`` from its text blocks ([(label,
    [lines])]) and ``labels`` (as the model names them); ``args``: argument
    name -> type. Raises Unsupported."""
    read = [[read_operands(line.text) for line in lines] for _, lines in text_blocks]
    home: dict[str, tuple[int, int]] = {}
    for b, (_, lines) in enumerate(text_blocks):
        for i, line in enumerate(lines):
            result = line.text.split(" = ", 1)[0] if line.text.startswith("%") else ""
            if result:
                home[result] = (b, i)
    label_refs = {value_ref(label) for label in labels}
    live: list[set[int]] = [set() for _ in text_blocks]
    blocks = []
    for b, ((_, lines), instrs) in enumerate(zip(text_blocks, read)):
        out = []
        for i, (line, instr) in enumerate(zip(lines, instrs)):
            in_phi = instr.opcode == "phi"
            operands = [_operand(type_text, value, b, in_phi, home, args, label_refs, live,
                                 globals_) for type_text, value in instr.operands]
            callee = instr.operands[-1][1] if instr.opcode == "call" else ""
            out.append(make_instr(i, instr.opcode, instr.type, line, operands,
                                  lambda: globals_.immarg_positions_of(callee)))
        blocks.append(out)
    return tuple(Block(name, labels[b], tuple(instrs), tuple(sorted(live[b])))
                 for b, instrs in enumerate(blocks))


def _operand(type_text: str, value: str, block: int, in_phi: bool, home, args, label_refs,
             live, globals_: GlobalTable) -> Operand:
    # read_operands refuses quoted names, so a printed reference is already
    # the model's (value_ref of its unescaped name)
    if type_text == "label":
        if value not in label_refs:
            raise Unsupported(value)
        return Operand(LABEL, "label", value)
    if value[0] == "%":
        where = home.get(value)
        if where is not None:
            b, i = where
            if b != block or in_phi:
                live[b].add(i)
            return Operand(LOCAL, type_text, value, i) if b == block else Operand(
                VALUE, type_text, value)
        if args.get(value[1:]) != type_text:
            raise Unsupported(value)
        return Operand(VALUE, type_text, value)
    if value[0] == "@":
        try:
            return globals_.operand_of(value)
        except LookupError:
            raise Unsupported(value) from None
    return globals_.constant_operand(type_text, value)


__all__ = ["make_instr", "read_blocks", "Unsupported"]
