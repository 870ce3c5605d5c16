"""Parse LLVM IR text into the frozen model of :mod:`slpvec.ir.types`.

llvmlite parses and verifies the module; its own printing becomes the
canonical text, and each instruction's ``text`` is the matching line of it.
Operand identities come from llvmlite value references (pointer identity),
so unnamed values (``%5``) are handled like named ones.
"""

from __future__ import annotations

import re

import llvmlite.binding as llvm

from ..errors import IRParseError
from . import opcodes
from .types import (value_ref, BARRIER, CONST, GLOBAL, LABEL, LOCAL, META, PHI, VALUE,
                    Block, Function, Instr, Module, Operand)

_ERROR_LOCATION = re.compile(r"<string>:(\d+):(\d+): error: (.*)")
_LHS = re.compile(r'^%("(?:[^"\\]|\\.)*"|[-\w.$]+) = ')
_LABEL_LINE = re.compile(r'^("(?:[^"\\]|\\.)*"|[-\w.$]+):')
_STRING_ATTR = re.compile(r'"([^"]+)"="([^"]*)"')
_FUNC_NAME = re.compile(r'@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(')

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
    try:
        mod = llvm.parse_assembly(text)
    except RuntimeError as exc:
        raise _parse_error(exc, source) from None
    try:
        mod.verify()
    except RuntimeError as exc:
        raise IRParseError(" ".join(str(exc).split())[:300], None, source) from None
    return mod


