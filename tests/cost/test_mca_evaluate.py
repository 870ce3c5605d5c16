"""``slpvec evaluate --yardstick``: llvm-mca cycles per block next to TTI, and where they disagree."""

import pytest

from slpvec.errors import SlpvecError
from slpvec.ir import parse_module
from slpvec.tools.evaluate import BlockRow, EvalRow, evaluate_module
from slpvec.tools.yardstick import as_mca_rows, disagreement, uses_mca

from .test_mca import SCALAR


def test_both_yardsticks_measure_the_vectorized_block():
    rows, blocks = evaluate_module(parse_module(SCALAR), ["greedy", "llvm"], cpu="haswell",
                                   yardstick="both")
    greedy, llvm = rows
    assert greedy.mca_scalar == llvm.mca_scalar > greedy.mca_after > 0
    assert llvm.mca_after == pytest.approx(greedy.mca_after)
    entry = next(b for b in blocks if b.block == "add4:entry")
    assert entry.cost_after < entry.cost_before and entry.mca_after < entry.mca_before
    summary = disagreement(blocks, ["greedy"])
    assert summary.startswith("greedy: 1 vectorized blocks;") and "TTI gain but mca loss: 0" in summary
    assert [r.cost_scalar for r in as_mca_rows(rows)] == [greedy.mca_scalar] * 2


def test_tti_alone_runs_no_mca():
    rows, blocks = evaluate_module(parse_module(SCALAR), ["greedy"], cpu="haswell")
    assert rows[0].mca_scalar is None and all(b.mca_before is None for b in blocks)
    assert as_mca_rows(rows) == []
    with pytest.raises(SlpvecError, match="unknown yardstick 'cycles'"):
        uses_mca("cycles")


def test_disagreement_lists_blocks_where_tti_gains_and_mca_loses():
    def row(block, tti_after, mca_after):
        return BlockRow("k.c", "greedy", block, 10, 4, 10.0, tti_after, None, 0.1, "", 0.0,
                        5.0, mca_after)
    blocks = [row("f:a", 6.0, 7.5), row("f:b", 8.0, 4.0), row("f:c", 10.5, 4.5),
              row("f:d", 10.0, 9.0)]     # d: not vectorized (TTI unchanged), left out
    summary = disagreement(blocks, ["greedy"])
    assert summary.splitlines() == [
        "greedy: 3 vectorized blocks; saving TTI 5.5 units, mca -1.00 cycles; corr -0.752; "
        "TTI gain but mca loss: 1 blocks (2.50 cycles lost); mca gain but no TTI gain: 1",
        "  k.c f:a: TTI 10 -> 6, mca 5.00 -> 7.50 cycles"]
    assert EvalRow("k.c", "greedy", 1, 1, 1, 0, 0, 0).mca_after is None
