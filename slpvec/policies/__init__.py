"""Packing policies: none | greedy | greedy-refined | ilp | gnn | gnn-raw, one protocol."""

from . import simple  # noqa: F401  (registers none, greedy, greedy-refined)
from .base import Policy, get_policy, policy_names, register

__all__ = ["Policy", "get_policy", "policy_names", "register"]
