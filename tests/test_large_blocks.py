"""Blocks up to the 10,000-instruction limit: every policy plans them in
seconds with bounded memory. The shapes below have a quadratic memory
relation (every access may alias) and, up to the cap, 1,000 candidates; the
default tests check structural bounds, the ``slow`` one runs every policy on
every shape at the limit."""

import pytest

from ilp_oracle.problem import build_problem
from slpvec.analysis import build_dependence_graph
from slpvec.codegen import operands
from slpvec.context import make_context
from slpvec.driver import MAX_BLOCK_INSTRS, prepare, run_slp
from slpvec.graph import GraphTooLarge, build_graph
from slpvec.ir import parse_module
from slpvec.ir.types import Instr
from slpvec.policies import get_policy

from .analysis.test_dependence import aliasing_block as stores_then_loads


def _function(params: str, body: list[str]) -> str:
    return (f"define void @f({params}) {{\nentry:\n  " + "\n  ".join(body)
            + "\n  ret void\n}\n")


def _loads(value: str, root: str, ks) -> list[str]:
    """%{value}k = root[k] (floats) for each k."""
    return ([f"%{value}.p{k} = getelementptr float, ptr {root}, i64 {k}" for k in ks]
            + [f"%{value}{k} = load float, ptr %{value}.p{k}, align 4" for k in ks])


def _stores(value: str, root: str, ks) -> list[str]:
    """root[k] = %{value}k for each k."""
    return ([f"%{value}.q{k} = getelementptr float, ptr {root}, i64 {k}" for k in ks]
            + [f"store float %{value}{k}, ptr %{value}.q{k}, align 4" for k in ks])


def interleaved(n_instrs: int, lanes: int = 4) -> str:
    """b[k] = a[k] * 2.0 in groups of ``lanes`` (loads, multiplies, stores),
    through two arguments that may alias: each group's loads depend on every
    earlier store, and each group packs."""
    body: list[str] = []
    group = 0
    while len(body) + 5 * lanes < n_instrs:
        ks = range(group * lanes, (group + 1) * lanes)
        body += _loads("x", "%a", ks)
        body += [f"%y{k} = fmul float %x{k}, 2.0" for k in ks]
        body += _stores("y", "%b", ks)
        group += 1
    return _function("ptr %a, ptr %b", body)


def mixed_roots(n_instrs: int, n_roots: int = 8, lanes: int = 4) -> str:
    """Groups of ``out[k] = x[k] * y[k] op z`` (op rotating over fadd, fmul,
    fsub) over rotating argument pointers that all may alias each other, with
    a scalar ``z`` shared by every lane (splat operands)."""
    params = ", ".join(f"ptr %p{r}" for r in range(n_roots)) + ", float %z"
    body: list[str] = []
    group = 0
    while len(body) + 8 * lanes < n_instrs:
        ks = range(group * lanes, (group + 1) * lanes)
        x, y, out = (f"%p{(group + s) % n_roots}" for s in (0, 1, 2))
        op = ("fadd", "fmul", "fsub")[group % 3]
        body += _loads("x", x, ks) + _loads("y", y, ks)
        body += [f"%m{k} = fmul float %x{k}, %y{k}" for k in ks]
        body += [f"%s{k} = {op} float %m{k}, %z" for k in ks]
        body += _stores("s", out, ks)
        group += 1
    return _function(params, body)


def loaded_pointers(n_instrs: int) -> str:
    """A table of about n_instrs / 4 pointers (2,499 at the size limit), all
    loaded first; then the i32 behind each is read and stored through the
    next one: as many unrelated roots as pointers, all of which may alias."""
    m = (n_instrs - 1) // 4
    body = [f"%pp{k} = getelementptr ptr, ptr %table, i64 {k}" for k in range(m)]
    body += [f"%q{k} = load ptr, ptr %pp{k}, align 8" for k in range(m)]
    body += [f"%v{k} = load i32, ptr %q{k}, align 4" for k in range(m)]
    body += [f"store i32 %v{k}, ptr %q{(k + 1) % m}, align 4" for k in range(m)]
    return _function("ptr %table", body)


