"""Parse LLVM IR text into the frozen model of :mod:`slpvec.ir.types`.

llvmlite parses and verifies the module; its own printing becomes the
canonical text, and each instruction's ``text`` is the matching line of it.
A function's instructions and operands are read from that text
(:mod:`slpvec.ir.text_function`, no FFI call per operand); a function with
anything that reader does not know is read through llvmlite's values instead,
operand identities by value reference (pointer identity), so unnamed values
(``%5``) are handled like named ones either way.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

import llvmlite.binding as llvm

from ..errors import (InternalError, IRParseError, SlpvecError, ToolFailedError,
                      ToolNotFoundError)
from . import opcodes
from .datalayout import effective_layout
from .globals import FUNCTION_REF, GlobalTable, function_name
from .instr_text import read_instr_text
from .text_function import Unsupported, make_instr, read_blocks
from .typesize import NAMED_TYPE_NAME
from .types import (value_ref, unescape_name, BARRIER, CONST, GLOBAL, LABEL, LOCAL, META,
                    PHI, VALUE, Block, Function, Module, Operand)

_ERROR_LOCATION = re.compile(r"<string>:(\d+):(\d+): error: (.*)")
_LABEL_LINE = re.compile(r'^("(?:[^"\\]|\\.)*"|[-\w.$]+):')
_STRING_ATTR = re.compile(r'"([^"]+)"="([^"]*)"')
# Set (to anything) to read every function both from its text and through
# llvmlite, failing on any difference: how tests hold the fast text reader to
# the reference one on all the IR they parse.
CHECK_TEXT_READER = "SLPVEC_CHECK_TEXT_READER"
DEBUG_RECORD = "#dbg_"  # `#dbg_value(...)` lines of -g IR: not instructions
_BITCODE_MAGIC = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")  # raw, and the wrapper 0x0B17C0DE

_VALUE_KINDS_CONST = {"constant_int", "constant_fp", "constant_data_vector",
                      "constant_data_array", "constant_vector", "constant_array",
                      "constant_struct", "constant_aggregate_zero",
                      "constant_pointer_null", "undef_value", "poison_value",
                      "constant_expr", "constant_token_none",
                      "constant_target_none"}


def _parse_error(exc: Exception, source: str) -> IRParseError:
    """Turn llvmlite's multi-line error into a one-line IRParseError."""
    message = str(exc)
    match = _ERROR_LOCATION.search(message)
    if match:
        return IRParseError(match.group(3).strip(), int(match.group(1)), source)
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    detail = next((ln for ln in lines if "error" in ln.lower() and "parsing" not in ln.lower()),
                  lines[-1] if lines else "unknown error")
    return IRParseError(detail, None, source)


def parse_llvm(text: str, source: str = "<input>") -> llvm.ModuleRef:
    """Parse and verify IR text with llvmlite; raises IRParseError (one line)."""
    if not text.strip():
        raise IRParseError("empty input", None, source)
    if "\0" in text:  # LLVM reads a C string: everything after a NUL would vanish
        at = text.index("\0")
        raise IRParseError(f"NUL byte at byte offset {len(text[:at].encode())}",
                           text.count("\n", 0, at) + 1, source)
    try:
        mod = llvm.parse_assembly(text)
    except RuntimeError as exc:
        raise _parse_error(exc, source) from None
    try:
        mod.verify()
    except RuntimeError as exc:
        raise IRParseError(" ".join(str(exc).split())[:300], None, source) from None
    return mod


def _function_bodies(lines: list[str]) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """[(function name, header line index, [(line number, body line)])], in
    module order."""
    bodies = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("define "):
            match = FUNCTION_REF.search(line)
            header = i
            body = []
            i += 1
            while i < len(lines) and lines[i] != "}":
                body.append((i + 1, lines[i]))
                i += 1
            bodies.append((function_name(match.group(1)) if match else "", header, body))
        i += 1
    return bodies


class _Line(NamedTuple):
    """One instruction of the text: first line number, text, last line number."""

    start: int
    text: str
    end: int


