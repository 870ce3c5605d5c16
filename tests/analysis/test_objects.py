"""Addresses across the whole function (issue 16 step 2(b)): pointers and
indices computed in other blocks are followed to their roots, and opaque
roots (phis, selects) to their underlying objects, as far as LLVM's BasicAA
goes and no further."""

import time

from slpvec.analysis import build_dependence_graph
from slpvec.analysis.address import (ALLOCA, ARG, GLOBAL_ROOT, OBJECTS, OPAQUE,
                                     AddressAnalysis, may_alias)
from slpvec.analysis.dependence import MEMORY
from slpvec.analysis.value_forms import forms_of
from slpvec.ir import parse_module
from slpvec.ir.datalayout import X86_64_LINUX

GLOBALS = """@g = global [33 x [5 x double]] zeroinitializer
@h = global [33 x [5 x double]] zeroinitializer
@k = global [64 x double] zeroinitializer
"""


def module_text(body: str) -> str:
    """A module of one function; ``body`` is its text from the entry label on."""
    return (f'target datalayout = "{X86_64_LINUX}"\n{GLOBALS}define void @f(ptr %p, ptr %q, '
            f"ptr noalias %n, i64 %i, i32 %j, i1 %c) {{\n{body.strip()}\n}}\n")


def function(body: str):
    """The function of :func:`module_text`."""
    return parse_module(module_text(body)).functions[0]


def addresses(fn, label: str = "body"):
    """Addresses of the loads/stores of block ``label``, in order."""
    block = next(b for b in fn.blocks if b.label == label)
    found = AddressAnalysis(block, fn).addresses()
    return [found[k] for k in sorted(found)]


LU_LIKE = """
entry:
  %rowg = getelementptr inbounds [33 x [5 x double]], ptr @g, i64 %i
  %g1 = getelementptr inbounds i8, ptr %rowg, i64 40
  %rowh = getelementptr inbounds [33 x [5 x double]], ptr @h, i64 %i
  %h1 = getelementptr inbounds i8, ptr %rowh, i64 40
  %h2 = getelementptr inbounds i8, ptr %rowh, i64 80
  br label %body
body:
  %x = phi i64 [ 0, %entry ], [ %x.next, %body ]
  %a = getelementptr inbounds [5 x double], ptr %g1, i64 %x
  %b = getelementptr inbounds [5 x double], ptr %h1, i64 %x
  %c2 = getelementptr inbounds [5 x double], ptr %h2, i64 %x
  %va = load double, ptr %a, align 8
  %vb = load double, ptr %b, align 8
  %vc = load double, ptr %c2, align 8
  %s = fadd double %vb, %vc
  store double %s, ptr %a, align 8
  %a.1 = getelementptr inbounds i8, ptr %a, i64 8
  store double %s, ptr %a.1, align 8
  %x.next = add i64 %x, 1
  %done = icmp eq i64 %x.next, 30
  br i1 %done, label %exit, label %body
exit:
  ret void
"""


def test_preheader_geps_of_globals_get_the_global_root_and_known_distances():
    fn = function(LU_LIKE)
    a, b, c, store, store1 = addresses(fn)
    assert (a.root, a.root_kind) == ("@g", GLOBAL_ROOT) and (b.root, c.root) == ("@h", "@h")
    # 33*5*8 = 1320 bytes per %i, 40 per %x; rows 1 and 2 of @h are 40 bytes apart
    assert b.terms == c.terms == (("%i", 1320), ("%x", 40)) and (b.offset, c.offset) == (40, 80)
    assert store1.offset - store.offset == 8 and not may_alias(store, store1)
    assert not may_alias(a, b) and not may_alias(store, c)
    # before: three opaque roots, every store ordered after every load
    deps = build_dependence_graph(fn.blocks[1], fn)
    memory = {(u, v) for u, v, kind in deps.edges if kind == MEMORY}
    assert memory == {(4, 8)}  # the load of %a and the store back to it


def test_indices_extended_in_another_block_are_followed():
    fn = function("""
entry:
  %w = sext i32 %j to i64
  %w1 = add nsw i64 %w, 1
  br label %body
body:
  %a = getelementptr inbounds double, ptr %p, i64 %w
  %b = getelementptr inbounds double, ptr %p, i64 %w1
  store double 1.0, ptr %a, align 8
  store double 2.0, ptr %b, align 8
  ret void
""")
    a, b = addresses(fn)
    assert a.terms == b.terms == (("sext(%j)", 8),) and b.offset - a.offset == 8
    assert not may_alias(a, b)


