"""Which functions differ between two versions of a module.

Compares function bodies as text, blind to what does not change semantics
between a module and its vectorized copy: local value and block names (the
vectorizer names every value), comments, debug records, and the numbering of
metadata nodes and attribute groups. Anything else that differs marks the
function changed, so the answer errs towards "changed".
"""

from __future__ import annotations

import re

NAME = r'("(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+)'  # a name after @ or %, quoted or not
FUNCTION = re.compile(r"^define [^\n]*?@" + NAME + r"\([^\n]*\n(.*?)^}", re.M | re.S)
LOCAL = re.compile("%" + NAME + "|^" + NAME + ":", re.M)
COMMENT = re.compile(r"\s*;[^\n\"]*$", re.M)
DEBUG_RECORD = re.compile(r"^\s*#dbg_[^\n]*\n", re.M)
NUMBERING = re.compile(r"(![-a-zA-Z$._0-9]+ )?!\d+|#\d+")
HEX_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2}|\\)")


def function_key(name: str) -> str:
    """A function's source identity as the validator names it: its name, or
    ``@N`` for the unnamed function printed as ``@N`` (``N`` accepted)."""
    return "@" + name if name.isdigit() else name


def symbol_name(token: str) -> str:
    """The name a token written after ``@`` or ``%`` (quoted or not) stands for."""
    if not token.startswith('"'):
        return token
    return HEX_ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1), 16)),
                          token[1:-1])


def _canonical(body: str) -> str:
    """A body with locals renumbered by first appearance and comments, debug
    records and metadata/attribute numbers removed."""
    body = NUMBERING.sub("", COMMENT.sub("", DEBUG_RECORD.sub("", body)))
    numbers: dict[str, int] = {}

    def local(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        number = numbers.setdefault(name, len(numbers))
        return f"%{number}" if match.group(1) else f"{number}:"
    return LOCAL.sub(local, body)


def function_bodies(text: str) -> dict[str, str]:
    """Source key -> canonical body of every function defined in ``text``."""
    return {function_key(symbol_name(m.group(1))): _canonical(m.group(2))
            for m in FUNCTION.finditer(text)}


def changed_functions(original: str, vectorized: str) -> set[str]:
    """Keys (see :func:`function_key`) of functions defined in ``original``
    whose body differs in, or is missing from, ``vectorized``."""
    after = function_bodies(vectorized)
    return {name for name, body in function_bodies(original).items() if after.get(name) != body}
