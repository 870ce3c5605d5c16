"""The validator on real C: private string literals, constant tables, unnamed
and internal globals, undefined externals, garbage pointers and
nondeterministic functions. Before the worker exposed private globals every
run of such a module crashed in both versions and a wrong result passed."""

import time

import llvmlite.binding as llvm
import pytest

from slpvec.cli import main
from slpvec.toolchain import compile_c_to_ir, run_tool
from slpvec.tools.validate import validate_modules

C_SOURCE = r"""
#include <string.h>
static const double table[4] = {1.5, -2.25, 3.0, 0.5};
static double acc;
double total;
extern double external_scale;

const char *greeting(int i) { return i > 8 ? "a long greeting" : "hi"; }
void blend(double *restrict out, const double *restrict a, const double *restrict b, int k) {
  out[0] = a[0] * table[k & 3] + b[0];
  out[1] = a[1] * table[(k + 1) & 3] + b[1];
  out[2] = a[2] * table[(k + 2) & 3] + b[2];
  out[3] = a[3] * table[(k + 3) & 3] + b[3];
}
void bump(const double *a, int k) { acc += a[0] * table[k & 3]; }
struct state { double x; int n; } state;
void update(const double *a, int k) { state.x = a[0] * table[k & 3]; state.n += k; }
void message(char *out, int n) { memcpy(out, n > 8 ? "a long greeting" : "hi, this is short", 16); }
void local_table(double *restrict out, const double *restrict in, int k) {
  const double t[4] = {0.25, 8.0, -1.0, 3.5};
  for (int i = 0; i < 4; i++) out[i] = in[i] * t[(i + k) & 3];
}
__attribute__((noinline)) static double twice(double x, int k) { return x * 2.0 + table[k & 3]; }
double use_twice(double x, int k) { return twice(x, k) * table[(k + 1) & 3]; }
void link(double **out, double *a) { out[0] = a + 2; out[1] = a; }
double deref(double **p) { return *p[0] * *p[1]; }
void scale_external(double *out, const double *a) { out[0] = a[0] * external_scale; }
void where(const double **out) { out[0] = &total; }
long ticks(void) { return (long)__builtin_readcyclecounter(); }
"""


def unname(text: str, names: tuple[str, ...]) -> str:
    """``text`` with the globals ``names`` made unnamed (printed @0, @1, ...)."""
    mod = llvm.parse_assembly(text)
    for gv in mod.global_variables:
        if gv.name in names:
            gv.name = ""
    return str(mod)


@pytest.fixture(scope="module")
def scalar(tmp_path_factory):
    """The C above at -O3 without SLP, a string literal and ``acc`` unnamed."""
    source = tmp_path_factory.mktemp("validate") / "tables.c"
    source.write_text(C_SOURCE)
    text = unname(compile_c_to_ir(source, "haswell", ("-ffp-contract=off",)), (".str", "acc"))
    assert "@0 = private" in text and "@1 = internal" in text  # unnamed globals
    assert "@__const.local_table.t = private" in text and "@table = internal" in text
    return text


@pytest.fixture(scope="module")
def vectorized(scalar):
    """LLVM's SLP vectorizer applied to ``scalar`` (a different, equivalent module)."""
    text = run_tool("opt", ["-S", "-passes=slp-vectorizer", "-"], stdin=scalar).stdout
    assert "fmul <4 x double>" in text
    return text


def outcome(result, name):
    return next(o for o in result.outcomes if o.name == name)


def mutate(text: str, old: str, new: str, within: str) -> str:
    """``text`` with the first ``old`` inside function ``within`` made ``new``."""
    start = text.index(f"@{within}(")
    i = text.index(old, start)
    assert i < text.index("\n}", start)
    return text[:i] + new + text[i + len(old):]


def test_equivalent_modules_compare_conclusively(scalar, vectorized):
    """Every function that takes no garbage pointer and has no address or
    timer in its output is compared: private, unnamed and internal globals
    included, and an internal (fastcc) function is called directly."""
    result = validate_modules(scalar, vectorized, seeds=3)
    assert result.ok and result.mismatches == ()
    for name in ("blend", "bump", "update", "message", "local_table", "use_twice", "twice", "link"):
        assert outcome(result, name).conclusive == 3, outcome(result, name).summary()
    assert outcome(result, "blend").changed and not outcome(result, "message").changed


def test_mutation_in_a_vector_block_is_a_mismatch(scalar, vectorized):
    wrong = mutate(vectorized, "fmul <4 x double>", "fadd <4 x double>", "blend")
    result = validate_modules(scalar, wrong, seeds=3)
    assert result.mismatches == (("blend", 0), ("blend", 1), ("blend", 2))
    assert outcome(result, "local_table").conclusive == 3


