"""Fuzz modules: globals, debug info, invoke-terminated blocks around the groups.

:class:`ModuleBuilder` owns what a module shares between its functions: the
datalayout (the host's, or an i386-like one with 64- or 32-bit pointers),
table globals (named, unnamed ``@0``/``@1`` numbered in order, aliases), the debug
metadata ``clang -g`` emits (compile unit, subprograms, variables, locations,
``#dbg_value`` records at block starts and after instructions) and, for the
invoke class, the personality and the callee of the ``invoke`` that ends the
entry block.
"""

from __future__ import annotations

import random

from .blocks import SCALAR_PARAMS, FunctionBuilder
from .layout import FOREIGN_LAYOUT, HOST_LAYOUT, POINTER32_LAYOUT, alloc_size
from .places import WINDOW, Obj, signed
from .streams import FP_TYPES

TRIPLE = "x86_64-pc-linux-gnu"
# both defined, not declared: the validator cannot run a function that needs an
# external the process lacks (no C++ runtime), and MCJIT crashes on an invoke
# of an external function
PERSONALITY = "fuzz_personality"
CALLEE = "may_throw"


class DebugInfo:
    """Metadata ids of one function's subprogram, variable and location."""

    def __init__(self, subprogram: int, variable: int, location: int):
        self.subprogram, self.variable, self.location = subprogram, variable, location

    def attach(self, rng: random.Random) -> str:
        """`` , !dbg !L`` for about half the instructions, as -g leaves them."""
        return f", !dbg !{self.location}" if rng.random() < 0.5 else ""

    def record(self, value: str, type_text: str, rng: random.Random, p: float = 0.4) -> list[str]:
        if rng.random() >= p:
            return []
        return [f"#dbg_value({type_text} {value}, !{self.variable}, !DIExpression(), "
                f"!{self.location})"]


