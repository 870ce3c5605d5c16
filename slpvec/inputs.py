"""Load user input (a C file or LLVM IR) as a parsed :class:`Module`.

The one loader of every command (``vectorize``, ``cost``, ``analyze``,
``validate``, ``evaluate``, ``compare-llvm``), the dataset builder and the
models. C is compiled the way clangd reads a ``compile_flags.txt``: the
nearest such file above the source gives one argument per line, and clang
runs in that file's folder, so relative paths (``-I../common``,
``-include cfg.h``) mean paths from there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import SlpvecError
from .ir import Module, parse_module
from .ir.parser import read_ir_file
from .target import retarget
from .toolchain import compile_c_to_ir

C_SUFFIXES = (".c",)
IR_SUFFIXES = (".ll", ".bc")
FLAGS_FILE = "compile_flags.txt"


@dataclass(frozen=True)
class CompileFlags:
    """The flags of one ``compile_flags.txt`` and the folder they are meant from."""

    flags: tuple[str, ...]
    folder: Path | None     # where clang runs; None when no file was found


def compile_flags_for(source: str | Path) -> CompileFlags:
    """Flags of the ``compile_flags.txt`` nearest to ``source`` (its folder,
    then each parent), one per line with surrounding blanks trimmed, as clangd
    reads them."""
    folder = Path(os.path.abspath(source)).parent
    for candidate in (folder, *folder.parents):
        flags_file = candidate / FLAGS_FILE
        if flags_file.is_file():
            lines = flags_file.read_text(errors="replace").splitlines()
            return CompileFlags(tuple(ln.strip() for ln in lines if ln.strip()), candidate)
    return CompileFlags((), None)


def compile_c(source: str | Path, cpu: str | None = None) -> str:
    """slpvec input IR of one C file (``-march=cpu``, default the host), with
    the flags of its ``compile_flags.txt``."""
    flags = compile_flags_for(source)
    if flags.folder is None:
        return compile_c_to_ir(Path(source), cpu or "native")
    return compile_c_to_ir(Path(os.path.abspath(source)), cpu or "native", flags.flags,
                           cwd=flags.folder)


def load_module(path: str | Path, cpu: str | None = None, retarget_ir: bool = True) -> Module:
    """Parse ``path``: ``.ll`` (or bitcode) as IR; ``.c`` compiled with clang-22 first.

    ``cpu`` is C's ``-march`` (default: the host); for IR, it is written into
    every function's ``target-cpu`` unless ``retarget_ir`` is false. Raises
    SlpvecError with a one-line message for missing files and unknown suffixes.
    """
    path = Path(path)
    if not path.exists():
        raise SlpvecError(f"{path}: no such file")
    if path.suffix in C_SUFFIXES:
        return parse_module(compile_c(path, cpu), str(path))
    if path.suffix in IR_SUFFIXES or path.suffix == "":
        text = read_ir_file(path)
        if cpu and retarget_ir:
            text = retarget(text, cpu)
        return parse_module(text, str(path))
    raise SlpvecError(f"{path}: expected a .c, .ll or .bc file")


def find_inputs(paths: list[str | Path]) -> list[Path]:
    """C and IR files named, or found recursively below named folders."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in C_SUFFIXES + IR_SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise SlpvecError(f"{path}: no such file or folder")
    return found


def module_source(module: Module) -> str:
    """The module's ``source_filename`` (``<module>`` when it has none)."""
    for line in module.text.splitlines()[:3]:
        if line.startswith("source_filename"):
            return line.split("=", 1)[1].strip().strip('"')
    return "<module>"
