"""Full NPB class S: every benchmark builds and verifies for every available variant,
and NPB's own makefiles build with ``make CC="slpvec cc --policy greedy"``.

Marked ``nas`` (not in the default run). Fails, naming the fetch command, when NPB
is not available (conftest.npb_root).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nas_bench.npb import BENCHMARKS, make_def, prepare_tree
from nas_bench.runner import run_binary
from nas_bench.suite import SuiteConfig, run_suite

pytestmark = pytest.mark.nas


@pytest.fixture(scope="module")
def npb(npb_root):
    return npb_root


def test_class_s_builds_and_verifies_for_every_variant(npb, tmp_path):
    messages = []
    result = run_suite(SuiteConfig(out=tmp_path / "out", npb_class="S", repeats=1,
                                   build_dir=tmp_path / "build", rebuild=True, quiet=True),
                       log=messages.append)
    variants = {b.variant for b in result.builds}
    assert {"clang-O3-noslp", "clang-O3", "slpvec-greedy", "slpvec-ilp"} <= variants, messages
    failed = [(b.benchmark, b.variant, b.error) for b in result.builds if not b.ok]
    assert not failed
    assert len(result.runs) == len(BENCHMARKS) * len(variants)
    unverified = [(r.benchmark, r.variant) for r in result.runs if not r.verified]
    assert not unverified
    for name in ("nas.csv", "nas.md", "nas.png", "compile.csv", "compile.md"):
        assert (tmp_path / "out" / name).is_file()


def test_make_with_slpvec_cc_as_cc(npb, tmp_path):
    tree = prepare_tree(npb, tmp_path, make_def("clang-22", "-O3 -march=native"))
    slpvec = shutil.which("slpvec", path=str(Path(sys.executable).parent))
    assert slpvec, "the slpvec console script is not installed next to python"
    proc = subprocess.run(["make", "CG", "CLASS=S", f"CC={slpvec} cc --policy greedy"],
                          cwd=tree, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"{slpvec} cc --policy greedy" in proc.stdout
    seconds, verified, _ = run_binary(tree / "bin" / "cg.S.x")
    assert verified
