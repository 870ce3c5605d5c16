"""An instruction's opcode, result type and operands, read from its text.

Walking llvmlite's values costs an FFI call per operand; LLVM's canonical
printing already says everything the IR model needs. :func:`read_operands`
reads the common instructions of optimised code in LLVM's operand order (a
conditional ``br`` lists its false target first, a ``call`` its callee last,
a ``phi`` only its incoming values, a ``switch`` its destinations without the
case values, a ``shufflevector`` no mask). Anything outside this grammar
raises :class:`Unsupported`, and the caller reads the function through
llvmlite instead: a function is read wholly one way, never guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .instr_text import FLAGS
from .opcodes import BINARY_FP, BINARY_INT, CASTS
from .typesize import split_top_level

_CALL_PREFIXES = ("tail ", "musttail ", "notail ")
_PRIMITIVE = frozenset({"void", "half", "bfloat", "float", "double", "x86_fp80", "fp128",
                        "ppc_fp128", "x86_amx", "token", "label"})
_WORD_TYPE = re.compile(r'ptr addrspace\(\d+\)|i\d+\b|[a-z_0-9]+\b|%(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)')
_LOCAL_REF = re.compile(r'%(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)')
_GLOBAL_REF = re.compile(r'@(?:"(?:[^"\\]|\\.)*"|[-\w.$]+)')
_GLOBAL_CALLEE = re.compile(_GLOBAL_REF.pattern + r"\(")
_SIMPLE_CALL_END = re.compile(r"^(?: #\d+)?(?:, !.*)?$")
_VECTOR = re.compile(r"^<(\d+) x (.+)>$")
# Parameter attributes printed between an argument's type and its value.
_ARG_ATTRS = frozenset({"noundef", "nonnull", "noalias", "nocapture", "readonly", "writeonly",
                        "readnone", "signext", "zeroext", "inreg", "returned", "nofree",
                        "immarg", "nest", "writable", "dead_on_unwind", "allocalign",
                        "allocptr"})
_ATTR_CALL = re.compile(r"^(?:captures|range|nofpclass|dereferenceable|dereferenceable_or_null|"
                        r"initializes|byval|byref|sret|elementtype)\(.*\)$")
# How a constant operand's text can start (numbers match separately).
_CONSTANT_WORDS = frozenset({"true", "false", "null", "poison", "undef", "zeroinitializer",
                             "none", "splat", "getelementptr", "ptrtoint", "inttoptr",
                             "bitcast", "addrspacecast", "trunc", "add", "sub", "mul", "xor",
                             "shl", "extractelement", "insertelement", "shufflevector"})
_NUMBER = re.compile(r"^(?:-?\d|0x)")
_BINARY = frozenset(BINARY_INT + BINARY_FP)


class Unsupported(Exception):
    """The text is outside what :func:`read_operands` reads."""


class TextInstr(NamedTuple):
    """``operands``: (type, value text) in LLVM's operand order; a block
    operand has type ``label`` and value ``%name``. ``type``: the result
    type, ``void`` when there is none."""

    opcode: str
    type: str
    operands: tuple[tuple[str, str], ...]


def read_operands(text: str) -> TextInstr:
    """Opcode, result type and operands of one instruction as LLVM prints
    it (one line, result name included). Raises Unsupported."""
    body = text.split(" = ", 1)[1] if text.startswith("%") else text
    for prefix in _CALL_PREFIXES:
        if body.startswith(prefix):
            body = body[len(prefix):]
    opcode, _, rest = body.partition(" ")
    reader = _READERS.get(opcode)
    if reader is None or '"' in rest:
        raise Unsupported(opcode)
    rtype, operands = reader(opcode, _skip_flags(rest))
    for _, value in operands:
        check_value(value)
    return TextInstr(opcode, rtype, tuple(operands))


def check_value(value: str) -> None:
    """Raise Unsupported unless ``value`` is a local, a global or a constant
    this reader knows (not metadata, inline asm, blockaddress, ...)."""
    if value.startswith("%"):
        if not _LOCAL_REF.fullmatch(value):
            raise Unsupported(value)
    elif value.startswith("@"):
        if not _GLOBAL_REF.fullmatch(value):
            raise Unsupported(value)
    elif not (_NUMBER.match(value) or value[:1] in "<[{"
              or value.split(" ", 1)[0].split("(", 1)[0] in _CONSTANT_WORDS):
        raise Unsupported(value)


def take_type(text: str) -> tuple[str, str]:
    """(the type at the start of ``text``, the rest without leading spaces)."""
    if text[:1] in "<[{":
        depth = 0
        for pos, ch in enumerate(text):
            if ch in "<[{(":
                depth += 1
            elif ch in ">]})":
                depth -= 1
                if depth == 0:
                    return text[:pos + 1], text[pos + 1:].lstrip(" ")
        raise Unsupported(text)
    match = _WORD_TYPE.match(text)
    if not match:
        raise Unsupported(text)
    word = match.group(0)
    if not (word in _PRIMITIVE or word[0] == "%" or word.startswith("ptr")
            or (word[0] == "i" and word[1:].isdigit())):
        raise Unsupported(text)
    return word, text[match.end():].lstrip(" ")


def _skip_flags(rest: str) -> str:
    while True:
        word, _, after = rest.partition(" ")
        if word not in FLAGS:
            return rest
        rest = after


def _fields(rest: str) -> list[str]:
    """Top-level comma fields, without alignment and metadata attachments."""
    return [f for f in split_top_level(rest) if not f.startswith(("!", "align "))]


def _typed(field: str) -> tuple[str, str]:
    type_text, value = take_type(field)
    if not value:
        raise Unsupported(field)
    return type_text, value


def _binary(opcode, rest):
    fields = _fields(rest)
    if len(fields) != 2:
        raise Unsupported(opcode)
    type_text, left = _typed(fields[0])
    return type_text, [(type_text, left), (type_text, fields[1])]


def _unary(opcode, rest):
    fields = _fields(rest)
    if len(fields) != 1:
        raise Unsupported(opcode)
    type_text, value = _typed(fields[0])
    return type_text, [(type_text, value)]


def _compare(opcode, rest):
    _, _, rest = rest.partition(" ")  # the predicate
    type_text, operands = _binary(opcode, rest)
    vector = _VECTOR.match(type_text)
    return (f"<{vector.group(1)} x i1>" if vector else "i1"), operands


def _load(opcode, rest):
    rest = rest[len("volatile "):] if rest.startswith("volatile ") else rest
    fields = _fields(rest)
    if rest.startswith("atomic ") or len(fields) != 2:
        raise Unsupported(opcode)
    type_text, tail = take_type(fields[0])
    if tail:
        raise Unsupported(opcode)
    return type_text, [_typed(fields[1])]


def _store(opcode, rest):
    rest = rest[len("volatile "):] if rest.startswith("volatile ") else rest
    fields = _fields(rest)
    if rest.startswith("atomic ") or len(fields) != 2:
        raise Unsupported(opcode)
    return "void", [_typed(fields[0]), _typed(fields[1])]


def _gep(opcode, rest):
    fields = _fields(rest)
    if len(fields) < 2:
        raise Unsupported(opcode)
    operands = [_typed(f) for f in fields[1:]]
    if any(t.startswith("<") for t, _ in operands):
        raise Unsupported("vector getelementptr")
    return operands[0][0], operands


def _cast(opcode, rest):
    source, _, target = rest.rpartition(" to ")
    if not source or take_type(target)[1] or any(
            source.count(o) != source.count(c) for o, c in ("()", "<>", "[]", "{}")):
        raise Unsupported(opcode)
    return target, [_typed(source)]


def _select(opcode, rest):
    fields = _fields(rest)
    if len(fields) != 3:
        raise Unsupported(opcode)
    operands = [_typed(f) for f in fields]
    return operands[1][0], operands


def _phi(opcode, rest):
    type_text, rest = take_type(rest)
    operands = []
    for incoming in _fields(rest):
        if not (incoming.startswith("[ ") and incoming.endswith(" ]")):
            raise Unsupported(opcode)
        value = _fields(incoming[2:-2])[0]
        operands.append((type_text, value))
    return type_text, operands


def _branch(opcode, rest):
    fields = [_typed(f) for f in _fields(rest)]
    if len(fields) == 3:
        return "void", [fields[0], fields[2], fields[1]]
    if len(fields) != 1:
        raise Unsupported(opcode)
    return "void", fields


def _ret(opcode, rest):
    fields = _fields(rest)
    if fields == ["void"]:
        return "void", []
    if len(fields) != 1:
        raise Unsupported(opcode)
    return "void", [_typed(fields[0])]


def _switch(opcode, rest):
    head, _, cases = rest.partition(" [")
    if "]" not in cases:
        raise Unsupported(opcode)
    cases = cases[:cases.rindex("]")]
    operands = [_typed(f) for f in _fields(head)]
    operands += [("label", ref) for ref in re.findall(r"label (\S+)", cases)]
    return "void", operands


def _alloca(opcode, rest):
    fields = _fields(rest[len("inalloca "):] if rest.startswith("inalloca ") else rest)
    if not fields or take_type(fields[0])[1] or len(fields) > 2:
        raise Unsupported(opcode)  # e.g. ", addrspace(5)": a pointer the text does not type
    return "ptr", [_typed(fields[1]) if len(fields) == 2 else ("i32", "1")]


def _unreachable(opcode, rest):
    return "void", []


def _extract(opcode, rest):
    fields = [_typed(f) for f in _fields(rest)]
    vector = _VECTOR.match(fields[0][0])
    if len(fields) != 2 or not vector:
        raise Unsupported(opcode)
    return vector.group(2), fields


def _insert(opcode, rest):
    fields = [_typed(f) for f in _fields(rest)]
    if len(fields) != 3 or not _VECTOR.match(fields[0][0]):
        raise Unsupported(opcode)
    return fields[0][0], fields


def _shuffle(opcode, rest):
    fields = [_typed(f) for f in _fields(rest)]
    vector = _VECTOR.match(fields[0][0]) if fields else None
    mask = _VECTOR.match(fields[2][0]) if len(fields) == 3 else None
    if not (vector and mask):
        raise Unsupported(opcode)
    return f"<{mask.group(1)} x {vector.group(2)}>", fields[:2]


def _call(opcode, rest):
    callee = _GLOBAL_CALLEE.search(rest)
    if not callee:
        raise Unsupported("indirect call")
    rtype = _return_type(rest[:callee.start()].rstrip(" "))
    depth, end = 0, None
    for pos in range(callee.end() - 1, len(rest)):
        ch = rest[pos]
        if ch in "<[{(":
            depth += 1
        elif ch in ">]})":
            depth -= 1
            if depth == 0:
                end = pos
                break
    if end is None or not _SIMPLE_CALL_END.match(rest[end + 1:]):
        raise Unsupported("call bundles or attributes")
    operands = [_argument(f) for f in _fields(rest[callee.end():end])]
    return rtype, operands + [("ptr", callee.group(0)[:-1])]


def _return_type(prefix: str) -> str:
    """The return type at the end of a call's text before its callee (after
    flags, calling convention and return attributes)."""
    words = prefix.split(" ")
    for start in range(len(words)):
        try:
            type_text, rest = take_type(" ".join(words[start:]))
        except Unsupported:
            continue
        if not rest or (rest.startswith("(") and rest.endswith(")")):
            return type_text
    raise Unsupported("call return type")


def _argument(field: str) -> tuple[str, str]:
    type_text, rest = _typed(field)
    words = _words(rest)
    pos = 0
    while pos < len(words) - 1:
        word = words[pos]
        if word == "align" and words[pos + 1].isdigit():
            pos += 2
        elif word in _ARG_ATTRS or _ATTR_CALL.match(word):
            pos += 1
        else:
            break
    return type_text, " ".join(words[pos:])


def _words(text: str) -> list[str]:
    """Split at spaces outside brackets."""
    return [word for word in split_top_level(text, " ") if word]


_READERS = {
    **{op: _binary for op in _BINARY}, **{op: _cast for op in CASTS},
    "fneg": _unary, "freeze": _unary, "icmp": _compare, "fcmp": _compare, "load": _load,
    "store": _store, "getelementptr": _gep, "select": _select, "phi": _phi, "br": _branch,
    "ret": _ret, "switch": _switch, "unreachable": _unreachable, "extractelement": _extract,
    "insertelement": _insert, "shufflevector": _shuffle, "call": _call,
    "alloca": _alloca,
}