def _split_blocks(body: list[tuple[int, str]]) -> list[tuple[str, list[_Line]]]:
    """Group body lines into (label, [instruction lines]).

    Instructions start at two spaces of indentation. LLVM prints a few over
    several lines: switch/indirectbr cases between ``[`` and a closing ``  ]``,
    invoke destinations and landingpad clauses deeper indented; those lines
    join the instruction. Debug records (``#dbg_value(...)``) are skipped.
    """
    blocks: list[tuple[str, list[_Line]]] = []
    in_brackets = False
    for number, line in body:
        stripped = line.strip()
        if stripped.startswith(DEBUG_RECORD):
            continue
        continuation = in_brackets or (line.startswith("   ") and blocks and blocks[-1][1])
        if continuation and stripped and not stripped.startswith(";"):
            start, text, _ = blocks[-1][1][-1]
            blocks[-1][1][-1] = _Line(start, f"{text} {stripped}", number)
            if in_brackets:
                in_brackets = not stripped.startswith("]")  # "]" or "], !prof !0"
            continue
        if not stripped or stripped.startswith(";"):
            continue
        if not line.startswith(" "):
            match = _LABEL_LINE.match(line)
            blocks.append((unescape_name(match.group(1)) if match else "", []))
            continue
        if not blocks:
            blocks.append(("", []))
        blocks[-1][1].append(_Line(number, stripped, number))
        in_brackets = stripped.endswith("[")
    return blocks


def _labels(text_blocks: list[tuple[str, list[_Line]]]) -> list[str]:
    """Block labels; an unnamed block gets ``bb<k>`` (made unique)."""
    taken = {label for label, _ in text_blocks}
    labels = []
    for b, (label, _) in enumerate(text_blocks):
        if not label:
            label = f"bb{b}"
            while label in taken:
                label += ".0"
            taken.add(label)
        labels.append(label)
    return labels


