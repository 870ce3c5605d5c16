"""The machine slpvec vectorizes for: triple, cpu, features, vector width."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import llvmlite.binding as llvm

from .errors import SlpvecError


@dataclass(frozen=True)
class Target:
    """A code-generation target.

    ``features`` is LLVM's comma-separated feature string (``+avx2,+fma,...``);
    ``vector_bits`` the widest vector register slpvec packs into (128/256/512).
    """

    triple: str
    cpu: str
    features: str = ""
    vector_bits: int = 128

    def max_lanes(self, element_bits: int, limit: int = 8) -> int:
        """Most lanes of ``element_bits`` that fit a register (capped at ``limit``)."""
        return max(1, min(limit, self.vector_bits // max(element_bits, 1)))

    def attribute_text(self) -> str:
        """A function attribute group body that pins this target in synthetic IR."""
        text = f'"target-cpu"="{self.cpu}"'
        if self.features:
            text += f' "target-features"="{self.features}"'
        return text

    def opt_flags(self) -> list[str]:
        """``-mtriple/-mcpu`` flags for opt-22 and llc-22."""
        flags = [f"-mtriple={self.triple}", f"-mcpu={self.cpu}"]
        if self.features:
            flags.append(f"-mattr={self.features}")
        return flags


def vector_bits_for(features: str) -> int:
    """Vector register width implied by a feature string.

    AVX-512 counts as 512 bits, AVX as 256, otherwise SSE's 128 (also the
    answer for non-x86 targets, whose vectors are 128 bits in practice).
    """
    enabled = {f[1:] for f in features.split(",") if f.startswith("+")}
    if "avx512f" in enabled and "prefer-256-bit" not in enabled:
        return 512
    if "avx" in enabled:
        return 256
    return 128


@functools.cache
def host_target() -> Target:
    """The machine slpvec runs on, as llvmlite sees it."""
    llvm.initialize_native_target()
    features = llvm.get_host_cpu_features().flatten()
    return Target(llvm.get_process_triple(), llvm.get_host_cpu_name(), features,
                  vector_bits_for(features))


def cpu_target(cpu: str, triple: str | None = None, features: str = "") -> Target:
    """A target from a cpu name (and optional feature string); the vector
    width comes from the features, else from the cpu's own feature macros."""
    return Target(triple or host_target().triple, cpu, features,
                  vector_bits_for(features) if features else _vector_bits_of_cpu(cpu))


def target_for(module, cpu: str | None = None) -> Target:
    """The target of a parsed module.

    clang writes ``"target-cpu"`` / ``"target-features"`` attributes that
    override ``-mcpu``; they win unless ``cpu`` is given explicitly. Falls back
    to the host for modules that carry neither.
    """
    host = host_target()
    triple = module.triple or host.triple
    attrs = next((dict(fn.attributes) for fn in module.functions
                  if dict(fn.attributes).get("target-cpu")), {})
    if cpu:
        features = "" if cpu != host.cpu else host.features
        if not features and cpu == attrs.get("target-cpu"):
            features = attrs.get("target-features", "")
        return cpu_target(cpu, triple, features)
    if attrs.get("target-cpu"):
        return cpu_target(attrs["target-cpu"], triple, attrs.get("target-features", ""))
    return Target(triple, host.cpu, host.features, host.vector_bits)


_TARGET_CPU_ATTR = re.compile(r'"target-cpu"="[^"]*"')
_TARGET_FEATURES_ATTR = re.compile(r'\s*"target-features"="[^"]*"')
# A call of a target's own intrinsic (llvm.x86.avx2.psign.d, llvm.aarch64.neon...):
# code that instruction selection can only lower with the features it was built for.
_TARGET_INTRINSIC = re.compile(r"@llvm\.(?:x86|aarch64|arm|ppc|mips|riscv|wasm|nvvm|amdgcn|"
                               r"r600|hexagon|s390|loongarch|bpf|ve|spv|dx)\.")


def retarget(module_text: str, cpu: str) -> str:
    """IR text with every function's ``"target-cpu"`` set to ``cpu``.

    clang's per-function target attributes override ``-mcpu`` in opt/llc, so
    an explicit cpu must be written into the IR. ``"target-features"`` are
    dropped, so the cpu's own features apply, unless the module calls a
    target-specific intrinsic: then they stay, added to the cpu's own
    features (LLVM applies a function's features on top of its cpu), since
    llc cannot select an AVX2 intrinsic for a cpu without AVX2.
    """
    text = _TARGET_CPU_ATTR.sub(f'"target-cpu"="{cpu}"', module_text)
    if _TARGET_INTRINSIC.search(text):
        return text
    return _TARGET_FEATURES_ATTR.sub("", text)


@functools.cache
def _vector_bits_of_cpu(cpu: str) -> int:
    """Vector width of a cpu, from clang-22's predefined feature macros."""
    from .toolchain import run_tool
    try:
        macros = run_tool("clang", [f"-march={cpu}", "-E", "-dM", "-x", "c", "-"], stdin="").stdout
    except SlpvecError:  # unknown cpu or no clang: the portable answer
        return 128
    if "#define __AVX512F__ 1" in macros:
        return 512
    return 256 if "#define __AVX__ 1" in macros else 128
