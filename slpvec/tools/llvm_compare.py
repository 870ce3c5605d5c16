"""Block-by-block comparison with LLVM's SLP vectorizer (issue 16, step 1).

For every block: the scalar cost, LLVM SLP's cost after (``opt-22
-passes=slp-vectorizer``, priced per block with the same yardstick), each
policy's cost after, and, where LLVM ends cheaper than the best policy, what
LLVM used (read from its output block text, see :func:`classify_block`) and
our own reason (no candidate, no profitable plan, fallback, priced worse).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path
from dataclasses import dataclass, field

from ..cost import block_costs, text_block_costs
from ..driver import has_numbered_values, run_slp
from .evaluate import llvm_slp
from ..files import write_text_atomic
from ..inputs import module_source
from ..ir import Module, parse_module
from ..ir.parser import _function_bodies, _labels, _split_blocks
from ..passes import name_values
from ..target import target_for

# Categories of what LLVM used (``intrinsic:<name>`` carries the intrinsic).
ALTERNATE = "alternate-opcode"
REDUCTION = "reduction"
NON_POW2 = "non-power-of-2"
PERMUTED_LOAD = "permuted-load"
SPLAT = "splat"
WIDER = "wider-than-ours"
SHUFFLE = "lane-shuffle"  # any other non-identity shufflevector (gathers, blends of operands)
OTHER = "other"

_VEC = re.compile(r"<(\d+) x [^<>]+?>")
_VEC_CALL = re.compile(r"\bcall\b[^@]*?<\d+ x [^<>]+>\s+@llvm\.([\w.]+?)\.(?:v\d+|nxv)")
_BINOP = re.compile(r"^(%[-\w.$\"]+) = (add|sub|mul|fadd|fsub|fmul|fdiv|sdiv|udiv|srem|urem|frem|"
                    r"shl|lshr|ashr|and|or|xor)\b(?: [a-z]+)* <(\d+) x [^<>]+> (.+)$")
_LOAD = re.compile(r"^(%[-\w.$\"]+) = load (?:volatile )?<(\d+) x ")
_MASK = re.compile(r"<\d+ x i32> (zeroinitializer|<[^<>]*>|poison|undef)$")
_SHUFFLE = re.compile(r"^(%[-\w.$\"]+) = shufflevector <(\d+) x [^<>]+> (%[-\w.$\"]+|\S+), "
                      r"<\d+ x [^<>]+> (%[-\w.$\"]+|\S+), <(\d+) x i32> "
                      r"(zeroinitializer|<[^<>]*>|poison|undef)")


def _strip_meta(text: str) -> str:
    return re.sub(r", !\S+ !\S+", "", text).strip()


def _mask(text: str) -> list[int | None]:
    return [None if v.strip().endswith(("poison", "undef")) else int(v.split()[-1])
            for v in text.strip("<>").split(",")]


def classify_block(lines: list[str], our_widest: int = 0) -> list[str]:
    """What the (vectorized) block text uses, as sorted category names.

    ``lines``: the block's instructions, one per entry. ``our_widest``: the
    most lanes of any pack slpvec formed in the block, for ``wider-than-ours``
    (0: slpvec formed none, and the category is not reported).
    """
    found: set[str] = set()
    binops, loads = {}, {}
    widest = 0
    for raw in lines:
        line = _strip_meta(raw)
        for m in _VEC.finditer(line):
            lanes = int(m.group(1))
            widest = max(widest, lanes)
            if lanes > 1 and lanes & (lanes - 1):
                found.add(NON_POW2)
        if "@llvm.vector.reduce." in line:
            found.add(REDUCTION)
        if "@llvm.masked.gather" in line or "strided.load" in line:
            found.add(PERMUTED_LOAD)
        call = _VEC_CALL.search(line)
        if call and not call.group(1).startswith(("vector.reduce", "masked.gather",
                                                  "experimental.vp.strided")):
            found.add(f"intrinsic:{call.group(1)}")
        if m := _BINOP.match(line):
            operands = tuple(sorted(o.strip() for o in m.group(4).split(",")))
            binops[m.group(1)] = (m.group(2), operands)
        elif m := _LOAD.match(line):
            loads[m.group(1)] = int(m.group(2))
        elif " = shufflevector " in line:
            found |= _shuffle_categories(line, binops, loads)
    if our_widest and widest > our_widest:
        found.add(WIDER)
    return sorted(found)


def _permutes(mask: str) -> bool:
    """A mask that is not lanes 0, 1, 2, ... (poison lanes match anything):
    a concatenation or a prefix of the source is no permutation."""
    return mask.startswith("<") and any(v is not None and v != k
                                        for k, v in enumerate(_mask(mask)))


def _shuffle_categories(line: str, binops: dict, loads: dict) -> set[str]:
    """Categories of one shufflevector line, given the vector binops and loads before it."""
    m = _SHUFFLE.match(line)
    a, b = (m.group(3), m.group(4)) if m else ("", "")
    mask = mask_m.group(1) if (mask_m := _MASK.search(line)) else ""
    found = set()
    if mask == "zeroinitializer":
        found.add(SPLAT)
    if a in binops and b in binops and binops[a][0] != binops[b][0] \
            and binops[a][1] == binops[b][1]:
        found.add(ALTERNATE)
    if a in loads and (mask == "zeroinitializer" or _permutes(mask)):
        found.add(PERMUTED_LOAD)
    if not found and _permutes(mask):
        found.add(SHUFFLE)
    return found


def block_texts(text: str) -> dict[tuple[str, str], list[str]]:
    """(function, label) -> instruction lines, labelled like ``parse_module``."""
    out = {}
    for name, _, body in _function_bodies(text.splitlines()):
        blocks = _split_blocks(body)
        for label, (_, lines) in zip(_labels(blocks), blocks):
            out[(name, label)] = [ln.text for ln in lines]
    return out


@dataclass
class BlockComparison:
    """One block: costs per policy, LLVM's, what LLVM used that is new there."""

    source: str
    block: str
    n_instrs: int
    n_candidates: int
    cost_scalar: float
    cost_llvm: float
    costs: dict[str, float] = field(default_factory=dict)
    best_policy: str = ""
    gap: float = 0.0  # best policy's cost minus LLVM's (> 0: LLVM wins)
    llvm_used: tuple[str, ...] = ()
    our_reason: str = ""
    our_reason_detail: str = ""

    @property
    def llvm_wins(self) -> bool:
        return self.gap > 0

    def csv_row(self) -> dict:
        row = {"source": self.source, "block": self.block, "n_instrs": self.n_instrs,
               "n_candidates": self.n_candidates, "cost_scalar": self.cost_scalar,
               "cost_llvm": self.cost_llvm}
        row.update({f"cost_{p}": c for p, c in self.costs.items()})
        row.update(best_policy=self.best_policy, gap=self.gap, llvm_used=";".join(self.llvm_used),
                   our_reason=self.our_reason, our_reason_detail=self.our_reason_detail)
        return row


