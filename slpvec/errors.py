"""Typed errors raised by slpvec.

Every error a user can cause (bad input, missing tools) is a subclass of
:class:`SlpvecError`; the CLI prints ``str(err)`` as one line and exits non-zero.
Anything else escaping is a bug in slpvec.
"""


class SlpvecError(Exception):
    """Base class for errors reported to the user as one line."""


class IRParseError(SlpvecError):
    """The input is not valid LLVM IR (message names the line)."""

    def __init__(self, message: str, line: int | None = None, source: str = "<input>"):
        self.line = line
        self.source = source
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: malformed LLVM IR: {message}")


class ToolNotFoundError(SlpvecError):
    """An external LLVM tool (clang-22, opt-22, ...) is missing."""

    def __init__(self, tool: str):
        self.tool = tool
        super().__init__(
            f"'{tool}' not found on PATH; install LLVM 22 "
            "(apt-get install -y clang-22 llvm-22, or run scripts/setup.sh)"
        )


class ToolFailedError(SlpvecError):
    """An external tool ran but failed (message carries its first error line)."""


class CostModelError(SlpvecError):
    """The TTI cost printout could not be matched to the IR."""


class OutputError(SlpvecError):
    """An output file cannot be written (``cannot write OUT: reason``)."""
