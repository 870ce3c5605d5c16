"""Cost kinds and the cache-key prefix shared by every cost query."""

from __future__ import annotations

import hashlib

from ..errors import SlpvecError
from ..target import Target
from ..toolchain import llvm_version

COST_KINDS = ("throughput", "latency", "code-size", "size-latency")


def check_kind(cost_kind: str) -> str:
    if cost_kind not in COST_KINDS:
        raise SlpvecError(f"unknown cost kind '{cost_kind}' (choose from {', '.join(COST_KINDS)})")
    return cost_kind


def key_prefix(target: Target, cost_kind: str) -> str:
    """``llvm-version|cpu|features-hash|cost-kind``."""
    features = hashlib.sha256(target.features.encode()).hexdigest()[:12]
    return f"{llvm_version()}|{target.triple}|{target.cpu}|{features}|{check_kind(cost_kind)}"


def opt_cost_args(target: Target, cost_kind: str) -> list[str]:
    return ["-passes=print<cost-model>", "-disable-output", f"-cost-kind={cost_kind}",
            *target.opt_flags(), "-"]