def _function_bodies(lines: list[str]) -> dict[str, tuple[int, list[tuple[int, str]]]]:
    """Map function name -> (header line index, [(line number, body line)])."""
    bodies: dict[str, tuple[int, list[tuple[int, str]]]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("define "):
            match = _FUNC_NAME.search(line)
            name = _unquote(match.group(1)) if match else ""
            body = []
            i += 1
            while i < len(lines) and lines[i] != "}":
                body.append((i + 1, lines[i]))
                i += 1
            bodies[name] = (i - len(body) - 1, body)
        i += 1
    return bodies


def _split_blocks(body: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Group body lines into (label, [(line number, instruction text)]).

    Instructions start at two spaces of indentation. LLVM prints a few over
    several lines: switch/indirectbr cases between ``[`` and a closing ``  ]``,
    landingpad clauses deeper indented; those lines join the instruction.
    """
    blocks: list[tuple[str, list[tuple[int, str]]]] = []
    in_brackets = False
    for number, line in body:
        stripped = line.strip()
        continuation = in_brackets or (line.startswith("   ") and blocks and blocks[-1][1])
        if continuation and stripped and not stripped.startswith(";"):
            number0, text = blocks[-1][1][-1]
            blocks[-1][1][-1] = (number0, f"{text} {stripped}")
            if in_brackets:
                in_brackets = stripped != "]"
            continue
        if not stripped or stripped.startswith(";"):
            continue
        if not line.startswith(" "):
            match = _LABEL_LINE.match(line)
            blocks.append((_unquote(match.group(1)) if match else "", []))
            continue
        if not blocks:
            blocks.append(("", []))
        blocks[-1][1].append((number, stripped))
        in_brackets = stripped.endswith("[")
    return blocks


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name


class _FunctionParser:
    """Builds one Function in a single pass over llvmlite's objects.

    FFI calls dominate parse time, so each value is queried once: operand
    types of instructions and arguments come from tables filled beforehand.
    """

    def __init__(self, fn: llvm.ValueRef, header: str,
                 text_blocks: list[tuple[str, list[tuple[int, str]]]], source: str = "<input>"):
        self.fn = fn
        self.source = source
        self.header = header
        self.text_blocks = text_blocks
        self.where: dict[llvm.ValueRef, tuple[int, int, str, str]] = {}  # b, i, name, type
        self.args: dict[llvm.ValueRef, tuple[str, str]] = {}  # name, type
        self.unknown: list[tuple[str, str, int, str]] = []

    def parse(self) -> Function:
        llvm_blocks = list(self.fn.blocks)
        if len(llvm_blocks) != len(self.text_blocks):
            raise IRParseError(f"cannot align blocks of @{self.fn.name}", None, self.source)
        instructions = self._number_values(llvm_blocks)
        labels = [label or f"bb{b}" for b, (label, _) in enumerate(self.text_blocks)]
        self.block_labels = dict(zip(llvm_blocks, labels))
        live: list[set[int]] = [set() for _ in llvm_blocks]
        blocks = []
        for b, block_instrs in enumerate(instructions):
            instrs = []
            for i, (ins, opcode, rtype) in enumerate(block_instrs):
                number, text = self.text_blocks[b][1][i]
                operands = tuple(self._operand(op, b, opcode == "phi", live)
                                 for op in ins.operands)
                callee = operands[-1].text[1:] if (
                    opcode in ("call", "invoke", "callbr") and operands
                    and operands[-1].kind == GLOBAL) else ""
                kind = opcodes.classify(opcode, callee, text)
                if opcode not in opcodes.KNOWN_OPCODES:
                    self.unknown.append((self.fn.name, labels[b], i, opcode))
                instrs.append(Instr(idx=i, opcode=opcode, type=rtype, operands=operands,
                                    name=self.where[ins][2], text=text, kind=kind,
                                    callee=callee, line=number))
            blocks.append(instrs)
        out = tuple(Block(self.fn.name, labels[b], tuple(instrs), tuple(sorted(live[b])))
                    for b, instrs in enumerate(blocks))
        attrs = tuple(_STRING_ATTR.findall(" ".join(a.decode() for a in self.fn.attributes)))
        args = tuple(Operand(VALUE, t, value_ref(n)) for n, t in self.args.values())
        return Function(self.fn.name, self.header, out, args, attrs,
                        noalias_args=self._noalias_args())

    def _number_values(self, llvm_blocks) -> list[list[tuple]]:
        slot = 0
        for arg in self.fn.arguments:
            name = arg.name
            if not name:
                name, slot = str(slot), slot + 1
            self.args[arg] = (name, str(arg.type))
        out = []
        for b, (llvm_block, (_, lines)) in enumerate(zip(llvm_blocks, self.text_blocks)):
            block = [(ins, ins.opcode, str(ins.type)) for ins in llvm_block.instructions]
            if len(block) != len(lines):
                raise IRParseError(f"cannot align instructions of @{self.fn.name}", None,
                                   self.source)
            for i, ((ins, _, rtype), (_, text)) in enumerate(zip(block, lines)):
                match = _LHS.match(text)
                self.where[ins] = (b, i, _unquote(match.group(1)) if match else "", rtype)
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
            return Operand(GLOBAL, "ptr", f"@{op.name}")
        type_text = str(op.type)
        if kind in _VALUE_KINDS_CONST:
            text = str(op)
            if text.startswith(type_text + " "):
                text = text[len(type_text) + 1:]
            return Operand(CONST, type_text, text)
        return Operand(META, type_text, str(op).strip())


def block_layout(canonical: str) -> dict[str, list[tuple[str, int]]]:
    """Function -> [(block label, instruction count)] from canonical IR text alone.

    Labels match :func:`parse_module`'s (``bb<k>`` for an unnamed block). Cheap:
    no llvmlite objects, for pricing text that need not be analysed.
    """
    layout = {}
    for name, (_, body) in _function_bodies(canonical.splitlines()).items():
        layout[name] = [(label or f"bb{b}", len(lines))
                        for b, (label, lines) in enumerate(_split_blocks(body))]
    return layout


def parse_module(text: str, source: str = "<input>") -> Module:
    """Parse LLVM IR text into a :class:`Module`.

    Raises :class:`IRParseError` (one line, naming the input line) when the
    text is not valid IR. Never drops an instruction: unknown constructs are
    kept as barriers and listed in ``Module.unknown``.
    """
    mod = parse_llvm(text, source)
    canonical = str(mod)
    lines = canonical.splitlines()
    bodies = _function_bodies(lines)
    functions, unknown = [], []
    for fn in mod.functions:
        if fn.is_declaration:
            continue
        if fn.name not in bodies:
            raise IRParseError(f"cannot find the body of @{fn.name}", None, source)
        header_index, body = bodies[fn.name]
        parser = _FunctionParser(fn, lines[header_index],
                                 _split_blocks(body), source)
        functions.append(parser.parse())
        unknown.extend(parser.unknown)
    return Module(text=canonical, triple=mod.triple, data_layout=mod.data_layout,
                  functions=tuple(functions), unknown=tuple(unknown))


def parse_file(path) -> Module:
    """Read and parse a ``.ll`` file (errors name the file and line)."""
    from pathlib import Path
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise IRParseError(f"cannot read: {exc.strerror}", None, str(path)) from None
    except UnicodeDecodeError:
        raise IRParseError("cannot read: not a text file (bitcode? disassemble with llvm-dis-22)", None,
                           str(path)) from None
    return parse_module(text, str(path))


__all__ = ["parse_module", "parse_file", "parse_llvm", "BARRIER", "PHI", "META"]