def test_allocas_of_the_entry_are_identified_in_every_block():
    fn = function("""
entry:
  %buf = alloca [4 x double], align 16
  br label %body
body:
  %e = getelementptr inbounds double, ptr %buf, i64 1
  store double 1.0, ptr %e, align 8
  store double 2.0, ptr %p, align 8
  ret void
""")
    a, b = addresses(fn)
    assert (a.root, a.root_kind, a.offset) == ("%buf", ALLOCA, 8) and b.root_kind == ARG
    assert not may_alias(a, b)  # an argument cannot point into the function's alloca


PHIS = """
entry:
  %buf = alloca double, align 8
  br i1 %c, label %left, label %right
left:
  %lg = getelementptr inbounds i8, ptr @g, i64 8
  br label %body
right:
  br label %body
body:
  %m = phi ptr [ %lg, %left ], [ @h, %right ]
  %s = select i1 %c, ptr @h, ptr %n
  %t = select i1 %c, ptr %p, ptr @g
  %u = select i1 %c, ptr %buf, ptr %n
  %ld = load ptr, ptr %q, align 8
  store double 1.0, ptr %m, align 8
  store double 2.0, ptr @k, align 8
  store double 3.0, ptr @g, align 8
  store double 4.0, ptr %s, align 8
  store double 5.0, ptr %t, align 8
  store double 6.0, ptr %ld, align 8
  store double 7.0, ptr %q, align 8
  store double 8.0, ptr %u, align 8
  ret void
"""


def test_phi_and_select_roots_alias_by_their_objects():
    fn = function(PHIS)
    _, m, k, g, s, t, ld, q, u = addresses(fn)
    assert (m.root_kind, m.objects) == (OBJECTS, {("@g", GLOBAL_ROOT), ("@h", GLOBAL_ROOT)})
    assert s.objects == {("@h", GLOBAL_ROOT), ("%n", "noalias")}
    assert ld.root_kind == OPAQUE and ld.objects is None  # a loaded pointer: unknown
    assert not may_alias(m, k)  # {@g, @h} against @k
    assert may_alias(m, g)  # both may be @g
    assert may_alias(m, s)  # both may be @h
    assert not may_alias(s, k) and may_alias(s, q)  # {@h, noalias %n}: @k no, an argument may be @h
    assert not may_alias(u, q) and not may_alias(u, m) and may_alias(u, s)  # {%buf, %n}
    assert may_alias(t, q) and may_alias(t, g) and may_alias(t, k)  # %p may be anything global
    assert all(may_alias(ld, x) for x in (m, k, g, s, t, q))


def test_conflict_index_follows_the_object_rules():
    fn = function(PHIS)
    deps = build_dependence_graph(fn.blocks[3], fn)
    memory = {(u, v) for u, v, kind in deps.edges if kind == MEMORY}
    stores = [ins.idx for ins in fn.blocks[3].instrs if ins.kind == "store"]
    m, k, g, s, t, ld, q, u = stores
    assert not {(m, k), (k, s), (m, u), (q, u)} & memory
    assert {(m, g), (m, s), (m, t), (g, t), (k, t), (t, q), (s, q), (m, ld), (ld, q), (s, u)} <= memory


def test_pointer_induction_phi_keeps_its_start_object():
    fn = function("""
entry:
  br label %body
body:
  %cur = phi ptr [ @g, %entry ], [ %next, %body ]
  store double 1.0, ptr %cur, align 8
  store double 2.0, ptr @h, align 8
  %next = getelementptr inbounds i8, ptr %cur, i64 8
  br i1 %c, label %body, label %exit
exit:
  ret void
""")
    cur, h = addresses(fn)
    assert cur.objects == {("@g", GLOBAL_ROOT)} and not may_alias(cur, h)


def test_phi_of_two_phis_stays_unknown_as_in_basic_aa():
    fn = function("""
entry:
  br i1 %c, label %a, label %b
a:
  %pa = phi ptr [ @g, %entry ]
  br i1 %c, label %lc, label %body
lc:
  %lcssa = phi ptr [ %pa, %a ]
  store double 2.0, ptr %lcssa, align 8
  store double 3.0, ptr @k, align 8
  br label %body
b:
  %pb = phi ptr [ @h, %entry ]
  br label %body
body:
  %m = phi ptr [ %pa, %a ], [ %pb, %b ], [ %pa, %lc ]
  store double 1.0, ptr %m, align 8
  store double 3.0, ptr @k, align 8
  ret void
""")
    m, k = addresses(fn)
    assert m.objects is None and may_alias(m, k)  # BasicAA gives up on two phi inputs
    lcssa, k = addresses(fn, "lc")
    assert lcssa.objects == {("@g", GLOBAL_ROOT)} and not may_alias(lcssa, k)


