"""Underlying objects of a pointer, across the whole function.

The objects a pointer may point into: follow GEPs, bitcasts and
addrspacecasts to their base, a phi to each incoming value and a select to
both choices, anywhere in the function, down to the leaves: global objects,
allocas, ``noalias`` and plain arguments. Any other leaf (a loaded pointer, a
call's result, ``inttoptr``, a constant that is not a global) leaves the set
unknown, as does a search that meets more than :data:`MAX_VISITS` values.

Two accesses whose objects are all pairwise "distinct identified objects"
(distinct globals, allocas, ``noalias`` arguments) or "an argument and an
object identified inside the function" (an alloca, a ``noalias`` argument) do
not alias: what LLVM's BasicAA concludes from the same sets, querying a
select through both its choices (``aliasSelect``) and a phi through its
incoming values (``aliasPHI``). The phi rules are BasicAA's too, so nothing
is claimed that LLVM would not: an incoming value that is the phi itself, or
based on it through at most :data:`LLVM_LOOKUP` GEPs and casts (a pointer
induction variable), adds nothing; a phi with another phi among its incoming
values is only seen through when that phi is its only other incoming value
(an LCSSA phi), else its objects are unknown.
"""

from __future__ import annotations

from ..ir.types import CONST, GLOBAL, LABEL, LOCAL, VALUE, Operand
from .value_forms import ALLOCA, ARG, GLOBAL_ROOT, NOALIAS_ARG, PointerForm, ValueForms

MAX_VISITS = 32
LLVM_LOOKUP = 6  # BasicAA's MaxLookupSearchDepth, for getUnderlyingObject
_LOOK_THROUGH = ("getelementptr", "bitcast", "addrspacecast")
ObjectSet = frozenset  # of (object name, root kind)


def underlying_objects(forms: ValueForms, form: PointerForm) -> ObjectSet | None:
    """The (name, kind) of every object the pointer ``form`` may point into,
    ``None`` when unknown. A root that is itself an object is its own set."""
    if form.kind in (GLOBAL_ROOT, ALLOCA, ARG, NOALIAS_ARG):
        return frozenset({(form.root, form.kind)})
    if form.where is None:
        return None
    memo = forms.object_memo
    if form.where not in memo:
        memo[form.where] = _search(forms, form.where)
    return memo[form.where]


def _search(forms: ValueForms, start: tuple[int, int]) -> ObjectSet | None:
    objects: set[tuple[str, str]] = set()
    seen = {start}
    todo = [start]
    while todo:
        b, idx = todo.pop()
        ins = forms.blocks[b].instrs[idx]
        if ins.opcode == "alloca":
            objects.add((ins.ref, ALLOCA))
            continue
        if ins.opcode in _LOOK_THROUGH:
            sources = ins.operands[:1]
        elif ins.opcode == "select":
            sources = ins.operands[1:3]
        elif ins.opcode == "phi":
            sources = _phi_sources(forms, b, idx)
            if sources is None:
                return None
        else:
            return None
        for op in sources:
            where = _where(forms, op, b)
            if where is None:
                leaf = _leaf(forms, op)
                if leaf is None:
                    return None
                objects.add(leaf)
            elif where not in seen:
                if len(seen) >= MAX_VISITS:
                    return None
                seen.add(where)
                todo.append(where)
    return frozenset(objects)


def _phi_sources(forms: ValueForms, b: int, idx: int) -> list[Operand] | None:
    """The incoming values of phi ``(b, idx)`` to look through, BasicAA's way;
    ``None`` when BasicAA would not."""
    sources, phis = [], 0
    for op in forms.blocks[b].instrs[idx].operands:
        if op.kind == LABEL or op.text in (s.text for s in sources):
            continue
        if _based_on(forms, op, b, (b, idx)):
            continue  # the phi itself, or a step from it: an induction variable
        where = _where(forms, op, b)
        if where is not None and forms.blocks[where[0]].instrs[where[1]].opcode == "phi":
            phis += 1
        sources.append(op)
    if not sources or (phis and len(sources) > 1):
        return None
    return sources


def _based_on(forms: ValueForms, op: Operand, b: int, phi: tuple[int, int]) -> bool:
    """Is ``op`` the value defined at ``phi``, at most LLVM_LOOKUP GEPs and
    casts away?"""
    for _ in range(LLVM_LOOKUP + 1):
        where = _where(forms, op, b)
        if where is None:
            return False
        if where == phi:
            return True
        ins = forms.blocks[where[0]].instrs[where[1]]
        if ins.opcode not in _LOOK_THROUGH:
            return False
        op, b = ins.operands[0], where[0]
    return False


def _where(forms: ValueForms, op: Operand, b: int) -> tuple[int, int] | None:
    """Definition of an operand of block ``b`` in the function (any block)."""
    if op.kind == LOCAL:
        return b, op.index
    return forms.defs.get(op.text) if op.kind == VALUE else None


def _leaf(forms: ValueForms, op: Operand) -> tuple[str, str] | None:
    """The object an operand that is not an instruction stands for, if any."""
    if op.kind == VALUE and op.text in forms.args:
        return op.text, forms.root_kind(op.text)
    if op.kind == GLOBAL and op.object:
        return op.object, GLOBAL_ROOT
    if op.kind == CONST and op.gep and op.object:
        return op.object, GLOBAL_ROOT
    return None