def test_mutation_seen_only_in_an_unnamed_global_is_a_mismatch(scalar, vectorized):
    """``bump`` writes nothing but the (unnamed, internal) ``acc``."""
    wrong = mutate(vectorized, "fmul double", "fadd double", "bump")
    assert validate_modules(scalar, wrong, seeds=2).mismatches == (("bump", 0), ("bump", 1))


def test_mutation_seen_only_in_a_struct_global_is_a_mismatch(scalar, vectorized):
    """``update`` writes nothing but ``state`` (a named struct, sized by the
    JIT's datalayout: the Python sizing could not, and skipped it)."""
    assert "@state = dso_local local_unnamed_addr global %struct.state" in scalar
    wrong = mutate(vectorized, "fmul double", "fadd double", "update")
    result = validate_modules(scalar, wrong, seeds=2, functions=["update", "bump"])
    assert result.mismatches == (("update", 0), ("update", 1))


def test_constant_table_read_is_compared(scalar):
    """A changed entry of a private constant table changes the results."""
    wrong = scalar.replace("double 8.000000e+00, double -1.000000e+00",
                           "double 8.000000e+00, double -2.000000e+00", 1)
    assert wrong != scalar
    result = validate_modules(scalar, wrong, seeds=2, functions=["local_table"])
    assert result.mismatches == (("local_table", 0), ("local_table", 1))


def test_garbage_pointer_crashes_in_both_without_hanging(scalar):
    start = time.monotonic()
    result = validate_modules(scalar, scalar, seeds=2, functions=["deref"], run_timeout=5)
    assert outcome(result, "deref").crashes == 2 and result.ok
    assert result.inconclusive == (("deref", 0), ("deref", 1))
    assert time.monotonic() - start < 30


def test_undefined_external_is_named_not_run(scalar):
    result = validate_modules(scalar, scalar, seeds=1, functions=["scale_external", "blend"])
    skipped = outcome(result, "scale_external")
    assert skipped.conclusive == 0
    assert skipped.skipped == "uses undefined external global @external_scale"
    assert outcome(result, "blend").conclusive == 1


def test_address_and_timer_outputs_are_nondeterministic(scalar):
    """Two runs of the same module differ for these: not a mismatch."""
    result = validate_modules(scalar, scalar, seeds=2, functions=["where", "ticks", "greeting"])
    assert result.ok
    assert set(result.nondeterministic) == {(f, s) for f in ("where", "ticks", "greeting")
                                            for s in (0, 1)}
    assert all(o.nondeterministic == 2 and not o.conclusive for o in result.outcomes)
    assert result.control_runs == 6


def test_pointers_into_argument_buffers_are_deterministic(scalar):
    """``link`` stores pointer arguments: the buffers sit at one address in
    every worker, so the stored pointers compare."""
    result = validate_modules(scalar, scalar, seeds=2, functions=["link"])
    assert outcome(result, "link").conclusive == 2 and result.control_runs == 0


def run_cli(capsys, *argv):
    code = main(["validate", *map(str, argv), "--seeds", "2"])
    return code, capsys.readouterr().out


def test_cli_fails_when_a_changed_function_got_no_conclusive_run(scalar, tmp_path, capsys):
    """``deref`` changes (its operands swapped: same result) but crashes on
    every input: nothing about it was checked, so the exit status says so."""
    original, changed = tmp_path / "a.ll", tmp_path / "b.ll"
    original.write_text(scalar)
    start = scalar.index("@deref(")
    mul = scalar.index("fmul double ", start)
    left, right = scalar[mul + len("fmul double "):scalar.index("\n", mul)].split(", ")
    changed.write_text(scalar[:mul] + f"fmul double {right}, {left}"
                       + scalar[scalar.index("\n", mul):])
    code, out = run_cli(capsys, original, changed, "--functions", "deref,blend")
    assert code == 4
    assert "NOT CHECKED deref (changed): 0 of 2 runs conclusive; 2 crashed in both versions" in out
    assert "NOT CHECKED blend" not in out


def test_cli_passes_when_only_unchanged_functions_are_not_conclusive(scalar, vectorized,
                                                                    tmp_path, capsys):
    original, vector = tmp_path / "a.ll", tmp_path / "b.ll"
    original.write_text(scalar)
    vector.write_text(vectorized)
    code, out = run_cli(capsys, original, vector)
    assert code == 0, out
    assert "NOT CHECKED ticks (unchanged)" in out and "NOT CHECKED blend" not in out
    assert "NOT CHECKED scale_external (unchanged): 0 of 2 runs conclusive; not run: " \
           "uses undefined external global @external_scale" in out
