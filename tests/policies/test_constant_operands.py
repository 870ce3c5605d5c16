"""A pack's constant operand vector is priced as the constant codegen writes
in: TTI prices ``sdiv <2 x i32> %x, <i32 2, i32 2>`` 4 on haswell and the same
division by an unknown vector 80, so with an argument in its place the
estimate and the ILP never packed a division or shift by constants that
LLVM's SLP packs (NPB MG setup). Positions codegen may swap (0 and 1 of
commutative lanes) stay unknown vectors, so the price is what is emitted."""

from slpvec.driver import run_slp
from slpvec.pricing import pack_queries
from slpvec.packs import Pack
from slpvec.tools.validate import validate_modules

from ..codegen.test_golden import AVX2, HEADER
from ..ilp_oracle.helpers import context


def lanes_ir(op: str, rhs: tuple[str, str], elem: str = "i32") -> str:
    """``q[k] = p[k] <op> rhs[k]`` for two lanes (``rhs[k]`` may name ``%a``/``%b``,
    the loaded values, to put the constant first)."""
    size = {"i32": 4, "double": 8}[elem]
    body = [f"%p1 = getelementptr inbounds {elem}, ptr %p, i64 1",
            f"%a = load {elem}, ptr %p, align {size}", f"%b = load {elem}, ptr %p1, align {size}"]
    for k, (value, right) in enumerate(zip(("%a", "%b"), rhs)):
        left, right = (right, value) if right.startswith("!") else (value, right)
        body.append(f"%x{k} = {op} {elem} {left.lstrip('!')}, {right}")
    body += [f"%q1 = getelementptr inbounds {elem}, ptr %q, i64 1",
             f"store {elem} %x0, ptr %q, align {size}", f"store {elem} %x1, ptr %q1, align {size}"]
    return (f"define void @f(ptr noalias %p, ptr noalias %q) {{\nentry:\n  "
            + "\n  ".join(body) + "\n  ret void\n}\n")


def test_a_division_by_constants_is_priced_as_emitted_and_packed():
    ir = HEADER + lanes_ir("sdiv", ("2", "2"))
    text, report = run_slp(ir, "ilp", AVX2)
    (block,) = report.blocks
    assert "sdiv <2 x i32> %slp.0, splat (i32 2)" in text
    assert block.cost_after == block.estimated_after < block.cost_before
    result = validate_modules(ir, text, seeds=2)
    assert result.ok and not result.inconclusive, result


def test_constant_positions_are_literals_unless_codegen_may_swap_them():
    ctx = context(HEADER + lanes_ir("shl", ("3", "5")))
    (query,) = pack_queries(ctx, Pack((3, 4)))
    assert query.text == "%r = shl <2 x i32> %a0, <i32 3, i32 5>" and query.arg_types == (
        "<2 x i32>",)
    # mul commutes: codegen may swap lane 1's factors, so both stay unknown vectors
    ctx = context(HEADER + lanes_ir("mul", ("3", "5")))
    (query,) = pack_queries(ctx, Pack((3, 4)))
    assert query.text == "%r = mul <2 x i32> %a0, %a1"


def test_swapped_commutative_lanes_with_a_constant_are_priced_as_emitted():
    # lane 1 reads 5 * b: codegen swaps it back; the estimate is the yardstick
    ir = HEADER + lanes_ir("mul", ("3", "!5"))
    text, report = run_slp(ir, "ilp", AVX2)
    (block,) = report.blocks
    assert "mul <2 x i32>" in text and block.cost_after == block.estimated_after
