"""End to end: a C program over every instruction class slpvec once
miscompiled (flagged compares with mixed predicates, selects, abs with both
poison flags, bool arrays, a global and its alias, vec3 arrays) prints the
same under ``clang-22 -O3`` and ``slpvec cc -O3`` with each policy."""

import json
import subprocess
from pathlib import Path

import pytest

from slpvec.tools import cc

PROGRAMS = Path(__file__).parent / "data" / "programs"
# (source, extra flags): the fast-math file's compares read `fcmp fast olt`
UNITS = (("semantics.c", ()), ("semantics_fast.c", ("-ffast-math",)))


def _build(tmp: Path, compile_unit, tag: str) -> str:
    objects = []
    for source, flags in UNITS:
        obj = tmp / f"{tag}-{Path(source).stem}.o"
        compile_unit([*flags, "-O3", "-c", str(PROGRAMS / source), "-o", str(obj)])
        objects.append(str(obj))
    binary = tmp / tag
    subprocess.run(["clang-22", *objects, "-o", str(binary)], check=True)
    return subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("ref")
    return _build(tmp, lambda args: subprocess.run(["clang-22", *args], check=True), "clang")


@pytest.mark.parametrize("policy", ["greedy", "ilp", "gnn"])
def test_program_output_matches_clang(policy, reference, tmp_path):
    reports = tmp_path / "reports"

    def slpvec_cc(args):
        assert cc.main(["--policy", policy, "--report-dir", str(reports), *args]) == 0

    assert _build(tmp_path, slpvec_cc, policy) == reference
    vectorized = {}
    for path in reports.glob("*.json"):
        for block in json.loads(path.read_text())["report"]["blocks"]:
            if block["packs"]:
                vectorized[block["block_id"].split(":")[0]] = len(block["packs"])
    # not vacuous: the kernels with legal packs really were vectorized
    assert {"bools", "selects", "fcmp_fast"} <= set(vectorized), vectorized