def test_unreachable_cycles_and_missing_blocks_terminate():
    fn = function("""
entry:
  br label %body
dead:
  %d = phi ptr [ %d, %dead ]
  %u = getelementptr inbounds i8, ptr %v, i64 8
  %v = getelementptr inbounds i8, ptr %u, i64 8
  %iu = add i64 %iv, 1
  %iv = add i64 %iu, 1
  store i64 %iv, ptr %d, align 8
  store i64 %iu, ptr %u, align 8
  br label %dead
body:
  store double 1.0, ptr @g, align 8
  ret void
""")
    for block in fn.blocks:
        build_dependence_graph(block, fn)  # no recursion without end
    (g,) = addresses(fn)
    assert g.root == "@g"


def test_long_chains_in_other_blocks_need_no_deep_recursion():
    steps = 5000
    chain = "\n".join(f"  %p{k + 1} = getelementptr inbounds i8, ptr %p{k}, i64 8"
                      for k in range(steps))
    fn = function(f"""
entry:
  %p0 = getelementptr inbounds i8, ptr @k, i64 0
{chain}
  br label %body
body:
  store double 1.0, ptr %p{steps}, align 8
  store double 2.0, ptr %p{steps - 1}, align 8
  ret void
""")
    start = time.perf_counter()
    a, b = addresses(fn)
    assert time.perf_counter() - start < 2
    assert (a.root, a.offset - b.offset) == ("@k", 8) and not may_alias(a, b)


def test_forms_do_not_depend_on_which_block_is_analysed_first():
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        fn = function(LU_LIKE)
        found = {n: AddressAnalysis(fn.blocks[n], fn).addresses() for n in order}
        fresh = function(LU_LIKE)
        assert found[1] == AddressAnalysis(fresh.blocks[1], fresh).addresses()
        assert forms_of(fn) is forms_of(fn)


def _random_function(rng, n_accesses: int) -> str:
    """Loads and stores through phis and selects of every kind of root, and
    through the roots themselves, in the last of three blocks."""
    bases = ["%p", "%q", "%n", "@g", "@h", "@k", "%al", "%op"]
    body, roots = [], list(bases)
    for k in range(rng.randrange(1, 6)):
        first, second = rng.choice(bases), rng.choice(bases)
        body.append(f"%ph{k} = phi ptr [ {first}, %entry ], [ {second}, %left ]")
        roots.append(f"%ph{k}")
    for k in range(rng.randrange(1, 6)):
        first, second = rng.choice(roots), rng.choice(roots)
        body.append(f"%se{k} = select i1 %c, ptr {first}, ptr {second}")
        roots.append(f"%se{k}")
    for k in range(n_accesses):
        body.append(f"%a{k} = getelementptr i8, ptr {rng.choice(roots)}, i64 {rng.choice([0, 4, 8])}")
        t = rng.choice(["i32", "double", "<4 x i32>"])
        if rng.random() < 0.5:
            body.append(f"%v{k} = load {t}, ptr %a{k}, align 4")
        else:
            body.append(f"store {t} zeroinitializer, ptr %a{k}, align 4")
    return ("entry:\n  %al = alloca [64 x i8], align 16\n  %op = load ptr, ptr %q, align 8\n"
            "  br i1 %c, label %left, label %body\nleft:\n  br label %body\nbody:\n  "
            + "\n  ".join(body) + "\n  ret void")


def test_conflict_index_equals_pairwise_may_alias_with_object_roots():
    import random

    from .test_dependence import _pairwise
    rng = random.Random(16)
    kinds = set()
    for trial in range(80):
        fn = function(_random_function(rng, rng.randrange(4, 30)))
        block = fn.blocks[2]
        g = build_dependence_graph(block, fn)
        kinds |= {a.root_kind for a in g.addresses.values()}
        memory, ancestors = _pairwise(block, g.addresses)
        assert list(g.memory_preds) == memory, trial
        assert list(g.ancestors) == ancestors, trial
    assert {OBJECTS, OPAQUE, ARG, GLOBAL_ROOT, ALLOCA, "noalias"} <= kinds


