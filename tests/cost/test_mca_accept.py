"""run_slp(accept_by="mca"): the final accept/reject of a vectorized block by llvm-mca."""

import pytest

from slpvec import driver
from slpvec.target import cpu_target

from .test_mca import SCALAR

HASWELL = cpu_target("haswell", "x86_64-pc-linux-gnu")


def test_a_block_mca_finds_faster_stays_vectorized():
    text, report = driver.run_slp(SCALAR, "greedy", HASWELL, accept_by="mca")
    entry = next(b for b in report.blocks if b.block_id == "add4:entry")
    assert "<4 x double>" in text and not entry.fallback_reason


def test_a_block_mca_finds_slower_stays_scalar(monkeypatch):
    seen = []

    def slower(scalar, vector, block_ids, target):
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
