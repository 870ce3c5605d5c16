"""run_slp(accept_by="mca"): the final accept/reject of a vectorized block by llvm-mca."""

import pytest

from slpvec import driver
from slpvec.target import cpu_target

from .test_mca import GATHERED, SCALAR

HASWELL = cpu_target("haswell", "x86_64-pc-linux-gnu")


def test_a_block_mca_finds_faster_stays_vectorized():
    text, report = driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="mca")
    entry = next(b for b in report.blocks if b.block_id == "add4:entry")
    assert "<4 x double>" in text and not entry.fallback_reason


def test_a_block_mca_finds_slower_stays_scalar(monkeypatch):
    seen = []

    def slower(scalar, vector, block_ids, target, margin=0.0):
        seen.append(tuple(block_ids))
        return {"add4:entry": "llvm-mca: vector code takes 9.00 cycles, scalar 4.00; kept scalar"}
    monkeypatch.setattr(driver, "mca_slower_blocks", slower)
    text, _ = driver.run_slp(SCALAR, "greedy", HASWELL)            # tti: no mca check
    assert "<4 x double>" in text and seen == []
    text, report = driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="mca")
    assert seen == [("add4:entry",)]
    assert "x double>" not in text
    entry = next(b for b in report.blocks if b.block_id == "add4:entry")
    assert entry.fallback_reason.startswith("llvm-mca: vector code takes 9.00 cycles")
    assert entry.cost_after == entry.cost_before


def test_vectorize_command_takes_accept_by(tmp_path, capsys):
    from slpvec.cli import main

    source, out = tmp_path / "add4.ll", tmp_path / "out.ll"
    source.write_text(SCALAR)
    assert main(["vectorize", str(source), "-mcpu", "haswell", "-o", str(out),
                 "--accept-by", "mca"]) == 0
    assert "<4 x double>" in out.read_text()
    with pytest.raises(SystemExit):
        main(["vectorize", str(source), "-o", str(out), "--accept-by", "cycles"])
    assert "invalid choice: 'cycles'" in capsys.readouterr().err


def test_tti_plus_mca_asks_only_about_small_gains(monkeypatch):
    """accept_by="tti+mca": llvm-mca judges only blocks whose estimated saving
    is under SMALL_GAIN of their scalar cost (add4's packs save about 3/4),
    and a block within SMALL_GAIN_MARGIN of the scalar cycles stays vector."""
    seen = []

    def slower(scalar, vector, block_ids, target, margin=0.0):
        assert margin == driver.SMALL_GAIN_MARGIN > 0
        seen.append(tuple(block_ids))
        return {"add4:entry": "llvm-mca: vector code takes 9.00 cycles, scalar 4.00; kept scalar"}
    monkeypatch.setattr(driver, "mca_slower_blocks", slower)
    text, _ = driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="tti+mca")
    assert "<4 x double>" in text and seen == []
    monkeypatch.setattr(driver, "SMALL_GAIN", 0.9)
    text, report = driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="tti+mca")
    assert seen == [("add4:entry",)] and "x double>" not in text
    with pytest.raises(ValueError, match="accept_by"):
        driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="cycles")


def test_front_ends_accept_by_tti_plus_mca_unless_told():
    from slpvec.errors import SlpvecError
    from slpvec.tools.frontend_env import accept_by

    assert accept_by({}) == "tti+mca"
    assert accept_by({"SLPVEC_ACCEPT_BY": "tti"}) == "tti"
    with pytest.raises(SlpvecError, match=r"\$SLPVEC_ACCEPT_BY=cycles: not one of tti, mca"):
        accept_by({"SLPVEC_ACCEPT_BY": "cycles"})


def test_the_margin_keeps_ties():
    from slpvec.cost import mca

    assert mca.mca_slower_blocks(SCALAR, GATHERED, ["add4:entry"], HASWELL)
    assert mca.mca_slower_blocks(SCALAR, GATHERED, ["add4:entry"], HASWELL, margin=100.0) == {}