class _FunctionParser:
    """Builds one Function in a single pass over llvmlite's objects.

    FFI calls dominate parse time, so each value is queried once: operand
    types of instructions and arguments come from tables filled beforehand.
    """

    def __init__(self, fn: llvm.ValueRef, name: str, header: str,
                 text_blocks: list[tuple[str, list[_Line]]], globals_: GlobalTable,
                 data_layout: str = "", source: str = "<input>",
                 named_types: tuple[tuple[str, str], ...] = ()):
        self.fn = fn
        self.named_types = named_types
        self.name = name
        self.source = source
        self.header = header
        self.text_blocks = text_blocks
        self.globals = globals_
        self.data_layout = data_layout
        self.where: dict[llvm.ValueRef, tuple[int, int, str, str]] = {}  # b, i, name, type
        self.args: dict[llvm.ValueRef, tuple[str, str]] = {}  # name, type
        self.unknown: list[tuple[str, str, int, str]] = []

    def parse(self) -> Function:
        labels = _labels(self.text_blocks)
        self._read_args()
        try:
            out = read_blocks(self.name, self.text_blocks, labels, dict(self.args.values()),
                              self.globals)
            if os.environ.get(CHECK_TEXT_READER) and out != self._llvm_blocks(labels):
                raise InternalError(f"the text reader and llvmlite disagree on @{self.name}")
        except Unsupported:
            out = self._llvm_blocks(labels)
        attr_text = " ".join(a.decode() for a in self.fn.attributes)
        attrs = tuple(_STRING_ATTR.findall(attr_text))
        args = tuple(Operand(VALUE, t, value_ref(n)) for n, t in self.args.values())
        return Function(self.name, self.header, out, args, attrs,
                        noalias_args=self._noalias_args(), data_layout=self.data_layout,
                        named_types=self.named_types,
                        optnone="optnone" in _STRING_ATTR.sub("", attr_text).split())

    def _llvm_blocks(self, labels: list[str]) -> tuple[Block, ...]:
        """The blocks read through llvmlite's values (any instruction)."""
        llvm_blocks = list(self.fn.blocks)
        if len(llvm_blocks) != len(self.text_blocks):
            raise IRParseError(f"cannot align blocks of @{self.name}", None, self.source)
        instructions = self._number_values(llvm_blocks)
        self.block_labels = dict(zip(llvm_blocks, labels))
        live: list[set[int]] = [set() for _ in llvm_blocks]
        blocks = []
        for b, block_instrs in enumerate(instructions):
            instrs = []
            for i, (ins, opcode, rtype) in enumerate(block_instrs):
                if opcode not in opcodes.KNOWN_OPCODES:
                    self.unknown.append((self.name, labels[b], i, opcode))
                operands = [self._operand(op, b, opcode == "phi", live) for op in ins.operands]
                instrs.append(make_instr(
                    i, opcode, rtype, self.text_blocks[b][1][i], operands,
                    lambda ins=ins: self.globals.immarg_positions(list(ins.operands)[-1])))
            blocks.append(instrs)
        return tuple(Block(self.name, labels[b], tuple(instrs), tuple(sorted(live[b])))
                     for b, instrs in enumerate(blocks))

    def _read_args(self) -> None:
        slot = 0
        for arg in self.fn.arguments:
            name = arg.name
            if not name:
                name, slot = str(slot), slot + 1
            self.args[arg] = (name, str(arg.type))

    def _number_values(self, llvm_blocks) -> list[list[tuple]]:
        out = []
        for b, (llvm_block, (_, lines)) in enumerate(zip(llvm_blocks, self.text_blocks)):
            block = [(ins, ins.opcode, str(ins.type)) for ins in llvm_block.instructions]
            if len(block) != len(lines):
                raise IRParseError(f"cannot align instructions of @{self.name}", None,
                                   self.source)
            for i, ((ins, _, rtype), line) in enumerate(zip(block, lines)):
                result = read_instr_text("", line.text).result
                self.where[ins] = (b, i, unescape_name(result), rtype)
            out.append(block)
        return out

    def _noalias_args(self) -> tuple[str, ...]:
        return tuple(value_ref(name) for arg, (name, _) in self.args.items()
                     if any(attr == b"noalias" for attr in arg.attributes))

    def _operand(self, op: llvm.ValueRef, block: int, in_phi: bool,
                 live: list[set[int]]) -> Operand:
        home = self.where.get(op)
        if home is not None:
            b, i, name, type_text = home
            if b != block or in_phi:
                live[b].add(i)
            if b == block:
                return Operand(LOCAL, type_text, value_ref(name), i)
            return Operand(VALUE, type_text, value_ref(name))
        if op in self.args:
            name, type_text = self.args[op]
            return Operand(VALUE, type_text, value_ref(name))
        kind = op.value_kind.name
        if kind == "basic_block":
            return Operand(LABEL, "label", value_ref(self.block_labels.get(op, op.name)))
        if kind in ("global_variable", "function", "global_alias", "global_ifunc"):
            return self.globals.operand(op)
        type_text = str(op.type)
        if kind in _VALUE_KINDS_CONST:
            text = str(op)
            if text.startswith(type_text + " "):
                text = text[len(type_text) + 1:]
            if kind == "constant_expr":
                return self.globals.constant_operand(type_text, text)
            return Operand(CONST, type_text, text)
        return Operand(META, type_text, str(op).strip())


def _labelled_blocks(canonical: str):
    """(function name, [(block label, [instruction lines])]) per defined
    function of canonical IR text, labels as :func:`parse_module` gives them."""
    for name, _, body in _function_bodies(canonical.splitlines()):
        text_blocks = _split_blocks(body)
        yield name, [(label, lines) for label, (_, lines) in zip(_labels(text_blocks),
                                                                 text_blocks)]


def block_layout(canonical: str) -> dict[str, list[tuple[str, int]]]:
    """Function -> [(block label, instruction count)] from canonical IR text alone.

    Names and labels match :func:`parse_module`'s (``bb<k>`` for an unnamed
    block). Cheap: no llvmlite objects, for pricing text that need not be analysed.
    """
    return {name: [(label, len(lines)) for label, lines in blocks]
            for name, blocks in _labelled_blocks(canonical)}


