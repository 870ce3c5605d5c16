"""nas_bench plumbing: NPB from a tarball, variants, make.def."""

import tarfile

import pytest

from nas_bench import variants
from nas_bench.npb import NasError, make_def, resolve_npb
from slpvec.errors import SlpvecError


def _fake_npb(root):
    npb = root / "NPB3.3-SER-C"
    for rel in ("sys/setparams.c", "sys/print_header", "sys/print_instructions",
                "common/wtime.c", "sys/setparams"):
        (npb / rel).parent.mkdir(parents=True, exist_ok=True)
        (npb / rel).write_text("x")
    return npb


def test_npb_from_tarball_goes_to_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr("nas_bench.npb.CACHE", tmp_path / "cache")
    npb = _fake_npb(tmp_path / "src")
    tarball = tmp_path / "npb.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(npb, arcname="NPB3.3-SER-C")
    found = resolve_npb(str(tarball))
    assert found.is_relative_to(tmp_path / "cache") and (found / "sys/setparams.c").is_file()
    assert not (found / "sys/setparams").exists()          # stale foreign binary dropped
    assert resolve_npb(str(npb.parent)) == npb
    with pytest.raises(NasError, match="not an NPB3.3-SER-C folder"):
        resolve_npb(str(tmp_path))


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
