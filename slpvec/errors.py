"""Typed errors raised by slpvec.

Every error a user can cause (bad input, missing tools, a wrong option) is a
subclass of :class:`SlpvecError`; the CLI prints ``slpvec: error: ...`` as one
line and exits 1. A failure that is slpvec's own is an :class:`InternalError`
(a known limit: a plan that cannot be scheduled, a pack codegen cannot
express, a solver that failed) or any other exception (a bug): inside a block
it leaves that block scalar with the reason in the report; escaping to the
CLI it prints ``slpvec: internal error: ... (please report; ...)`` and exits
with :data:`INTERNAL_ERROR_EXIT`.
"""

import sys

# Exit status of a command stopped by an internal error (sysexits' EX_SOFTWARE).
INTERNAL_ERROR_EXIT = 70


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


class OutputError(SlpvecError):
    """An output file cannot be written (``cannot write OUT: reason``)."""


class InternalError(Exception):
    """A failure of slpvec itself, not of its input (see the module doc)."""


class CostModelError(InternalError):
    """opt-22's TTI cost printout could not be matched to the IR slpvec gave
    it (a count mismatch, an unpriceable synthetic instruction): slpvec's IR
    model and LLVM's disagree, which no input of the user's should cause.
    Commands that measure many inputs (evaluate, compare-llvm) skip such an
    input with a one-line note."""


# What a command measuring many inputs skips one input for, with a note, instead
# of stopping: the user's errors and a cost printout slpvec could not match.
SKIPPED_INPUT_ERRORS = (SlpvecError, CostModelError)


def describe(err: BaseException) -> str:
    """The message of a typed error, else ``Type: message`` (a bug)."""
    if isinstance(err, (SlpvecError, InternalError)):
        return str(err)
    return f"{type(err).__name__}: {err}"


def fallback_reason(err: BaseException) -> str:
    """Why a block was left scalar after ``err``: the message of an
    :class:`SlpvecError` or :class:`InternalError` (a known limit), else the
    exception marked as a bug (``internal error: Type: message``)."""
    if isinstance(err, (SlpvecError, InternalError)):
        return str(err)
    return f"internal error: {describe(err)}"


def report_internal_error(prog: str, err: BaseException) -> int:
    """Print one line for a failure that is slpvec's, not the user's, and
    return :data:`INTERNAL_ERROR_EXIT`."""
    first_line = (describe(err).strip().splitlines() or [type(err).__name__])[0]
    print(f"{prog}: internal error: {first_line} (please report; rerun with --debug for a "
          "traceback)", file=sys.stderr)
    return INTERNAL_ERROR_EXIT
