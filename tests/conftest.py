"""Shared fixtures: an isolated cost cache and compiled kernels."""

import functools
from pathlib import Path

import pytest

from slpvec.toolchain import compile_c_to_ir

KERNELS = Path(__file__).parent / "data" / "kernels"
KERNEL_FILES = sorted(KERNELS.glob("*.c"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_cost_cache(tmp_path_factory):
    """Each test session gets its own on-disk cost cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SLPVEC_CACHE_DIR", str(tmp_path_factory.mktemp("slpvec-cache")))
    yield
    mp.undo()


@functools.cache
def kernel_ir(name: str, march: str = "haswell") -> str:
    """IR of a test kernel, compiled once per session."""
    return compile_c_to_ir(KERNELS / name, march)
