"""Packing policies: none | greedy | greedy-refined | ilp | gnn | gnn-raw, one protocol."""

from . import simple  # noqa: F401  (registers none, greedy, greedy-refined)
from .base import (PlanOutcome, Policy, SolveRecord, get_policy, policy_for_run, policy_names,
                   policy_options, register)

__all__ = ["PlanOutcome", "Policy", "SolveRecord", "get_policy", "policy_for_run",
           "policy_names", "policy_options", "register"]
