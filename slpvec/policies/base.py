"""The policy protocol and registry.

A policy maps a :class:`BlockContext` to a :class:`PackPlan` whose packs are
candidates of the block. Codegen re-checks legality and verifies the result,
so a policy can never cause wrong code, only a scalar fallback.

Every policy subclasses :class:`Policy`: :meth:`Policy.plan` plans one block,
:meth:`Policy.plan_blocks` many at once under a per-block time budget (by
default one by one; a policy that shares work between blocks, like ``gnn``'s
one propagation per batch, overrides it). A plan may carry a
:class:`SolveRecord` (how a search or a model reached it), which the driver
puts into the report. A policy's options are the keyword parameters of its
constructor: :func:`get_policy` rejects any other name with a one-line error
listing the valid ones, so a misspelt option is never silently ignored.
"""

from __future__ import annotations

import importlib
import inspect
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Sequence

from ..context import BlockContext
from ..errors import SlpvecError
from ..packs import PackPlan


@dataclass(frozen=True)
class SolveRecord:
    """How a searching or learned policy reached one block's plan (the
    report's ``solve`` field of the block).

    ``status``: the search's outcome (ilp: ``optimal``, ``feasible`` or
    ``timeout_no_solution``; gnn: ``model``, or ``graph_too_large`` when the
    block got no graph); ``kept``: the plan used (``ilp``, ``greedy``,
    ``model``, ``greedy-refined`` or ``scalar``); ``seconds``: the solve's (or
    the model's) own time; ``objective``: the ILP's estimated block cost, TTI
    units (None for policies without one); ``scalar_cost``: the scalar
    block's cost, TTI units; ``n_candidates``: packs the search chose from.
    """

    policy: str
    status: str
    kept: str
    seconds: float = 0.0
    objective: float | None = None
    scalar_cost: float = 0.0
    n_candidates: int = 0


@dataclass(frozen=True)
class PlanOutcome:
    """One block's planning: its ``plan``, or the ``error`` planning raised
    (then ``plan`` is None); ``seconds`` the policy spent on the block (a
    batch's shared work split between its blocks by the policy)."""

    plan: PackPlan | None
    seconds: float
    error: Exception | None = None

    def unwrap(self) -> PackPlan:
        """The plan, or the planning error raised again."""
        if self.error is not None:
            raise self.error
        return self.plan


class Policy(ABC):
    """A packing policy. Subclasses set ``name``, implement :meth:`plan`, and
    take their options as keyword parameters of ``__init__`` (no ``**kwargs``)."""

    name: ClassVar[str]

    @abstractmethod
    def plan(self, ctx: BlockContext) -> PackPlan:
        """Packs to form in ``ctx.block``; stops at ``ctx.time_left() <= 0``
        with the best plan found so far."""

    def plan_blocks(self, ctxs: Sequence[BlockContext], budget_s: float | None
                    ) -> list[PlanOutcome]:
        """One outcome per context, in order. Each block may take ``budget_s``
        seconds from when its own planning starts (None: the contexts' own
        deadlines). A block whose planning raises gets the error in its
        outcome; the others still get their plans."""
        outcomes = []
        for ctx in ctxs:
            t0 = time.perf_counter()
            try:
                plan, error = self.plan(with_budget(ctx, budget_s)), None
            except Exception as err:  # noqa: BLE001 - the driver classifies it
                plan, error = None, err
            outcomes.append(PlanOutcome(plan, time.perf_counter() - t0, error))
        return outcomes


def with_budget(ctx: BlockContext, budget_s: float | None) -> BlockContext:
    """``ctx`` with ``budget_s`` seconds from now, or unchanged for None."""
    return ctx if budget_s is None else ctx.with_budget(budget_s)


_REGISTRY: dict[str, type[Policy]] = {}
# Policies living in other packages, imported only when asked for.
_LAZY = {"ilp": "ilp_oracle.policy", "gnn": "models.policy", "gnn-raw": "models.policy"}
# Settings of a whole run (the command line's --time-limit and --model) that
# go to every policy taking an option of that name.
RUN_SETTINGS = ("time_limit_s", "model")


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator adding a :class:`Policy` subclass under its ``name``."""
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError(f"{cls!r} is not a Policy subclass")
    if any(p.kind is p.VAR_KEYWORD for p in inspect.signature(cls).parameters.values()):
        raise TypeError(f"policy {cls.name}: declare options as keyword parameters, "
                        "not **kwargs (a misspelt option would be ignored)")
    _REGISTRY[cls.name] = cls
    return cls


def policy_names() -> list[str]:
    return sorted(set(_REGISTRY) | set(_LAZY))


def policy_class(name: str) -> type[Policy]:
    """The registered policy ``name``; unknown names give a one-line error."""
    if name not in _REGISTRY and name in _LAZY:
        try:
            importlib.import_module(_LAZY[name])
        except ImportError as err:
            raise SlpvecError(f"policy '{name}' is not available: {err}") from None
    if name not in _REGISTRY:
        raise SlpvecError(f"unknown policy '{name}' (choose from {', '.join(policy_names())})")
    return _REGISTRY[name]


def policy_options(name: str) -> tuple[str, ...]:
    """The options policy ``name`` takes (its constructor's keyword parameters)."""
    parameters = inspect.signature(policy_class(name)).parameters.values()
    return tuple(p.name for p in parameters
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


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


def get_policy(name: str, /, **options) -> Policy:
    """Instantiate policy ``name`` with ``options``; an unknown name or an
    option the policy does not take is a one-line SlpvecError naming the
    valid ones."""
    valid = policy_options(name)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        takes = f"its options: {', '.join(valid)}" if valid else "it takes no options"
        raise SlpvecError(f"policy '{name}' has no option '{unknown[0]}' ({takes})")
    return policy_class(name)(**options)


def policy_for_run(name: str, /, **settings) -> Policy:
    """Policy ``name`` given the run's :data:`RUN_SETTINGS` (``--time-limit``
    applies to ``ilp``, ``--model`` to ``gnn``/``gnn-raw``): each goes to the
    policies that take it; the others do not use it."""
    stray = sorted(set(settings) - set(RUN_SETTINGS))
    if stray:
        raise TypeError(f"not a run setting: {stray[0]} (run settings: {', '.join(RUN_SETTINGS)})")
    valid = policy_options(name)
    return get_policy(name, **{key: value for key, value in settings.items() if key in valid})
