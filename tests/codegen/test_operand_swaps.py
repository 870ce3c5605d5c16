"""operand_vectors re-chooses only positions 0 and 1 when it tries swapping a
commutative lane's operands; this checks the choice against the rule as
documented, every position rebuilt for every trial swap, on the operand
vectors of every candidate pack of real kernels under each greedy plan."""

import pytest

from slpvec.codegen.block import operand_positions
from slpvec.codegen.operands import (_aligned, _score, choose, is_commutative, lane_value,
                                     operand_vectors)
from slpvec.driver import prepare
from slpvec.context import make_context
from slpvec.ir import parse_module
from slpvec.policies import get_policy

from ..conftest import kernel_ir


def rebuilt_each_trial(lanes, positions, pack_of, names, packs):
    """The documented rule, naively: every trial swap rebuilds every position."""
    def build(swaps):
        return [choose([lane_value(ins.operands[(1 - pos) if swap and pos < 2 else pos],
                                   pack_of, names) for ins, swap in zip(lanes, swaps)],
                       packs, lanes[0].operands[pos].type) for pos in positions]

    swaps = [False] * len(lanes)
    best = build(swaps)
    if 0 in positions and 1 in positions:
        for k in range(1, len(lanes)):
            if is_commutative(lanes[k]):
                trial = swaps.copy()
                trial[k] = True
                result = build(trial)
                if (_score(result), -_aligned(result, k)) < (_score(best), -_aligned(best, k)):
                    swaps, best = trial, result
    return best


@pytest.mark.parametrize("kernel", ["complex_mul.c", "quaternion.c", "mat4.c", "butterfly.c",
                                    "fma.c", "addsub.c"])
def test_operand_vectors_equal_rebuilding_every_position_for_every_swap(kernel):
    module, target, costs, table = prepare(parse_module(kernel_ir(kernel)))
    checked = swapped = 0
    for fn in module.functions:
        for block in fn.blocks:
            ctx = make_context(block, fn, target, costs[(fn.name, block.label)], table)
            plan = get_policy("greedy").plan(ctx).packs
            pack_of = {i: (k, lane) for k, p in enumerate(plan) for lane, i in enumerate(p.lanes)}
            names = [ins.ref for ins in block.instrs]
            for cand in ctx.candidates.packs:
                lanes = [block.instrs[i] for i in cand.lanes]
                positions = list(operand_positions(lanes[0]))
                got = operand_vectors(lanes, positions, pack_of, names, plan)
                assert got == rebuilt_each_trial(lanes, positions, pack_of, names, plan)
                checked += 1
                swapped += any(v.lanes != tuple(lane_value(ins.operands[pos], pack_of, names)
                                                for ins in lanes)
                               for v, pos in zip(got, positions))
    assert checked
    if kernel == "complex_mul.c":
        assert swapped  # a kernel where lanes do swap their factors
