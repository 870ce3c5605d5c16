"""Lanes that differ in a fact the semantics depend on (compare predicate,
immediate argument, i1 in memory) never share a vector instruction; lanes that
agree still do. Each module runs through the greedy and the ILP policy and is
checked by differential execution and golden IR."""

import re

import pytest

from slpvec.driver import run_slp
from slpvec.tools.validate import validate_modules

POLICIES = ["greedy", "ilp"]


def lanes_module(lane, n=4, ret="void"):
    """``f(a, b, o)``: lane k of ``lane(k)`` (IR lines using %x{k}, %y{k},
    loaded from a[k] and b[k]) stores %r{k} to o[k]."""
    body = []
    for k in range(n):
        body += [f"%pa{k} = getelementptr inbounds i32, ptr %a, i64 {k}",
                 f"%x{k} = load i32, ptr %pa{k}, align 4",
                 f"%pb{k} = getelementptr inbounds i32, ptr %b, i64 {k}",
                 f"%y{k} = load i32, ptr %pb{k}, align 4",
                 *lane(k)]
    return ("define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %o) {\nentry:\n  "
            + "\n  ".join(body) + "\n  ret void\n}\n")


def store_i32(k, value):
    return [f"%po{k} = getelementptr inbounds i32, ptr %o, i64 {k}",
            f"store i32 {value}, ptr %po{k}, align 4"]


def run_checked(ir, policy):
    """Vectorize; the output computes what the input does (bit-exact)."""
    text, report = run_slp(ir, policy)
    result = validate_modules(ir, text, seeds=4)
    assert result.ok and len(result.inconclusive) < result.runs, result
    return text, report.blocks[0]


# Each lane's operands for a compare: icmp on values with the sign bit cleared
# (so `samesign` holds and nothing is poison), fcmp on the bits as floats.
COMPARED = {"icmp": ("i32", "lshr i32 {}, 1"), "fcmp": ("float", "bitcast i32 {} to float")}


def compare_lane(opcode, predicates):
    elem, operand = COMPARED[opcode]

    def lane(k):
        return [f"%u{k} = " + operand.format(f"%x{k}"), f"%v{k} = " + operand.format(f"%y{k}"),
                f"%c{k} = {opcode} {predicates[k]} {elem} %u{k}, %v{k}",
                f"%r{k} = zext i1 %c{k} to i32", *store_i32(k, f"%r{k}")]
    return lane


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("opcode, predicates", [
    ("icmp", ["samesign ult", "samesign ugt"] * 2),
    ("fcmp", ["fast olt", "fast ogt"] * 2),
])
def test_compares_of_different_predicates_are_not_packed(opcode, predicates, policy):
    text, block = run_checked(lanes_module(compare_lane(opcode, predicates)), policy)
    assert block.vectorized  # loads, shifts/casts, zext and stores still pack
    assert "store <4 x i32>" in text
    assert not re.search(r"[if]cmp [a-z ]*<\d+ x", text)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("opcode, predicates, vector_cmp", [
    ("icmp", ["samesign ult", "ult"] * 2, "icmp ult <4 x i32>"),
    ("icmp", ["samesign ult"] * 4, "icmp samesign ult <4 x i32>"),
    ("fcmp", ["fast olt", "nnan olt"] * 2, "fcmp nnan olt <4 x float>"),
])
def test_compares_of_one_predicate_pack_with_the_common_flags(opcode, predicates,
                                                              vector_cmp, policy):
    text, block = run_checked(lanes_module(compare_lane(opcode, predicates)), policy)
    assert block.vectorized and vector_cmp in text


def intrinsic_lane(call):
    def lane(k):
        return [f"%r{k} = call i32 {call(k)}", *store_i32(k, f"%r{k}")]
    return lane


DECLARE = ("declare i32 @llvm.abs.i32(i32, i1 immarg)\n"
           "declare i32 @llvm.ctlz.i32(i32, i1 immarg)\n")


@pytest.mark.parametrize("policy", POLICIES)
def test_abs_with_different_poison_flags_is_not_packed(policy):
    # abs(x, true) is poison for INT_MIN where abs(x, false) is defined: lane 0's
    # flag must not be applied to the other lanes
    lane = intrinsic_lane(lambda k: f"@llvm.abs.i32(i32 %x{k}, i1 {['true', 'false'][k % 2]})")
    text, _ = run_checked(DECLARE + lanes_module(lane), policy)
    assert "@llvm.abs.v" not in text  # (with one flag they pack: the test below)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name, flag", [("abs", "true"), ("abs", "false"), ("ctlz", "false")])
def test_intrinsic_immargs_stay_scalar_constants(name, flag, policy):
    lane = intrinsic_lane(lambda k: f"@llvm.{name}.i32(i32 %x{k}, i1 {flag})")
    text, block = run_checked(DECLARE + lanes_module(lane), policy)
    assert block.vectorized
    assert re.search(rf"call <4 x i32> @llvm\.{name}\.v4i32\(<4 x i32> %[\w.]+, i1 {flag}\)",
                     text)


@pytest.mark.parametrize("policy", POLICIES)
def test_i1_values_are_never_stored_as_a_bit_vector(policy):
    def lane(k):
        return [f"%c{k} = icmp slt i32 %x{k}, %y{k}",
                f"%po{k} = getelementptr inbounds i8, ptr %o, i64 {k}",
                f"store i1 %c{k}, ptr %po{k}, align 1"]
    text, block = run_checked(lanes_module(lane, n=8), policy)
    assert not re.search(r"(store|load) <\d+ x i1>", text)
    assert block.vectorized and "icmp slt <8 x i32>" in text  # the compares still pack


@pytest.mark.parametrize("policy", POLICIES)
def test_i1_loads_are_not_packed_but_i1_logic_is(policy):
    def lane(k):
        return [f"%pc{k} = getelementptr inbounds i8, ptr %a, i64 {64 + k}",
                f"%l{k} = load i1, ptr %pc{k}, align 1",
                f"%c{k} = icmp slt i32 %x{k}, %y{k}",
                f"%d{k} = and i1 %c{k}, %l{k}",
                f"%r{k} = select i1 %d{k}, i32 %x{k}, i32 %y{k}", *store_i32(k, f"%r{k}")]
    # golden only: random bytes are not i1 values, so loading them is undefined
    text, report = run_slp(lanes_module(lane), policy)
    block = report.blocks[0]
    assert not re.search(r"load <\d+ x i1>", text)
    assert block.vectorized and re.search(r"and <4 x i1>", text)
    assert re.search(r"select <4 x i1>", text)
