"""What the front ends (``slpvec cc``'s two pipelines, the plugin worker) read
from the environment: which functions to vectorize (``$SLPVEC_FUNCTIONS`` /
``$SLPVEC_SKIP_FUNCTIONS``, to bisect a slowdown to one function) and how a
vectorized block is accepted (``$SLPVEC_ACCEPT_BY``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import SlpvecError

# Comma-separated function names: vectorize only these / never these (both routes).
FUNCTIONS_ENV, SKIP_FUNCTIONS_ENV = "SLPVEC_FUNCTIONS", "SLPVEC_SKIP_FUNCTIONS"
# The front ends' final accept/reject (slpvec.driver.ACCEPT_BY), unless $SLPVEC_ACCEPT_BY says.
ACCEPT_BY_ENV, FRONT_END_ACCEPT_BY = "SLPVEC_ACCEPT_BY", "tti+mca"


@dataclass(frozen=True)
class FunctionFilter:
    """Which functions slpvec vectorizes: ``only`` these (empty: all) and
    never those in ``skip``; names as LLVM prints them, without the ``@``."""

    only: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()

    def __call__(self, name: str) -> bool:
        return (not self.only or name in self.only) and name not in self.skip


def function_filter(environ=os.environ) -> FunctionFilter | None:
    """The :class:`FunctionFilter` of ``$SLPVEC_FUNCTIONS`` and
    ``$SLPVEC_SKIP_FUNCTIONS`` (``a,b``; ``@a`` also accepted), None when
    neither is set: how a slowdown is bisected to one function."""
    def names(variable: str) -> frozenset[str]:
        return frozenset(n.strip().removeprefix("@") for n in environ.get(variable, "").split(",")
                         if n.strip())
    only, skip = names(FUNCTIONS_ENV), names(SKIP_FUNCTIONS_ENV)
    return FunctionFilter(only, skip) if only or skip else None


def accept_by(environ=os.environ) -> str:
    """How the front ends (both cc pipelines, the plugin worker) accept a
    vectorized block: ``$SLPVEC_ACCEPT_BY``, else ``tti+mca`` (llvm-mca
    vetoes blocks of small estimated gain). SlpvecError if it is not a mode."""
    from ..driver import ACCEPT_BY

    mode = environ.get(ACCEPT_BY_ENV) or FRONT_END_ACCEPT_BY
    if mode not in ACCEPT_BY:
        raise SlpvecError(f"${ACCEPT_BY_ENV}={mode}: not one of {', '.join(ACCEPT_BY)}")
    return mode
