"""The compiler variants compared on NPB, all at ``-O3`` with the same ``-march``."""

from __future__ import annotations

import hashlib
import shlex
import sys
from dataclasses import dataclass

from slpvec.errors import SlpvecError

VARIANTS = ("clang-O3-noslp", "clang-O3", "clang-O3-again", "slpvec-greedy", "slpvec-ilp",
            "slpvec-gnn")
BASELINE = "clang-O3"
NOISE = "clang-O3-again"   # a second, identical clang -O3 build: the noise floor


@dataclass(frozen=True)
class Variant:
    """A named compiler command (``CC`` for NPB's make.def)."""

    name: str
    cc: str
    policy: str | None = None      # slpvec policy, None for plain clang
    key: str = ""                  # what else its output depends on (slpvec_key)


@dataclass(frozen=True)
class VariantOptions:
    """Knobs shared by the slpvec variants."""

    time_limit: float = 10.0
    model: str | None = None


def make_variant(name: str, options: VariantOptions = VariantOptions()) -> Variant:
    """The variant called ``name``; SlpvecError if unknown or its policy is unavailable."""
    from slpvec.tools.cc import CcOptions, make_policy
    from slpvec.toolchain import tool_path

    if name in (BASELINE, NOISE):
        return Variant(name, tool_path("clang"))
    if name == "clang-O3-noslp":
        return Variant(name, f"{tool_path('clang')} -fno-slp-vectorize")
    if not name.startswith("slpvec-"):
        raise SlpvecError(f"unknown variant '{name}' (choose from {', '.join(VARIANTS)})")
    policy = name.removeprefix("slpvec-")
    make_policy(CcOptions(policy=policy, model=options.model, time_limit=options.time_limit))
    cc = [sys.executable, "-m", "slpvec", "cc", "--policy", policy]
    if policy == "ilp":
        cc += ["--time-limit", f"{options.time_limit:g}"]
    if policy == "gnn" and options.model:
        cc += ["--model", options.model]
    return Variant(name, shlex.join(cc), policy, slpvec_key())


def slpvec_key() -> str:
    """A digest of what an slpvec build depends on besides its command: the
    pass plugin's binary, slpvec's sources and model and the ``SLPVEC_*``
    environment (as the plugin server keys them), so a build made before any
    of these changed is not reused."""
    from slpvec.tools.plugin_bridge import PLUGIN_DIR, PLUGIN_NAME
    from slpvec.tools.plugin_server import socket_path

    digest = hashlib.sha1(socket_path().name.encode())
    plugin = PLUGIN_DIR / "build" / PLUGIN_NAME
    if plugin.is_file():
        digest.update(plugin.read_bytes())
    return digest.hexdigest()[:16]


def available_variants(names: list[str], options: VariantOptions = VariantOptions(),
                       warn=print) -> list[Variant]:
    """The variants of ``names`` that can run; each skipped one is reported via ``warn``."""
    found = []
    for name in names:
        try:
            found.append(make_variant(name, options))
        except SlpvecError as err:
            if name not in VARIANTS:
                raise
            warn(f"skipping variant {name}: {err}")
    return found
