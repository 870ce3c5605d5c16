"""The names of the built-in policies, importable without the vectorizer.

``slpvec cc`` runs once per source file under ``make``; on the plugin route
the worker builds the policy, so the front end only checks the name and must
not pay for importing the policies (and the GNN's numpy model) each time.
``tests/policies/test_registry.py`` keeps this list equal to the registry's.
"""

from __future__ import annotations

from .errors import SlpvecError

BUILTIN_POLICIES = ("gnn", "gnn-raw", "greedy", "greedy-refined", "ilp", "none")
MODEL_POLICIES = ("gnn", "gnn-raw")   # the policies that read ``--model``


def check_policy_name(name: str) -> str:
    """``name`` if it is a built-in policy, else a one-line SlpvecError
    listing the valid names (the same message as the registry's)."""
    if name not in BUILTIN_POLICIES:
        raise SlpvecError(f"unknown policy '{name}' (choose from {', '.join(BUILTIN_POLICIES)})")
    return name


def check_model_option(policy: str, model: str | None) -> None:
    """A one-line SlpvecError (``ModelFileError``) when ``model`` is given for
    a policy that reads it but is not a model directory this slpvec can use
    (missing files, corrupt config, another feature spec); the weights are
    left to the worker. Without it the plugin route warned once per source and
    built the whole project scalar, so a mistyped ``--model`` went unnoticed."""
    if model and policy in MODEL_POLICIES:
        from models.checkpoint import read_config
        read_config(model)
