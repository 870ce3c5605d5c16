"""A second yardstick: llvm-mca-22's steady-state cycles of a block's machine code.

TTI prices IR instructions one by one; it cannot see what instruction
selection makes of a shuffle, an extract or a folded load. This yardstick
compiles the module with ``llc-22`` for the target cpu and asks ``llvm-mca-22``
how many cycles each block's machine code takes per execution, simulated as
if the block ran back to back (``TotalCycles / Iterations``; mca's
``BlockRThroughput``, the resource bound, is kept too).

Each block of interest gets two inline-asm comments, ``# LLVM-MCA-BEGIN rK``
after its phis and pads and ``# LLVM-MCA-END rK`` before its terminator,
so llvm-mca reports one region per block. The markers are side-effecting
asm: memory operations are not moved across them, so what is measured is the
block's own code (the compare feeding its branch included, the branch not).
A block whose region holds no machine instruction costs 0 cycles.

Results are cached on disk (:class:`slpvec.cost.cache.DiskCache`) by the
marked module's sha256, the LLVM version and the target.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Iterable

from ..errors import SlpvecError, ToolFailedError
from ..ir import Module, parse_module
from ..target import Target, target_for
from ..toolchain import run_tool
from .cache import DiskCache
from .kinds import key_prefix

ITERATIONS = 100
# Instructions that must stay at the top of a block: the markers go after them.
_LEADING = frozenset({"phi", "landingpad", "catchpad", "cleanuppad"})
_MARKER = re.compile(r"^\s*(?:#|//)\s*LLVM-MCA-(BEGIN|END)\s+(\S+)\s*$")


@dataclass(frozen=True)
class McaCost:
    """One block under llvm-mca: ``cycles`` per execution in steady state
    (total cycles / iterations), ``rthroughput`` mca's resource bound in
    cycles, ``instructions`` machine instructions per execution."""

    cycles: float
    rthroughput: float
    instructions: int


EMPTY = McaCost(0.0, 0.0, 0)


def comment_prefix(triple: str) -> str:
    """The assembler's line comment for ``triple`` (x86 ``#``, Arm ``//``)."""
    return "//" if triple.startswith(("aarch64", "arm", "thumb")) else "#"


def mark_blocks(module: Module, keys: Iterable[tuple[str, str]] | None = None,
                comment: str = "#") -> tuple[str, dict[str, tuple[str, str]]]:
    """The module text with mca region markers around each block of ``keys``
    ((function, label); all blocks if None), and region name -> key.
    Blocks without an instruction between their phis/pads and terminator get none."""
    wanted = None if keys is None else set(keys)
    begin_at, end_at, regions = {}, {}, {}
    for fn in module.functions:
        for block in fn.blocks:
            key = (fn.name, block.label)
            if wanted is not None and key not in wanted:
                continue
            body = [ins for ins in block.instrs[:-1] if ins.opcode not in _LEADING]
            if not body:
                continue
            name = f"r{len(regions)}"
            regions[name] = key
            begin_at[body[0].line] = name
            end_at[block.instrs[-1].line] = name
    lines = []
    for number, line in enumerate(module.text.splitlines(), 1):
        for where, word in ((end_at, "END"), (begin_at, "BEGIN")):
            if number in where:
                lines.append(f'  call void asm sideeffect "{comment} LLVM-MCA-{word} '
                             f'{where[number]}", "~{{dirflag}},~{{fpsr}},~{{flags}}"()')
        lines.append(line)
    return "\n".join(lines) + "\n", regions


def clean_regions(asm: str) -> str:
    """The assembly with only the first BEGIN and first END of each region
    (llc may duplicate a block, and its markers with it) and without a
    region that never ends or ends before it begins."""
    seen: dict[tuple[str, str], int] = {}
    rows = asm.splitlines()
    for index, line in enumerate(rows):
        match = _MARKER.match(line)
        if match:
            seen.setdefault((match.group(1), match.group(2)), index)
    keep = {index for (word, name), index in seen.items()
            if seen.get(("BEGIN", name), math.inf) < seen.get(("END", name), -1)}
    return "\n".join(line for index, line in enumerate(rows)
                     if not _MARKER.match(line) or index in keep) + "\n"


