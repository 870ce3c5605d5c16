"""How every command-line entry point ends: one line, never a traceback.

``slpvec``, ``slpvec-train``, ``slpvec-dataset``, ``python -m models.crossval``,
``python -m dataset.corpus`` and ``python -m nas_bench`` all wrap their
``main`` in :func:`entry_point`:

* a :class:`~slpvec.errors.SlpvecError` (the user's: bad input, a missing
  tool, a wrong option) prints ``PROG: error: ...`` and exits 1;
* any other exception (an :class:`~slpvec.errors.InternalError` or a bug)
  prints ``PROG: internal error: ... (please report; rerun with --debug for
  a traceback)`` and exits :data:`~slpvec.errors.INTERNAL_ERROR_EXIT`;
  with ``--debug`` on the command line the exception propagates instead;
* a closed pipe (``... | head``) is a normal end (exit 0).
"""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Callable

from .errors import SlpvecError, report_internal_error

DEBUG_FLAG = "--debug"

Main = Callable[[list[str]], int]


def add_debug_option(*parsers: argparse.ArgumentParser) -> None:
    """Give each parser (a command, or each subcommand of one) ``--debug``."""
    for parser in parsers:
        parser.add_argument(DEBUG_FLAG, action="store_true",
                            help="on an internal error, show its traceback")


def debug_requested(argv: list[str]) -> bool:
    """Whether ``--debug`` is among the options (before a ``--`` separator)."""
    own = argv[:argv.index("--")] if "--" in argv else argv
    return DEBUG_FLAG in own


def entry_point(prog: str, user_errors: tuple[type[Exception], ...] = ()
                ) -> Callable[[Main], Callable[[list[str] | None], int]]:
    """Decorate ``main(argv) -> exit status`` as described in the module doc;
    ``user_errors`` are further exception types reported as the user's (for
    example FileNotFoundError for a command whose inputs are paths). The
    wrapped function takes ``argv`` (default ``sys.argv[1:]``)."""
    reported = (SlpvecError, *user_errors)

    def decorate(main: Main) -> Callable[[list[str] | None], int]:
        @functools.wraps(main)
        def run(argv: list[str] | None = None) -> int:
            argv = sys.argv[1:] if argv is None else list(argv)
            try:
                return main(argv)
            except reported as err:
                print(f"{prog}: error: {err}", file=sys.stderr)
                return 1
            except BrokenPipeError:
                return 0
            except Exception as err:  # noqa: BLE001 - an internal error or a bug
                if debug_requested(argv):
                    raise
                return report_internal_error(prog, err)
        return run
    return decorate
