"""The cross-validation report's per-source shortfalls (no training needed)."""

from models.crossval import largest_gaps
from slpvec.tools.evaluate import EvalRow


def row(source, policy, after):
    return EvalRow(source, policy, 1, 100.0, after, 0.1, 0, 0)


def test_largest_gaps_lists_sources_where_a_policy_trails_the_ilp():
    rows = [row("a.c", "ilp", 50), row("a.c", "gnn", 58),
            row("b.c", "ilp", 70), row("b.c", "gnn", 69),   # gnn better: not a shortfall
            row("c.c", "ilp", 10), row("c.c", "gnn", 12)]
    assert largest_gaps(rows, "gnn") == [(8.0, "a.c"), (2.0, "c.c")]
    assert largest_gaps(rows, "gnn", count=1) == [(8.0, "a.c")]
    assert largest_gaps(rows, "greedy") == []