SHAPES = {"stores_then_loads": stores_then_loads, "interleaved": interleaved,
          "mixed_roots": mixed_roots, "loaded_pointers": loaded_pointers}
POLICIES = ("greedy", "greedy-refined", "ilp", "gnn")


def block_context(text: str):
    module, target, costs, table = prepare(parse_module(text))
    fn = module.functions[0]
    block = fn.blocks[0]
    return make_context(block, fn, target, costs[(fn.name, block.label)], table)


def test_gnn_leaves_a_block_too_large_for_the_model_to_greedy_refined():
    module = stores_then_loads(3000)  # 749 stores, then 749 loads that may read them
    _, report = run_slp(module, "gnn")
    (block,) = report.blocks
    assert "gnn: block too large for the model: 561,001 memory edges" in block.plan_note
    assert "greedy-refined plan instead" in block.plan_note
    _, refined = run_slp(module, "greedy-refined")
    assert block.packs and block.packs == refined.blocks[0].packs


def test_a_graph_is_refused_before_its_memory_relation_is_spelled_out():
    fn = parse_module(stores_then_loads(3000)).functions[0]
    deps = build_dependence_graph(fn.blocks[0], fn)
    with pytest.raises(GraphTooLarge, match="561,001 memory edges"):
        build_graph(fn.blocks[0], deps, ())
    assert "edges" not in vars(deps)  # 561,001 tuples were never made


def test_greedy_prices_each_tree_by_its_neighbourhood_not_the_block(monkeypatch):
    ctx = block_context(interleaved(1000))
    calls = []
    choose = operands.choose
    monkeypatch.setattr(operands, "choose", lambda *a: calls.append(1) or choose(*a))
    plan = get_policy("greedy").plan(ctx)
    assert len(plan.packs) > 100
    # an operand vector is chosen again only when a pack next to it changes
    # (441 times); building the codegen of the whole plan per estimate chose
    # every chosen pack's operands again for every tree tried (11,025 times)
    assert len(calls) < 2 * len(ctx.candidates.packs)


def test_the_ilp_problem_reads_instruction_names_not_per_slot(monkeypatch):
    ctx = block_context(stores_then_loads(2000))
    reads = []
    ref = Instr.ref
    monkeypatch.setattr(Instr, "ref", property(lambda ins: reads.append(1) or ref.fget(ins)))
    problem = build_problem(ctx)
    assert len(problem.slots) > 400
    assert len(reads) < len(ctx.block)  # it listed every name per slot: 2,000 x 500


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_every_policy_plans_a_block_at_the_size_limit(shape):
    module = SHAPES[shape](MAX_BLOCK_INSTRS - 1)
    for policy in POLICIES:
        _, report = run_slp(module, policy)
        (block,) = report.blocks
        assert block.n_instrs > MAX_BLOCK_INSTRS - 25 and block.n_candidates == 1000
        assert not block.fallback_reason, policy
        # no budget cut: greedy's note would say "time budget", the ILP's "time limit"
        assert "time" not in block.plan_note, (policy, block.plan_note)
        assert ("too large for the model" in block.plan_note) == (policy == "gnn")
        print(f"{shape} {policy}: {block.seconds:.1f} s for the block, "
              f"{block.policy_seconds:.1f} s in the policy, {len(block.packs)} packs")


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["interleaved", "mixed_roots"])
def test_the_model_plans_a_block_of_a_thousand_candidates(shape):
    module = SHAPES[shape](2000)  # a graph within the model's limit
    _, report = run_slp(module, "gnn")
    (block,) = report.blocks
    assert block.n_candidates == 1000 and not block.plan_note and block.packs
    print(f"{shape} gnn: {block.seconds:.1f} s for the block, "
          f"{block.policy_seconds:.1f} s in the policy")