def numbered_values_in_text(canonical: str) -> bool:
    """True if a function of canonical IR text has an unnamed instruction or
    block (``%5 = ...``, ``5:``): the text-only twin of
    :func:`slpvec.driver.has_numbered_values` (the entry block's missing
    label does not count), so naming can be decided before building a Module."""
    for _, blocks in _labelled_blocks(canonical):
        for label, lines in blocks:
            if label.isdigit() or any(
                    unescape_name(read_instr_text("", line.text).result).isdigit()
                    for line in lines):
                return True
    return False


# An identified struct type's definition line: `%struct.S = type { double, double }`.
_TYPE_DEFINITION = re.compile(rf"^({NAMED_TYPE_NAME}) = type (.+)$")

def parse_module(text: str, source: str = "<input>") -> Module:
    """Parse LLVM IR text into a :class:`Module`.

    Raises :class:`IRParseError` (one line, naming the input line) when the
    text is not valid IR. Never drops an instruction: unknown constructs are
    kept as barriers and listed in ``Module.unknown``.
    """
    return module_from_llvm(parse_llvm(text, source), source)


def module_from_llvm(mod: llvm.ModuleRef, source: str = "<input>",
                     canonical: str | None = None) -> Module:
    """The :class:`Module` of an llvmlite module already parsed and verified
    (``canonical``: ``str(mod)`` if the caller has it)."""
    canonical = str(mod) if canonical is None else canonical
    lines = canonical.splitlines()
    globals_ = GlobalTable(mod, lines, source)
    bodies = _function_bodies(lines)
    named_types = tuple(m.groups() for m in map(_TYPE_DEFINITION.match, lines) if m)
    defined = [fn for fn in mod.functions if not fn.is_declaration]
    if len(defined) != len(bodies):
        raise IRParseError("cannot match function bodies to the module's functions", None,
                           source)
    functions, unknown = [], []
    for fn, (name, header_index, body) in zip(defined, bodies):
        if fn.name and fn.name != unescape_name(name):
            raise IRParseError(f"cannot find the body of @{fn.name}", None, source)
        parser = _FunctionParser(fn, name, lines[header_index], _split_blocks(body),
                                 globals_, effective_layout(mod.data_layout, mod.triple),
                                 source, named_types)
        functions.append(parser.parse())
        unknown.extend(parser.unknown)
    return Module(text=canonical, triple=mod.triple, data_layout=mod.data_layout,
                  functions=tuple(functions), unknown=tuple(unknown))


def read_ir_file(path) -> str:
    """The IR text of a ``.ll`` file, or of a bitcode file (through llvm-dis-22).

    Raises a one-line SlpvecError naming the file when it cannot be read, is
    not text, or is bitcode that cannot be disassembled.
    """
    from pathlib import Path
    from ..toolchain import run_tool
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IRParseError(f"cannot read: {exc.strerror}", None, str(path)) from None
    if data[:4] in _BITCODE_MAGIC:
        try:
            return run_tool("llvm-dis", [str(path), "-o", "-"]).stdout
        except ToolNotFoundError as exc:
            raise SlpvecError(f"{path}: is LLVM bitcode, and reading it needs "
                              f"{exc.tool}, which is not installed") from None
        except ToolFailedError as exc:
            raise IRParseError(f"bitcode that cannot be read ({exc})", None, str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IRParseError(f"cannot read: not a text file (byte {exc.start} is not UTF-8)",
                           None, str(path)) from None


def parse_file(path) -> Module:
    """Read and parse a ``.ll`` or bitcode file (errors name the file and line)."""
    return parse_module(read_ir_file(path), str(path))


__all__ = ["parse_module", "module_from_llvm", "numbered_values_in_text", "parse_file",
           "parse_llvm", "read_ir_file", "BARRIER", "PHI",
           "META"]
