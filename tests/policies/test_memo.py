"""The per-block answers policies remember (slpvec.policies.memo): equal to
computing them afresh, and keyed by the part of the context they come from,
so a context with other candidates (the driver's forwarding retry) never
reads the first one's answers."""

from dataclasses import replace

from slpvec.context import make_context
from slpvec.driver import prepare
from slpvec.ir import parse_module
from slpvec.ir.types import LOAD
from slpvec.policies.memo import load_candidates, operand_packs

from ..conftest import kernel_ir


def context(kernel: str):
    module, target, costs, table = prepare(parse_module(kernel_ir(kernel)))
    fn = module.functions[0]
    block = max(fn.blocks, key=len)
    return make_context(block, fn, target, costs[(fn.name, block.label)], table)


def loads_by_brute_force(ctx):
    instrs = ctx.block.instrs
    index = {}
    for lanes in sorted(p.lanes for p in ctx.candidates.packs):
        if instrs[lanes[0]].kind == LOAD:
            index.setdefault((lanes[0], len(lanes)), []).append(lanes)
    return index


def test_remembered_operand_packs_equal_the_generators_and_are_kept_per_generator():
    ctx = context("mat4.c")
    packs = [p.lanes for p in ctx.candidates.packs]
    assert packs
    for lanes in packs:
        assert operand_packs(ctx, lanes) == tuple(ctx.generator.operand_packs(lanes))
        assert operand_packs(ctx, lanes) is operand_packs(ctx, lanes)  # the remembered one
    first = operand_packs(ctx, packs[0])
    other = replace(ctx, generator=make_context(ctx.block, ctx.function, ctx.target,
                                                ctx.scalar_costs, ctx.table).generator)
    assert operand_packs(other, packs[0]) == first
    assert operand_packs(other, packs[0]) is not first  # another generator: computed again


def test_load_index_matches_the_candidates_and_follows_a_changed_candidate_set():
    ctx = context("mat4.c")
    index = load_candidates(ctx)
    assert index == loads_by_brute_force(ctx) and index
    assert load_candidates(ctx) is index
    dropped = next(iter(index.values()))[0]
    fewer = replace(ctx, candidates=replace(ctx.candidates, packs=tuple(
        p for p in ctx.candidates.packs if p.lanes != dropped)))
    assert fewer.memo is ctx.memo  # the copy shares the memo, as with_budget's do
    assert load_candidates(fewer) == loads_by_brute_force(fewer)
    assert all(dropped not in packs for packs in load_candidates(fewer).values())