class ModuleBuilder:
    """Collects globals and metadata; :meth:`function` adds one function."""

    def __init__(self, spec):
        self.spec = spec
        self.layout = (POINTER32_LAYOUT if spec.pointer32 else
                       FOREIGN_LAYOUT if spec.foreign_layout else HOST_LAYOUT)
        self.globals: list[str] = []
        self.unnamed = self.named = 0
        self.metadata: list[str] = []
        if spec.debug:
            self._debug_header()

    def table_length(self, elem: str) -> int:
        """Elements of a table global: every lane spelling stays inside it."""
        return -(-(WINDOW + 80) // alloc_size(self.layout, elem))

    def table(self, elem: str, kind: str, rng: random.Random) -> Obj:
        """A fresh global ``[n x elem]`` with random contents: ``named``
        (``@g<k>``), ``unnamed`` (``@<k>``), or either behind an alias."""
        length = self.table_length(elem)
        array = f"[{length} x {elem}]"
        init = ", ".join(f"{elem} {_table_value(elem, rng)}" for _ in range(length))
        if kind.startswith("unnamed"):
            key, alias = f"@{self.unnamed}", f"@u{self.unnamed}.alias"
            self.unnamed += 1
        else:
            key, alias = f"@g{self.named}", f"@g{self.named}.alias"
            self.named += 1
        linkage = rng.choice(("", "internal "))
        self.globals.append(f"{key} = {linkage}global {array} [{init}], align 16")
        if not kind.endswith("alias"):
            return Obj(key, (key,), elem, table=True)
        self.globals.append(f"{alias} = alias {array}, ptr {key}")
        return Obj(key, (key, alias), elem, table=True)

    def _meta(self, text: str) -> int:
        self.metadata.append(text)
        return len(self.metadata) - 1

    def _debug_header(self) -> None:
        self._meta('distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: '
                   '"slpvec fuzz", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)')
        self._meta('!DIFile(filename: "fuzz.c", directory: "/tmp")')
        self._meta('!{i32 7, !"Dwarf Version", i32 5}')
        self._meta('!{i32 2, !"Debug Info Version", i32 3}')
        self._meta('!DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)')
        self._meta("!DISubroutineType(types: !{null})")

    def _debug_function(self, name: str) -> DebugInfo:
        line = len(self.metadata)
        sp = self._meta(f'distinct !DISubprogram(name: "{name}", scope: !1, file: !1, '
                        f"line: {line}, type: !5, scopeLine: {line}, "
                        "spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)")
        var = self._meta(f'!DILocalVariable(name: "v", scope: !{sp}, file: !1, line: {line}, '
                         "type: !4)")
        loc = self._meta(f"!DILocation(line: {line}, column: 3, scope: !{sp})")
        return DebugInfo(sp, var, loc)

    def function(self, name: str, rng: random.Random) -> str:
        """The text of function ``@name``: the groups, split by an invoke with
        the invoke class, debug records with the debug class."""
        spec = self.spec
        debug = self._debug_function(name) if spec.debug else None
        fb = FunctionBuilder(rng, spec, self, debug)
        starts = [0]
        for k in range(spec.n_groups):
            if spec.invoke and k == max(1, spec.n_groups // 2):
                starts.append(len(fb.lines))
            fb.group()
        body = ["entry:"]
        for index, (start, end) in enumerate(zip(starts, starts[1:] + [len(fb.lines)])):
            if index:
                body.append("cont:")
            if debug:
                body.append("  " + debug.record("%a0", "ptr", rng, p=1.0)[0])
            body.extend("  " + line for line in fb.lines[start:end])
            if index + 1 < len(starts):
                body.append(f"  invoke void @{CALLEE}() to label %cont unwind label %lpad"
                            + (debug.attach(rng) if debug else ""))
        body.append("  ret void")
        if spec.invoke:
            # catch-all that returns: 'resume' would need _Unwind_Resume at run time
            body += ["lpad:", "  %lp = landingpad { ptr, i32 } catch ptr null", "  ret void"]
        attr = "noalias " if spec.noalias else ""
        params = ", ".join([f"ptr {attr}%a{k}" for k in range(spec.n_arrays)] + [SCALAR_PARAMS])
        extra = (f" personality ptr @{PERSONALITY}" if spec.invoke else "") + \
            (f" !dbg !{debug.subprogram}" if debug else "")
        return f"define void @{name}({params}){extra} {{\n" + "\n".join(body) + "\n}\n"

    def text(self, functions: list[str]) -> str:
        """The whole module around ``functions``."""
        head = (f'target datalayout = "{self.layout}"\n' if self.layout != HOST_LAYOUT else "")
        parts = [head + f'target triple = "{TRIPLE}"\n']
        if self.globals:
            parts.append("\n".join(self.globals) + "\n")
        parts += functions
        if self.spec.invoke:
            parts.append(f"define i32 @{PERSONALITY}(...) {{\n  ret i32 0\n}}\n\n"
                         f"define void @{CALLEE}() {{\n  ret void\n}}\n")
        if self.metadata:
            parts.append("!llvm.dbg.cu = !{!0}\n!llvm.module.flags = !{!2, !3}\n" +
                         "\n".join(f"!{k} = {m}" for k, m in enumerate(self.metadata)) + "\n")
        return "\n".join(parts)


def _table_value(elem: str, rng: random.Random) -> str:
    if elem == "i1":
        return rng.choice(("true", "false"))
    if elem in FP_TYPES:
        return str(rng.randint(-40, 40) / 4)
    width = int(elem[1:])
    return str(signed(rng.randrange(1 << min(width, 20)) - (1 << min(width, 20) - 1), width))


def class_module_ir(seed: int, n_functions: int, spec) -> str:
    """A module of ``n_functions`` fuzz functions ``@f0, @f1, ...``; function k
    uses seed ``seed * 100_003 + k``, as :func:`slpvec.tools.randblocks.random_module_ir`."""
    builder = ModuleBuilder(spec)
    bodies = [builder.function(f"f{k}", random.Random(seed * 100_003 + k))
              for k in range(n_functions)]
    return builder.text(bodies)


def class_block_ir(seed: int, spec) -> str:
    """A module holding one fuzz function ``@f`` from ``seed``."""
    builder = ModuleBuilder(spec)
    return builder.text([builder.function("f", random.Random(seed))])
