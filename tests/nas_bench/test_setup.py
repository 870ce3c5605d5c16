"""nas_bench plumbing: variants, make.def (fetching NPB: test_fetch.py)."""

import pytest

from nas_bench import variants
from nas_bench.npb import make_def
from slpvec.errors import SlpvecError


def test_unavailable_variant_is_skipped(monkeypatch):
    def unavailable(opts):
        raise SlpvecError(f"policy '{opts.policy}' is not available: no module")
    monkeypatch.setattr("slpvec.tools.cc.make_policy", unavailable)
    messages = []
    found = variants.available_variants(["clang-O3", "slpvec-gnn"], warn=messages.append)
    assert [v.name for v in found] == ["clang-O3"]
    assert messages == ["skipping variant slpvec-gnn: policy 'gnn' is not available: no module"]
    with pytest.raises(SlpvecError, match="unknown variant"):
        variants.available_variants(["gcc"])


def test_slpvec_variant_is_a_cc_command():
    ilp = variants.make_variant("slpvec-ilp", variants.VariantOptions(time_limit=3))
    assert ilp.cc.endswith("-m slpvec cc --policy ilp --time-limit 3")
    assert "CC = clang-22 -fno-slp-vectorize\nCLINK = $(CC)\nC_LIB = -lm\n" in \
        make_def("clang-22 -fno-slp-vectorize", "-O3")


def test_slpvec_builds_are_keyed_by_what_they_depend_on(monkeypatch):
    """A build is reused only while its make.def is the same: an slpvec
    variant's names the plugin, slpvec's sources and the SLPVEC_* environment."""
    monkeypatch.delenv("SLPVEC_PLACEMENT", raising=False)
    before = variants.make_variant("slpvec-greedy")
    assert before.key and before.key in make_def(before.cc, "-O3", before.key)
    assert variants.make_variant("clang-O3").key == ""
    monkeypatch.setenv("SLPVEC_PLACEMENT", "last")
    after = variants.make_variant("slpvec-greedy")
    assert after.cc == before.cc and after.key != before.key