def _reason(block) -> tuple[str, str]:
    """(short class, detail) of why a policy's block is not as cheap as LLVM's."""
    if not block.n_candidates:
        return "no candidate", block.scalar_reason
    if block.fallback_reason:
        return "fallback", block.fallback_reason
    if block.scalar_reason:
        return "no profitable plan", block.scalar_reason
    return "priced worse", block.plan_note


def compare_module(module: Module, policies: list, cost_kind: str = "throughput",
                   cpu: str | None = None, source: str | None = None) -> list[BlockComparison]:
    """One :class:`BlockComparison` per block of ``module`` (names or policy objects)."""
    if has_numbered_values(module):  # run_slp names values; LLVM must see the same labels
        module = parse_module(name_values(module.text), source or "<input>")
    target = target_for(module, cpu)
    source = source or module_source(module)
    scalar = block_costs(module, target, cost_kind)
    llvm_text = llvm_slp(module, target)
    llvm_costs = text_block_costs(llvm_text, target, cost_kind)
    llvm_blocks, original = block_texts(llvm_text), block_texts(module.text)
    reports = {}
    for policy in policies:
        name = policy if isinstance(policy, str) else policy.name
        _, report = run_slp(module.text, policy, target, cost_kind, source)
        reports[name] = {b.block_id: b for b in report.blocks}
    rows = []
    for fn in module.functions:
        for block in fn.blocks:
            key = (fn.name, block.label)
            ours = {name: r[block.id] for name, r in reports.items() if block.id in r}
            row = BlockComparison(source, block.id, len(block),
                                  max((b.n_candidates for b in ours.values()), default=0),
                                  float(sum(scalar[key])),
                                  float(sum(llvm_costs.get(key, scalar[key]))),
                                  {name: b.cost_after for name, b in ours.items()})
            if ours:
                row.best_policy = min(row.costs, key=row.costs.get)
                row.gap = row.costs[row.best_policy] - row.cost_llvm
            else:
                row.gap = row.cost_scalar - row.cost_llvm
            if row.llvm_wins:
                widest = max((len(p) for b in ours.values() if b.vectorized for p in b.packs),
                             default=0)
                before = set(classify_block(original.get(key, []), 0)) - {WIDER}
                used = set(classify_block(llvm_blocks.get(key, []), widest)) - before
                row.llvm_used = tuple(sorted(used)) or (OTHER,)
                if ours:
                    row.our_reason, row.our_reason_detail = _reason(ours[row.best_policy])
            rows.append(row)
    return rows


