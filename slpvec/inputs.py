"""Load user input (a C file or LLVM IR) as a parsed :class:`Module`."""

from __future__ import annotations

from pathlib import Path

from .errors import SlpvecError
from .ir import Module, parse_module
from .ir.parser import read_ir_file
from .toolchain import compile_c_to_ir

C_SUFFIXES = (".c",)
IR_SUFFIXES = (".ll", ".bc")


def load_module(path: str | Path, march: str = "native") -> Module:
    """Parse ``path``: ``.ll`` (or bitcode) as IR; ``.c`` compiled with clang-22 first.

    ``march`` only applies to C input (``-march=``). Raises SlpvecError with a
    one-line message for missing files and unknown suffixes.
    """
    path = Path(path)
    if not path.exists():
        raise SlpvecError(f"{path}: no such file")
    if path.suffix in C_SUFFIXES:
        return parse_module(compile_c_to_ir(path, march), str(path))
    if path.suffix in IR_SUFFIXES or path.suffix == "":
        return parse_module(read_ir_file(path), str(path))
    raise SlpvecError(f"{path}: expected a .c, .ll or .bc file")