def parse_mca_json(text: str) -> dict[str, McaCost]:
    """Region name -> :class:`McaCost` from ``llvm-mca -json`` output."""
    try:
        regions = json.loads(text)["CodeRegions"]
        out = {}
        for region in regions:
            view = region["SummaryView"]
            iterations = max(int(view["Iterations"]), 1)
            out[region["Name"]] = McaCost(view["TotalCycles"] / iterations,
                                          float(view["BlockRThroughput"]),
                                          int(view["Instructions"]) // iterations)
        return out
    except (ValueError, KeyError, TypeError) as err:
        raise ToolFailedError(f"llvm-mca-22 output not understood ({err})") from None


def _mca_flags(target: Target) -> list[str]:
    flags = [f"-mtriple={target.triple}", f"-mcpu={target.cpu}"]
    return flags + ([f"-mattr={target.features}"] if target.features else [])


def _measure(marked: str, target: Target) -> dict[str, McaCost]:
    asm = run_tool("llc", ["-O3", *target.opt_flags(), "-o", "-", "-"], stdin=marked).stdout
    proc = run_tool("llvm-mca", ["-json", f"-iterations={ITERATIONS}", "-instruction-info=false",
                                 "-resource-pressure=false", "-skip-unsupported-instructions=any",
                                 *_mca_flags(target), "-"], stdin=clean_regions(asm))
    return parse_mca_json(proc.stdout)


def _is_cost_row(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 3
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))


def mca_block_costs(module: Module | str, target: Target | None = None,
                    keys: Iterable[tuple[str, str]] | None = None,
                    cache: DiskCache | None = None) -> dict[tuple[str, str], McaCost]:
    """(function, block label) -> :class:`McaCost` for the blocks of ``keys``
    (all if None). One llc-22 and one llvm-mca-22 run per module, cached.
    Raises ToolFailedError when either tool fails or its output is not understood."""
    if isinstance(module, str):
        module = parse_module(module)
    target = target or target_for(module)
    marked, regions = mark_blocks(module, keys, comment_prefix(target.triple))
    if not regions:
        return {}
    cache = cache if cache is not None else DiskCache()
    digest = hashlib.sha256(marked.encode()).hexdigest()
    key = f"mca|{ITERATIONS}|{key_prefix(target, 'throughput')}|{digest}"
    hit = cache.get_many([key], valid=lambda v: isinstance(v, dict) and all(
        map(_is_cost_row, v.values())))
    if key in hit:
        found = {name: McaCost(c, r, int(n)) for name, (c, r, n) in hit[key].items()}
    else:
        found = _measure(marked, target)
        cache.put_many({key: {name: [c.cycles, c.rthroughput, c.instructions]
                              for name, c in found.items()}})
    return {block: found.get(name, EMPTY) for name, block in regions.items()}


def mca_slower_blocks(scalar: Module | str, vector: Module | str, block_ids: Iterable[str],
                      target: Target | None = None, margin: float = 0.0) -> dict[str, str]:
    """Block id -> reason, for each block of ``block_ids`` ("function:label")
    whose vector code llvm-mca finds slower than its scalar code by more than
    ``margin`` (a fraction of the scalar cycles): what a policy's final
    accept-by-mca rejects. Nothing when a tool fails."""
    ids = set(block_ids)
    scalar = parse_module(scalar) if isinstance(scalar, str) else scalar
    target = target or target_for(scalar)
    keys = [(fn.name, b.label) for fn in scalar.functions for b in fn.blocks if b.id in ids]
    try:
        before = mca_block_costs(scalar, target, keys)
        after = mca_block_costs(vector, target, keys)
    except SlpvecError:
        return {}
    return {f"{fn}:{label}": (f"llvm-mca: vector code takes {after[fn, label].cycles:.2f} "
                              f"cycles, scalar {before[fn, label].cycles:.2f}; kept scalar")
            for fn, label in keys
            if (fn, label) in after
            and after[fn, label].cycles > before[fn, label].cycles * (1 + margin)}
