"""Global values of a module: how each is referenced, and what object it is.

llvmlite names an unnamed global ``""`` and cannot list a module's aliases,
so references come from LLVM's own printing of the module, matched to
llvmlite's values by identity: global variables and functions are printed in
the order llvmlite lists them, aliases and ifuncs print their own definition
line. Every reference is the text LLVM prints (``@g``, ``@0``, ``@"a b"``).
"""

from __future__ import annotations

import re

import llvmlite.binding as llvm

from ..errors import IRParseError
from .typesize import split_top_level
from .types import CONST, GLOBAL, Operand, llvm_name, unescape_name

_REF = r'@(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)'
_DEFINITION = re.compile(rf"^({_REF}) = (.*)$")
FUNCTION_REF = re.compile(rf"({_REF})\(")
_POINTER_TO = re.compile(rf"^ptr(?: addrspace\(\d+\))? ({_REF})$")
_KEYWORDS = ("global", "constant", "alias", "ifunc")
_CONST_GEP = re.compile(
    r"^getelementptr((?: (?:inbounds|nuw|nusw|inrange\(-?\d+, ?-?\d+\)))*) \((.*)\)$")
_BASE = re.compile(r"^ptr(?: addrspace\(\d+\))? (.*)$")
_CONST_INDEX = re.compile(r"^(i\d+) (-?\d+)$")

GepLevels = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def is_function_line(line: str) -> bool:
    """A function definition's header or a declaration."""
    return line.startswith(("define ", "declare "))


def function_name(ref: str) -> str:
    """:attr:`Function.name` of a function printed as ``ref`` (``@f``,
    ``@"\\01f"``, ``@3``): the LLVM name; an unnamed function's slot number;
    an all-digit name keeps its quotes so it cannot be taken for a slot."""
    name = unescape_name(ref[1:])
    return ref[1:] if ref[1:].startswith('"') and name.isdigit() else name


def printed_function_name(name: str) -> str:
    """The name opt-22's printout gives the function :attr:`Function.name`
    ``name``: ``''`` for an unnamed one (a slot number), no quotes."""
    if name.isdigit():
        return ""
    return name[1:-1] if name.startswith('"') and name[1:-1].isdigit() else name