def write_csv(path, rows: list[BlockComparison]) -> None:
    """Per-block rows as CSV (one ``cost_<policy>`` column per policy), atomically."""
    buf = io.StringIO()
    if rows:
        dicts = [r.csv_row() for r in rows]
        names = list(dict.fromkeys(k for d in dicts for k in d))
        writer = csv.DictWriter(buf, names)
        writer.writeheader()
        writer.writerows(dicts)
    write_text_atomic(path, buf.getvalue())


def summarize(rows: list[BlockComparison]) -> str:
    """Blocks where LLVM wins and the summed cost gap, overall, per category of
    what LLVM used (a block counts under each of its categories) and per our reason."""
    wins = [r for r in rows if r.llvm_wins]
    lost = [r for r in rows if r.gap < 0]
    lines = [f"{len(rows)} blocks; LLVM cheaper than the best policy in {len(wins)} "
             f"(gap {sum(r.gap for r in wins):g}); best policy cheaper in {len(lost)} "
             f"(gap {-sum(r.gap for r in lost):g})"]
    lines += ["", reduction_table(rows)]
    for title, keyf in (("what LLVM used", lambda r: r.llvm_used),
                        ("our reason", lambda r: (r.our_reason or "-",))):
        tally = defaultdict(lambda: [0, 0.0])
        for r in wins:
            for key in keyf(r):
                tally[key][0] += 1
                tally[key][1] += r.gap
        lines += ["", f"| {title} | blocks | summed gap |", "|---|---:|---:|"]
        lines += [f"| {k} | {n} | {g:g} |" for k, (n, g) in
                  sorted(tally.items(), key=lambda kv: (-kv[1][1], kv[0]))]
    return "\n".join(lines)


def reduction_table(rows: list[BlockComparison]) -> str:
    """Per source folder (a benchmark) and overall: LLVM's static reduction
    (scalar cost minus cost after, summed over blocks) and each policy's
    reduction as a multiple of LLVM's, the ratio issue-style targets are set in."""
    policies = list(dict.fromkeys(p for r in rows for p in r.costs))
    groups = defaultdict(list)
    for r in rows:
        groups[Path(r.source).parent.name or "."].append(r)
    if len(groups) > 1:
        groups["all"] = rows

    def reduction(members, cost) -> float:
        return sum(r.cost_scalar - cost(r) for r in members)

    lines = ["| folder | blocks | LLVM reduction | " + " | ".join(f"{p} x LLVM" for p in policies)
             + " |", "|---|---:|---:|" + "---:|" * len(policies)]
    for name, members in groups.items():
        base = reduction(members, lambda r: r.cost_llvm)
        ratios = [reduction(members, lambda r, p=p: r.costs.get(p, r.cost_scalar)) / base
                  if base else float("nan") for p in policies]
        lines.append(f"| {name} | {len(members)} | {base:g} | "
                     + " | ".join(f"{x:.2f}" for x in ratios) + " |")
    return "\n".join(lines)
