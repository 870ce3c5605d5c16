"""Prepare a module for in-process execution by the validation worker.

MCJIT finds definitions by name only, and only external ones: a private
global (string literals, ``__const.*`` tables) has address 0, an unnamed one
(``@0``) cannot be looked up at all, and a private function cannot be called.
:func:`expose` gives every such definition a fresh external name before JIT
compilation, and keeps its *source identity* (its name, or ``@N`` for the
unnamed value printed as ``@N``) so that two versions of a module, renamed the
same way, report their globals and functions under the same keys.

Runs in the worker process only (imports llvmlite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import llvmlite.binding as llvm

from .validate_diff import NAME, symbol_name

# linkages a definition may keep: every other one is made external
KEPT_LINKAGES = (llvm.Linkage.external, llvm.Linkage.appending)
LOCAL_LINKAGES = (llvm.Linkage.private, llvm.Linkage.internal)
SLOT = re.compile(r"@(\d+)\s*(?:=|\()")
REFERENCE = re.compile("@" + NAME)


@dataclass(frozen=True)
class GlobalRegion:
    """A defined global variable's memory in the JIT: ``key`` is its source
    identity, ``constant`` whether the IR declares it ``constant``."""

    key: str
    address: int
    size: int
    constant: bool


@dataclass(frozen=True)
class ExposedModule:
    """What :func:`expose` did: source key -> JIT name of every defined
    function (in module order) and global variable."""

    functions: dict[str, str]
    globals: dict[str, str]

    def function_name(self, requested: str) -> str | None:
        """JIT name of a function asked for by its source name, ``@N`` or ``N``."""
        for key in (requested, "@" + requested, requested.removeprefix("@")):
            if key in self.functions:
                return self.functions[key]
        return None


def source_key(value) -> str:
    """A global value's identity in source text: its name, or ``@N`` when it
    is the unnamed value printed as ``@N``."""
    if value.name:
        return value.name
    header = next((line for line in str(value).splitlines()
                   if line.startswith(("@", "define"))), "")
    match = SLOT.search(header)
    return "@" + match.group(1) if match else "@?"


def _header(value) -> str:
    """The first line of a global variable's definition."""
    return str(value).split("\n", 1)[0]


def expose(mod) -> ExposedModule:
    """Give every local, unnamed or otherwise non-external definition an
    external linkage (and local or unnamed ones a fresh unique name), so
    MCJIT reports its address. Intrinsic-only ``llvm.*`` globals and
    ``appending`` arrays are left alone. Renaming is by source identity, so two
    versions of one module are transformed alike."""
    functions, globals_ = {}, {}
    values = [("g", gv) for gv in mod.global_variables]
    values += [("f", fn) for fn in mod.functions]
    values = [(kind, value) for kind, value in values
              if not value.is_declaration and not value.name.startswith("llvm.")]
    # all keys first: naming one unnamed value renumbers the others
    keys = [source_key(value) for _, value in values]
    for index, ((kind, value), key) in enumerate(zip(values, keys)):
        if value.linkage in LOCAL_LINKAGES or not value.name:
            # a local name may shadow a libc symbol (static memcpy): rename it too
            value.name = f"__slpvec.{kind}{index}"
        if value.linkage not in KEPT_LINKAGES:
            value.linkage = llvm.Linkage.external
        (functions if kind == "f" else globals_)[key] = value.name
    return ExposedModule(functions, globals_)


def global_regions(engine, mod, exposed: ExposedModule, target_data) -> list[GlobalRegion]:
    """Memory of every defined global variable (thread-locals excepted: MCJIT
    has no per-thread copy to snapshot), sized by the JIT's own datalayout."""
    keys = {name: key for key, name in exposed.globals.items()}
    regions = []
    for gv in mod.global_variables:
        if gv.name not in keys:
            continue
        header = _header(gv)
        if "thread_local" in header:
            continue
        size = target_data.get_abi_size(gv.global_value_type)
        address = engine.get_global_value_address(gv.name)
        if size and address:
            constant = " constant " in header.split(" = ", 1)[1][:200]
            regions.append(GlobalRegion(keys[gv.name], address, size, constant))
    return regions


def undefined_uses(mod, exposed: ExposedModule) -> dict[str, str]:
    """JIT name -> why the function cannot run: it uses (itself or through a
    function it references) a declared global or function the process does not
    define, which MCJIT would silently resolve to address 0.

    Call after the engine is created: MCJIT makes the process's symbols
    visible to ``address_of_symbol`` then.
    """
    undefined = {}
    for gv in mod.global_variables:
        if gv.is_declaration and llvm.address_of_symbol(gv.name) is None:
            undefined[gv.name] = f"uses undefined external global @{gv.name}"
    for fn in mod.functions:
        if (fn.is_declaration and not fn.name.startswith("llvm.")
                and llvm.address_of_symbol(fn.name) is None):
            undefined[fn.name] = f"calls undefined external function @{fn.name}"
    defined = set(exposed.functions.values())
    references = {fn.name: {symbol_name(t) for t in REFERENCE.findall(str(fn))} - {fn.name}
                  for fn in mod.functions if fn.name in defined}
    why = {}
    for name, refs in references.items():
        bad = sorted(refs & undefined.keys())
        if bad:
            why[name] = undefined[bad[0]]
    grew = True
    while grew:  # a function calling one that cannot run cannot run either
        grew = False
        for name, refs in references.items():
            callee = next((r for r in sorted(refs) if r in why), None)
            if name not in why and callee is not None:
                why[name] = why[callee]
                grew = True
    return why
