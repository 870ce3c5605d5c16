"""The policy protocol and registry.

A policy maps a :class:`BlockContext` to a :class:`PackPlan` whose packs are
candidates of the block. Codegen re-checks legality and verifies the result,
so a policy can never cause wrong code, only a scalar fallback.
"""

from __future__ import annotations

import importlib
import math
from typing import Callable, Protocol

from ..context import BlockContext
from ..errors import SlpvecError
from ..packs import PackPlan


class Policy(Protocol):
    name: str

    def plan(self, ctx: BlockContext) -> PackPlan:
        """Packs to form in ``ctx.block``."""


_REGISTRY: dict[str, Callable[..., Policy]] = {}
# Policies living in other packages, imported only when asked for.
_LAZY = {"ilp": "ilp_oracle.policy", "gnn": "models.policy", "gnn-raw": "models.policy"}


def register(name: str):
    """Class decorator adding a policy factory under ``name``."""
    def wrap(factory):
        _REGISTRY[name] = factory
        return factory
    return wrap


def policy_names() -> list[str]:
    return sorted(set(_REGISTRY) | set(_LAZY))


def time_limit_seconds(value: str | float) -> float:
    """A policy time limit: a positive, finite number of seconds (SlpvecError otherwise)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise SlpvecError(f"time limit must be a positive, finite number of seconds, "
                          f"got '{value}'")
    return seconds


def get_policy(name: str, **options) -> Policy:
    """Instantiate a registered policy; unknown names give a one-line error."""
    if name not in _REGISTRY and name in _LAZY:
        try:
            importlib.import_module(_LAZY[name])
        except ImportError as err:
            raise SlpvecError(f"policy '{name}' is not available: {err}") from None
    if name not in _REGISTRY:
        raise SlpvecError(f"unknown policy '{name}' (choose from {', '.join(policy_names())})")
    return _REGISTRY[name](**options)
