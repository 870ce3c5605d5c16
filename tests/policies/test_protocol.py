"""The policy protocol: declared options, batch planning, solve records in the report."""

import json

import pytest

from slpvec.context import make_context
from slpvec.driver import prepare, run_slp
from slpvec.errors import SlpvecError
from slpvec.ir import parse_module
from slpvec.packs import PackPlan
from slpvec.policies import Policy, get_policy, policy_for_run, policy_options, register

from ..conftest import kernel_ir


def contexts(kernel: str):
    """Contexts of the kernel's blocks that have candidates."""
    module, target, costs, table = prepare(parse_module(kernel_ir(kernel)))
    ctxs = [make_context(b, f, target, costs[(f.name, b.label)], table)
            for f in module.functions for b in f.blocks]
    return [c for c in ctxs if c.candidates.packs]


@pytest.mark.parametrize("name, options, valid", [
    ("greedy", {"time_limt": 3}, "(it takes no options)"),
    ("ilp", {"time_limt": 3}, "(its options: time_limit_s, solver)"),
    ("gnn", {"modle": "x"}, "(its options: model, network)"),
])
def test_a_misspelt_option_is_a_one_line_error_naming_the_valid_ones(name, options, valid):
    with pytest.raises(SlpvecError) as err:
        get_policy(name, **options)
    message = str(err.value)
    assert message == f"policy '{name}' has no option '{next(iter(options))}' {valid}"


def test_options_are_the_constructor_keywords():
    assert policy_options("ilp") == ("time_limit_s", "solver")
    assert policy_options("greedy") == policy_options("none") == ()
    with pytest.raises(SlpvecError, match="unknown solver 'glpk'"):
        get_policy("ilp", solver="glpk")  # checked once, not per block


def test_run_settings_go_only_to_the_policies_that_take_them():
    assert policy_for_run("ilp", time_limit_s=3.0, model=None).time_limit_s == 3.0
    assert policy_for_run("greedy", time_limit_s=3.0, model="m").name == "greedy"
    with pytest.raises(TypeError, match="not a run setting: time_limt"):
        policy_for_run("greedy", time_limt=3.0)


def test_a_policy_swallowing_options_cannot_register():
    class Swallowing(Policy):
        name = "swallowing-for-test"

        def __init__(self, **_):
            pass

        def plan(self, ctx):
            return PackPlan(ctx.block.id)

    with pytest.raises(TypeError, match="not \\*\\*kwargs"):
        register(Swallowing)


@pytest.mark.parametrize("policy", ["greedy", "greedy-refined", "ilp"])
def test_batch_planning_equals_per_block_planning(policy):
    ctxs = contexts("vec4.c")
    planner = get_policy(policy)
    outcomes = planner.plan_blocks(ctxs, 20.0)
    assert len(outcomes) == len(ctxs) > 1
    assert [o.unwrap() for o in outcomes] == [planner.plan(c) for c in ctxs]
    assert all(o.error is None and o.seconds > 0 for o in outcomes)


class FailsOnSecond(Policy):
    """Greedy, except that planning the second block raises; records the
    time left each block was given."""

    name = "fails-on-second"

    def __init__(self):
        self.calls, self.time_left = 0, []

    def plan(self, ctx):
        self.calls += 1
        self.time_left.append(ctx.time_left())
        if self.calls == 2:
            raise RuntimeError("boom")
        return get_policy("greedy").plan(ctx)


def test_a_failing_block_keeps_its_error_and_the_others_their_plans():
    ctxs = contexts("vec4.c")
    policy = FailsOnSecond()
    outcomes = policy.plan_blocks(ctxs, 5.0)
    assert [o.error is not None for o in outcomes] == [k == 1 for k in range(len(ctxs))]
    assert isinstance(outcomes[1].error, RuntimeError) and outcomes[1].plan is None
    with pytest.raises(RuntimeError, match="boom"):
        outcomes[1].unwrap()
    assert all(0 < left <= 5.0 for left in policy.time_left)  # the per-block budget


def test_the_driver_leaves_a_failed_block_scalar_with_the_reason():
    _, report = run_slp(kernel_ir("vec4.c"), FailsOnSecond())
    planned = [b for b in report.blocks if b.n_candidates]
    assert planned[1].fallback_reason == "internal error: RuntimeError: boom"
    assert not planned[1].vectorized and any(b.vectorized for b in planned)


def test_run_slp_takes_only_policies():
    class Duck:
        name = "duck"

        def plan(self, ctx):
            return PackPlan(ctx.block.id)

    with pytest.raises(TypeError, match="needs a policy name or a Policy"):
        run_slp(kernel_ir("vec4.c"), Duck())


def test_ilp_solve_records_are_in_the_report():
    _, report = run_slp(kernel_ir("vec4.c"), "ilp")
    planned = [b for b in report.blocks if b.n_candidates]
    assert planned and all(b.solve is not None for b in planned)
    for block in planned:
        assert block.solve.policy == "ilp" and block.solve.status == "optimal"
        assert block.solve.kept == ("ilp" if block.vectorized else "scalar")
        assert block.solve.n_candidates == block.n_candidates
        assert block.solve.scalar_cost == block.cost_before
        assert block.solve.objective <= block.cost_before and block.solve.seconds > 0
    written = json.loads(json.dumps(report.to_json()))
    assert written["blocks"][0]["solve"]["status"] == "optimal"


def test_policies_without_a_search_have_no_solve_record():
    _, report = run_slp(kernel_ir("vec4.c"), "greedy")
    assert all(b.solve is None for b in report.blocks)
    assert all(b["solve"] is None for b in report.to_json()["blocks"])


def test_the_front_ends_list_of_policy_names_is_the_registry():
    """slpvec cc checks a policy name against slpvec.policy_names without
    importing the policies; that list must be exactly what the registry
    (including the lazily imported ilp and gnn) offers."""
    from slpvec.policies import policy_names
    from slpvec.policy_names import BUILTIN_POLICIES, check_policy_name

    assert sorted(BUILTIN_POLICIES) == policy_names()
    assert check_policy_name("gnn") == "gnn"
    with pytest.raises(SlpvecError, match="unknown policy 'nope' \\(choose from gnn, gnn-raw"):
        check_policy_name("nope")