class GlobalTable:
    """GLOBAL operands of one module, built once from its canonical text."""

    def __init__(self, mod: llvm.ModuleRef, lines: list[str], source: str = "<input>"):
        variables, functions = [], []
        self.aliasee: dict[str, str | None] = {}  # alias ref -> what it points at
        in_body = False
        for line in lines:
            if in_body:
                in_body = line != "}"
            elif is_function_line(line):
                match = FUNCTION_REF.search(line)
                functions.append(match.group(1) if match else "")
                in_body = line.startswith("define ")
            elif match := _DEFINITION.match(line):
                kind, rest = _definition_kind(match.group(2))
                if kind in ("global", "constant"):
                    variables.append(match.group(1))
                elif kind:
                    self.aliasee[match.group(1)] = _pointee(rest) if kind == "alias" else None
        self.refs: dict[llvm.ValueRef, str] = {}
        self.functions = {fn: fn for fn in mod.functions}  # any reference -> the function
        for values, refs in ((list(mod.global_variables), variables),
                             (list(self.functions), functions)):
            if len(values) != len(refs):
                raise IRParseError("cannot match the module's globals to its text", None, source)
            self.refs.update(zip(values, refs))
        self.objects = set(variables) | set(functions)
        self._operands: dict[llvm.ValueRef, Operand] = {}
        self._immargs: dict[llvm.ValueRef, tuple[int, ...]] = {}
        self._values: dict[str, llvm.ValueRef] | None = None

    def operand(self, value: llvm.ValueRef) -> Operand:
        """The GLOBAL operand for a global value (variable, function, alias, ifunc)."""
        known = self._operands.get(value)
        if known is None:
            ref = self.refs.get(value) or self._own_ref(value)
            known = Operand(GLOBAL, str(value.type), ref, object=self.resolve(ref))
            self._operands[value] = known
        return known

    def operand_of(self, ref: str) -> Operand:
        """:meth:`operand` for a global printed as ``ref``; raises
        LookupError for a reference that is no variable or function."""
        value = self._by_ref().get(ref)
        if value is None:
            raise LookupError(ref)
        return self.operand(value)

    def immarg_positions_of(self, ref: str) -> tuple[int, ...]:
        """:meth:`immarg_positions` of the callee printed as ``ref``."""
        value = self._by_ref().get(ref)
        return () if value is None else self.immarg_positions(value)

    def _by_ref(self) -> dict[str, llvm.ValueRef]:
        if self._values is None:
            self._values = {ref: value for value, ref in self.refs.items()}
        return self._values

    def constant_operand(self, type_text: str, text: str) -> Operand:
        """The CONST operand for constant ``text`` of type ``type_text``; a
        constant-expression GEP over a global gets its ``gep`` levels and
        base ``object``."""
        parsed = parse_const_gep(text)
        if parsed is None:
            return Operand(CONST, type_text, text)
        base, levels = parsed
        return Operand(CONST, type_text, text, object=self.resolve(base), gep=levels)

    def resolve(self, ref: str) -> str:
        """The global object ``ref`` stands for, through alias chains; ``""``
        when that is not a global variable or function."""
        seen = set()
        while ref in self.aliasee and ref not in seen:
            seen.add(ref)
            ref = self.aliasee[ref] or ""
        return ref if ref in self.objects else ""

    def immarg_positions(self, callee: llvm.ValueRef) -> tuple[int, ...]:
        """Argument positions whose parameter ``callee`` (a call's callee
        operand) declares ``immarg``; () if it is not a function."""
        positions = self._immargs.get(callee)
        if positions is None:
            function = self.functions.get(callee)
            positions = () if function is None else tuple(
                pos for pos, arg in enumerate(function.arguments)
                if b"immarg" in set(arg.attributes))
            self._immargs[callee] = positions
        return positions

    @staticmethod
    def _own_ref(value: llvm.ValueRef) -> str:
        if value.name:
            return llvm_name(value.name, "@")
        match = _DEFINITION.match(str(value).strip())  # an alias prints its one-line definition
        return match.group(1) if match else "@"


def _definition_kind(rest: str) -> tuple[str, str]:
    """(``global``/``constant``/``alias``/``ifunc`` or ``""``, text after it)
    of the right-hand side of a top-level ``@name = ...`` line."""
    words = rest.split(" ")
    for pos, word in enumerate(words):
        if word in _KEYWORDS:
            return word, " ".join(words[pos + 1:])
    return "", ""


def _pointee(alias_rest: str) -> str | None:
    """The global an alias points at (``[4 x i32], ptr @g`` -> ``@g``); None
    when the aliasee is a constant expression."""
    fields = split_top_level(alias_rest)
    match = _POINTER_TO.match(fields[1]) if len(fields) > 1 else None
    return match.group(1) if match else None


def parse_const_gep(text: str) -> tuple[str, GepLevels] | None:
    """(base global reference, levels innermost first) of a constant-expression
    ``getelementptr`` as LLVM prints it (``getelementptr inbounds nuw (i8, ptr
    @g, i64 8)``, possibly nested in its base), every index an integer
    constant; None for anything else (vector indices, other expressions,
    quoted names: all stay opaque)."""
    if '"' in text:
        return None
    levels = []
    while True:
        match = _CONST_GEP.match(text)
        if not match:
            return None
        fields = split_top_level(match.group(2))
        if len(fields) < 2 or not (base := _BASE.match(fields[1])):
            return None
        indices = []
        for field in fields[2:]:
            index = _CONST_INDEX.match(field)
            if not index:
                return None
            indices.append((index.group(1), index.group(2)))
        levels.append((fields[0], tuple(indices)))
        text = base.group(1)
        if re.fullmatch(_REF, text):
            return text, tuple(reversed(levels))
