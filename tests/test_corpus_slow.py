"""Corpus-wide: each policy's output verifies (opt-22) and matches the scalar code on
random inputs for every function it changed. Needs the prepared corpus
(python -m dataset.corpus prepare): without it the test fails, naming that command."""

import subprocess

import pytest

from dataset.corpus import corpus_sources
from slpvec.driver import run_slp
from slpvec.inputs import load_module
from slpvec.tools.validate import validate_modules

pytestmark = pytest.mark.slow


# at least this many vectorized blocks must be validated per policy
MIN_VALIDATED = {"greedy": 200, "ilp": 200, "gnn": 200, "gnn-raw": 100}


@pytest.mark.parametrize("policy", sorted(MIN_VALIDATED))
def test_policy_is_correct_on_the_corpus(policy, corpus_root):
    files = corpus_sources(corpus_root)
    assert files, f"no C files in the corpus at {corpus_root}"
    validated_blocks, mismatches, fallbacks, worse = 0, [], [], []
    for path in files:
        module = load_module(path, "haswell")
        text, report = run_slp(module.text, policy)
        fallbacks += [(path.name, b.block_id, b.fallback_reason) for b in report.fallbacks]
        # never worse than scalar: blocks left alone keep their cost (cleanup is
        # DCE only), and a plan is only taken when it saves
        worse += [(path.name, b.block_id) for b in report.blocks if b.cost_after > b.cost_before]
        changed = sorted({b.block_id.split(":")[0] for b in report.blocks if b.vectorized})
        if not changed:
            continue
        verify = subprocess.run(["opt-22", "-passes=verify", "-disable-output", "-"],
                                input=text, capture_output=True, text=True)
        assert verify.returncode == 0, (path, verify.stderr[:500])
        result = validate_modules(module.text, text, seeds=2, functions=changed, run_timeout=5)
        mismatches += [(path.name, fn, seed) for fn, seed in result.mismatches]
        ran = {o.name for o in result.outcomes if o.conclusive}
        validated_blocks += sum(1 for b in report.blocks
                                if b.vectorized and b.block_id.split(":")[0] in ran)
    print(f"validated {validated_blocks} vectorized blocks; fallbacks: {fallbacks}")
    assert mismatches == []
    assert not [f for f in fallbacks if "internal error" in f[2]]
    assert validated_blocks >= MIN_VALIDATED[policy]
    assert worse == []
