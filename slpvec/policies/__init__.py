"""Packing policies: none | greedy | ilp | gnn, one protocol."""

from . import simple  # noqa: F401  (registers none, greedy)
from .base import Policy, get_policy, policy_names, register

__all__ = ["Policy", "get_policy", "policy_names", "register"]
