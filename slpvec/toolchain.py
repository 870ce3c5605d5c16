"""Locate and run the LLVM 22 tools (clang-22, opt-22, llc-22).

All subprocess calls to LLVM go through :func:`run_tool`, which turns a missing
tool into :class:`ToolNotFoundError` (with an install hint) and a failure into
:class:`ToolFailedError` carrying the tool's first error line.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from .errors import ToolFailedError, ToolNotFoundError

LLVM_MAJOR = 22
# Flags that produce slpvec's input IR: everything of -O3 but LLVM's own SLP.
CLANG_IR_FLAGS = ("-O3", "-fno-slp-vectorize", "-fno-discard-value-names",
                  "-S", "-emit-llvm")


@functools.cache
def tool_path(name: str) -> str:
    """Absolute path of an LLVM tool: ``$SLPVEC_<NAME>`` or ``<name>-22`` on PATH."""
    override = os.environ.get(f"SLPVEC_{name.upper().replace('-', '_')}")
    candidate = override or f"{name}-{LLVM_MAJOR}"
    found = shutil.which(candidate)
    if not found:
        raise ToolNotFoundError(candidate)
    return found


def run_tool(name: str, args: list[str], stdin: str | None = None,
             check: bool = True, timeout: float = 600,
             cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``<name>-22 args`` (in ``cwd``, default the current folder); text
    in/out. Raises ToolFailedError if it fails."""
    exe = tool_path(name)
    try:
        proc = subprocess.run([exe, *args], input=stdin, capture_output=True,
                              text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise ToolFailedError(f"{Path(exe).name} timed out after {timeout:.0f}s") from None
    if check and proc.returncode != 0:
        raise ToolFailedError(f"{Path(exe).name} failed: {first_error_line(proc.stderr)}")
    return proc


def first_error_line(stderr: str) -> str:
    """The most informative single line of a tool's stderr."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "error" in ln.lower():
            return ln
    return lines[0] if lines else "no output"


@functools.cache
def llvm_version() -> str:
    """Full LLVM version of opt-22 (e.g. ``22.1.8``)."""
    out = run_tool("opt", ["--version"]).stdout
    for token in out.split():
        if token[:1].isdigit() and "." in token:
            return token
    return str(LLVM_MAJOR)


def compile_c_to_ir(source: Path, march: str = "native", extra: tuple[str, ...] = (),
                    cwd: Path | None = None) -> str:
    """Compile one C file to slpvec input IR text (``-O3 -fno-slp-vectorize``).

    ``extra`` flags come after slpvec's own and win over them; relative paths
    in them (and ``source``, if relative) are meant from ``cwd`` (default: the
    current folder), where clang runs.
    """
    proc = run_tool("clang", [*CLANG_IR_FLAGS, f"-march={march}", *extra,
                              str(source), "-o", "-"], cwd=cwd)
    return proc.stdout
