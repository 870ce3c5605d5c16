"""Never claim more than LLVM: every pair of accesses our address analysis
calls independent is NoAlias in LLVM's own alias analysis (aa-eval), on the
C programs under tests/data, the hand-written multi-block functions of
test_objects, and (slow) the corpus."""

import subprocess
from pathlib import Path

import pytest

from slpvec.inputs import load_module
from slpvec.ir import parse_module

from .alias_agreement import check_agreement
from .test_objects import LU_LIKE, PHIS, RESIDUES, module_text

DATA = Path(__file__).parent.parent / "data"
C_FILES = sorted((DATA / "kernels").glob("*.c")) + sorted((DATA / "programs").glob("*.c"))


def _agrees(module, timeout: float | None = None) -> int:
    found = check_agreement(module, timeout)
    assert not found.contradicted, found.contradicted[:10]
    assert not found.unmatched, found.unmatched[:10]
    return found.confirmed


def test_no_alias_claims_on_the_c_test_programs_are_llvm_no_alias():
    confirmed = sum(_agrees(load_module(path, "haswell")) for path in C_FILES)
    assert confirmed > 10_000


@pytest.mark.parametrize("body", [LU_LIKE, PHIS, RESIDUES],
                         ids=["preheader-geps", "phis-selects", "residues"])
def test_no_alias_claims_across_blocks_are_llvm_no_alias(body):
    assert _agrees(parse_module(module_text(body))) >= 5


@pytest.mark.slow
def test_no_alias_claims_on_the_corpus_are_llvm_no_alias(corpus_root):
    from dataset.corpus import corpus_sources
    files = corpus_sources(corpus_root)
    assert files, f"no C files in the corpus at {corpus_root}"
    confirmed, too_slow = 0, []
    for path in files:
        try:
            confirmed += _agrees(load_module(path, "haswell"), timeout=120)
        except subprocess.TimeoutExpired:
            too_slow.append(path.name)  # aa-eval on thousands of pointers
    assert confirmed > 0 and len(too_slow) <= len(files) // 10, too_slow