RESIDUES = """
entry:
  %w = sext i32 %j to i64
  br label %body
body:
  %far = getelementptr inbounds [5 x double], ptr %p, i64 %w
  %far8 = getelementptr inbounds i8, ptr %far, i64 8
  %wrap = getelementptr [5 x double], ptr @k, i64 %w
  %k8 = getelementptr inbounds i8, ptr @k, i64 8
  %sh = shl i64 %i, 4
  %step = getelementptr i8, ptr %q, i64 %sh
  %q4 = getelementptr inbounds i8, ptr %q, i64 4
  %both = getelementptr inbounds [5 x double], ptr %n, i64 %w
  %both1 = getelementptr inbounds [3 x double], ptr %n, i64 %w, i64 1
  %both2 = getelementptr inbounds [3 x double], ptr %n, i64 %w, i64 2
  store double 1.0, ptr %far, align 8
  store double 2.0, ptr %far8, align 8
  store double 3.0, ptr %p, align 8
  %p8 = getelementptr inbounds i8, ptr %p, i64 8
  store double 4.0, ptr %p8, align 8
  store double 5.0, ptr %wrap, align 8
  store double 5.5, ptr %k8, align 8
  store i32 6, ptr %step, align 4
  store i32 7, ptr %q4, align 4
  store double 8.0, ptr %both, align 8
  store double 9.0, ptr %both1, align 8
  store double 10.0, ptr %both2, align 8
  ret void
"""


def test_distances_between_terms_are_known_modulo_their_coefficients():
    far, far8, p0, p8, wrap, k8, step, q4, both, both1, both2 = addresses(function(RESIDUES))
    # p + 40*j (inbounds, no wrap) against p: equal only modulo 40
    assert far.exact and far.residues and not may_alias(far8, p0) and not may_alias(far, p8)
    assert may_alias(far, p0) and may_alias(far8, p8)
    # without inbounds the product may wrap: only 40's power-of-two part, 8, is kept
    assert not wrap.exact and wrap.residues and may_alias(wrap, k8)
    # p + 16*i (shl without nsw) is still exact modulo 16: bytes 4-7 are never hit
    assert not may_alias(step, q4)
    # a term both have, with different coefficients (40 and 24): only their
    # difference's power-of-two part, 16, as in LLVM: 40j+0 vs 24j+8 never
    # overlap, 40j+0 vs 24j+16 do for j = -1
    assert not may_alias(both, both1) and may_alias(both, both2)


def test_conflict_index_uses_the_residues():
    fn = function(RESIDUES)
    deps = build_dependence_graph(fn.blocks[1], fn)
    stores = [ins.idx for ins in fn.blocks[1].instrs if ins.kind == "store"]
    far, far8, p0, p8, wrap, k8, step, q4, both, both1, both2 = stores
    memory = {(u, v) for u, v, kind in deps.edges if kind == MEMORY}
    assert not {(far8, p0), (far, p8), (step, q4), (both, both1)} & memory
    assert {(far, p0), (far8, p8), (wrap, k8), (both, both2)} <= memory


def test_chains_through_thousands_of_blocks_are_evaluated_in_order():
    steps = 3000
    blocks = "\n".join(f"b{k}:\n  %p{k + 1} = getelementptr inbounds i8, ptr %p{k}, i64 8\n"
                       f"  br label %b{k + 1}" for k in range(steps))
    fn = function(f"""
entry:
  %p0 = getelementptr inbounds i8, ptr @k, i64 0
  br label %b0
{blocks}
b{steps}:
  store double 1.0, ptr %p{steps}, align 8
  store double 2.0, ptr @k, align 8
  ret void
""")
    start = time.perf_counter()
    a, b = addresses(fn, f"b{steps}")
    assert time.perf_counter() - start < 5
    assert (a.root, a.offset, b.offset) == ("@k", 8 * steps, 0) and not may_alias(a, b)


def test_constant_offsets_are_exact_only_when_too_small_to_wrap():
    fn = function("""
entry:
  %w = sext i32 %j to i64
  br label %body
body:
  %row = getelementptr inbounds [5 x double], ptr @k, i64 %w
  store double 1.0, ptr %row, align 8
  store double 2.0, ptr getelementptr (i8, ptr @k, i64 8), align 8
  store double 3.0, ptr getelementptr (i8, ptr @h, i64 9223372036854775800), align 8
  ret void
""")
    row, near, far = addresses(fn)
    assert near.exact and not far.exact
