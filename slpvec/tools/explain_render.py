"""Draw a :class:`~slpvec.tools.explain.BlockExplanation` with graphviz.

The picture (``dot`` layout, top to bottom): one node per instruction
(shortened text), def-use edges solid, memory dependences dashed red; every
chosen pack a coloured cluster with its lanes left to right in lane order
and its cost before -> after; each operand vector that is built (shuffle,
blend, splat, gather) or a constant vector a small node between the values
it reads and the pack it feeds, a vector passed on whole a bold edge between
packs; lanes extracted for scalar users have a double border and orange
edges. LLVM SLP's vector instructions for the block, when asked for, form a
grey panel of their own. Elements carry SVG classes (``instr``, ``opvec``,
``llvm``; ``def-use``, ``extract``, ``memory``, ``vector``, ``lane``,
``llvm``; clusters ``pack``, ``llvm``) for tests and styling.

Outputs: ``.svg`` and ``.png`` are dot's; ``.html`` embeds the SVG above a
table of the packs and their costs.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from ..analysis.dependence import MEMORY
from ..errors import SlpvecError
from ..files import write_text_atomic
from .explain import BlockExplanation, PackCost, PackView

FORMATS = (".svg", ".png", ".html")
LABEL_CHARS = 38
_PALETTE = "set312"  # ColorBrewer's Set3: 12 light colours, one per pack (cycled)
_OPVEC_COLOURS = {"shuffle": "lightcyan", "blend": "lightcyan", "splat": "khaki1",
                  "gather": "mistyrose", "const": "white"}
_LLVM_COLOURS = {"insertelement": "khaki1", "shufflevector": "lightcyan",
                 "extractelement": "peachpuff"}
LEGEND = ("solid: def-use  |  orange: lane extracted for a scalar user  |  dashed red: "
          "memory dependence  |  bold blue: vector operand  |  dotted: value gathered "
          "into an operand vector")


def require_dot() -> None:
    """SlpvecError unless graphviz's ``dot`` and its Python bindings are installed."""
    if shutil.which("dot") is None:
        raise SlpvecError("graphviz's 'dot' not found on PATH; install graphviz "
                          "(apt-get install -y graphviz, or run scripts/setup.sh)")
    try:
        import graphviz  # noqa: F401
    except ImportError:
        raise SlpvecError("the graphviz Python package is missing; run scripts/setup.sh "
                          "(or pip install graphviz)") from None


def output_format(path: str) -> str:
    """The suffix of ``path`` if it is a picture format explain writes."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SlpvecError(f"-o {path}: expected a .svg, .png or .html file")
    return suffix


_METADATA = re.compile(r",\s*!\w+ !\d+|, align \d+")
_FLAGS = re.compile(r"\b(?:tail|inbounds|nuw|nsw|exact|nnan|ninf|nsz|arcp|contract|afn|"
                    r"reassoc|fast|disjoint|samesign|volatile) ")
_VECTOR = re.compile(r"<(\d+) x [^<>]+?> ?")
_SCALAR = re.compile(r"(?<![%@\w.])(?:double|float|half|bfloat|fp128|x86_fp80|i\d+|ptr)\b ?")
_ARRAY = re.compile(r"\[\d+ x (?:\[\d+ x )*[^\[\]]*\]+ ?")  # [5 x double], [4 x [4 x i32]]
_FLOAT = re.compile(r"-?\d\.\d+e[+-]\d+")
_CALLEE = re.compile(r"call @(?:llvm\.)?([\w.]+?)(?:\.(?:v\d+|nxv\d+)?(?:[if]\d+|p0))*\(")


def short_text(line: str, chars: int = LABEL_CHARS) -> str:
    """An instruction line for a label: no types, flags, alignment or
    metadata (the first vector type becomes ``xN``), intrinsics by their
    short name, cut to ``chars`` characters."""
    text = _FLAGS.sub("", _METADATA.sub("", line))
    widths = _VECTOR.findall(text)
    text = _VECTOR.sub("", text, count=0)
    text = _SCALAR.sub("", _ARRAY.sub("", text))
    text = _CALLEE.sub(lambda m: f"{m.group(1)}(", text).replace("getelementptr", "gep")
    if widths:  # the vector width once, after the opcode
        text = re.sub(r"^((?:%\S+ = )?[\w.]+) ?", rf"\1 x{widths[0]} ", text, count=1)
    text = _FLOAT.sub(lambda m: repr(float(m.group(0))), text)
    text = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", text)).replace(" (", "(").strip()
    text = re.sub(r" to$", "", text)
    text = re.sub(r"^((?:%\S+ = )?(?:load|gep)(?: x\d+)?),", r"\1", text).strip()
    return text if len(text) <= chars else text[:chars - 1] + "…"


def block_graph(expl: BlockExplanation):
    """The picture of ``expl`` as a ``graphviz.Digraph``."""
    import graphviz

    graph = graphviz.Digraph(expl.block_id, graph_attr={
        "rankdir": "TB", "nodesep": "0.15",
        "ranksep": "0.35", "fontname": "Helvetica", "labelloc": "t", "fontsize": "13",
        "label": _title(expl)}, node_attr={
        "shape": "box", "style": "rounded,filled", "fillcolor": "white", "fontsize": "10",
        "fontname": "Helvetica", "height": "0.3", "margin": "0.06,0.03"},
        edge_attr={"arrowsize": "0.6", "color": "gray35"})
    _PackDrawing(graph, expl).draw()
    if expl.llvm is not None:
        _llvm_panel(graph, expl)
    return graph


class _PackDrawing:
    """Adds the block's instructions, packs, operand vectors and edges to a graph.

    A pack is one node, a row of lane cells (ports ``l0``, ``l1``, ...) in
    lane order, inside its coloured cluster: dot keeps a table's cells in
    order, where it would reorder separate nodes of a cluster."""

    def __init__(self, graph, expl: BlockExplanation):
        self.graph, self.expl = graph, expl
        self.instrs = expl.ctx.block.instrs
        self.pack_of = {i: (view, lane) for view in expl.packs
                        for lane, i in enumerate(view.pack.lanes)}
        self.opvec_ids: dict[tuple, str] = {}

    def draw(self) -> None:
        for view in self.expl.packs:
            self._cluster(view)
        for ins in self.instrs:
            if ins.idx not in self.pack_of:
                self.graph.node(f"i{ins.idx}", short_text(ins.text), tooltip=ins.text,
                                **{"class": "instr"})
        self._scalar_edges()
        for view in self.expl.packs:
            for position, vector in view.operands:
                self._operand(view, position, vector)

    def _end(self, i: int, tail: bool) -> str:
        """The node (a pack's lane port) edges of instruction ``i`` attach to."""
        if i not in self.pack_of:
            return f"i{i}"
        view, lane = self.pack_of[i]
        return f"p{view.index}:l{lane}:{'s' if tail else 'n'}"

    def _cluster(self, view: PackView) -> None:
        cost = view.cost
        extra = "".join(f" + {name} {value:g}" for name, value in
                        (("operands", cost.operands), ("extracts", cost.extracts)) if value)
        label = f"P{view.index}: {_operation(view, self.instrs)} x{view.pack.width}   " \
                f"cost {cost.scalar:g} -> " \
                f"{cost.vector:g}{extra}"
        cells = "".join(
            f'<TD PORT="l{lane}" BGCOLOR="white" BORDER="{2 if i in view.extracted else 1}" '
            f'COLOR="{"darkorange" if i in view.extracted else "gray30"}" '
            f'TITLE="{html.escape(self.instrs[i].text)}">'
            f"{lane}| {html.escape(short_text(self.instrs[i].text))}</TD>"
            for lane, i in enumerate(view.pack.lanes))
        table = f'<<TABLE BORDER="0" CELLSPACING="6" CELLPADDING="3"><TR>{cells}</TR></TABLE>>'
        with self.graph.subgraph(name=f"cluster_p{view.index}") as sub:
            sub.attr(label=label, labeljust="l", style="rounded,filled", colorscheme=_PALETTE,
                     fillcolor=str(view.index % 12 + 1), color="#666666", fontsize="10",
                     **{"class": "pack"})
            sub.node(f"p{view.index}", table, shape="plaintext", style="", margin="0",
                     **{"class": "pack"})

    def _covered(self, v: int) -> set[int]:
        """Operands of packed instruction ``v`` that reach it inside a vector."""
        place = self.pack_of.get(v)
        if place is None:
            return set()
        view, lane = place
        return {vector.lanes[lane].instr for _, vector in view.operands
                if vector.lanes[lane].instr is not None}

    def _scalar_edges(self) -> None:
        for u, v, kind in self.expl.ctx.deps.edges:
            ends = (self._end(u, True), self._end(v, False))
            if kind == MEMORY:
                self.graph.edge(*ends, style="dashed", color="firebrick", **{"class": "memory"})
            elif u not in self._covered(v):
                extract = u in self.pack_of  # the scalar value of a packed lane
                self.graph.edge(*ends, **(
                    {"color": "darkorange", "penwidth": "1.5", "class": "def-use extract"}
                    if extract else {"class": "def-use"}))

    def _operand(self, view: PackView, position: int, vector) -> None:
        """The edge (through an operand vector node unless passed on whole)
        that brings operand ``position`` into pack ``view``."""
        head = {"color": "navy", "penwidth": "2", "fontsize": "8", "fontcolor": "navy",
                "label": f"op{position}", "class": "vector"}
        if vector.kind == "pack":
            self.graph.edge(f"p{vector.sources[0]}:s", f"p{view.index}:n", **head)
        else:
            self.graph.edge(self._opvec_node(vector), f"p{view.index}:n", **head)

    def _opvec_node(self, vector) -> str:
        """The node of an operand vector, drawn once however many packs read it."""
        key = vector.key or ("const", vector.elem, tuple(v.text for v in vector.lanes))
        if key in self.opvec_ids:
            return self.opvec_ids[key]
        node = self.opvec_ids[key] = f"v{len(self.opvec_ids)}"
        if vector.kind in ("shuffle", "blend"):
            what = ", ".join(f"P{s}" for s in vector.sources)
            detail = f"{vector.kind} {what} <{','.join(map(str, vector.mask))}>"
        else:
            detail = f"{vector.kind} " + ", ".join(dict.fromkeys(v.text for v in vector.lanes))
        self.graph.node(node, short_text(detail, 32), shape="ellipse", fontsize="9",
                        fillcolor=_OPVEC_COLOURS[vector.kind], **{"class": "opvec"})
        if vector.kind in ("shuffle", "blend"):
            for s in vector.sources:
                self.graph.edge(f"p{s}:s", node, color="navy", penwidth="2", **{"class": "vector"})
        else:
            for i in dict.fromkeys(v.instr for v in vector.lanes if v.instr is not None):
                self.graph.edge(self._end(i, True), node, style="dotted", **{"class": "lane"})
        return node


def _operation(view: PackView, instrs) -> str:
    """A pack's operation: its lanes' opcodes (an intrinsic's short name), one
    of each in lane order (``fadd/fsub`` for an alternate-opcode pack)."""
    names = []
    for i in view.pack.lanes:
        ins = instrs[i]
        names.append(re.sub(r"(\.(?:v\d+|nxv\d+)?(?:[if]\d+|p0))+$", "",
                            ins.callee.removeprefix("llvm.")) if ins.callee else ins.opcode)
    return "/".join(dict.fromkeys(names))


def _llvm_panel(graph, expl: BlockExplanation) -> None:
    """LLVM SLP's vector instructions for the block, def-use edges between them."""
    llvm = expl.llvm
    label = (f"LLVM SLP (opt-22 -passes=slp-vectorizer): cost {expl.cost_before:g} -> "
             f"{llvm.cost_after:g}")
    defined: dict[str, str] = {}
    with graph.subgraph(name="cluster_llvm") as sub:
        sub.attr(label=label, style="rounded,filled", fillcolor="gray95", color="gray50",
                 fontsize="10", **{"class": "llvm"})
        if not llvm.lines:
            sub.node("l_none", "no vector instructions", shape="plaintext",
                     **{"class": "llvm"})
        for k, line in enumerate(llvm.lines):
            node = f"l{k}"
            opcode = line.split(" = ", 1)[-1].split(" ", 1)[0]
            sub.node(node, short_text(line), tooltip=line,
                     fillcolor=_LLVM_COLOURS.get(opcode, "lightsteelblue"), **{"class": "llvm"})
            for name in re.findall(r"%[-\w.$]+", line.split(" = ", 1)[-1]):
                if name in defined:
                    sub.edge(defined[name], node, **{"class": "llvm"})
            if " = " in line:
                defined[line.split(" = ", 1)[0].strip()] = node


def _title(expl: BlockExplanation) -> str:
    line = (f"{expl.block_id}: policy {expl.policy} on {expl.cpu}, {expl.cost_kind} cost "
            f"{expl.cost_before:g} -> {expl.cost_after:g} (estimate {expl.estimated_after:g})")
    if expl.llvm is not None:
        line += f"; LLVM SLP {expl.llvm.cost_after:g}"
    if expl.scalar_reason:
        line += f"\nstays scalar: {expl.scalar_reason}"
    return f"{line}\n{LEGEND}\n"


def render(expl: BlockExplanation, path: str) -> None:
    """Write the picture to ``path`` (.svg, .png or .html)."""
    import graphviz

    suffix = output_format(path)
    graph = block_graph(expl)
    try:
        if suffix == ".png":
            write_text_atomic(path, graph.pipe(format="png", engine="dot"))
            return
        svg = graph.pipe(format="svg", engine="dot", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        require_dot()
        raise
    except graphviz.CalledProcessError as err:
        raise SlpvecError(f"graphviz's dot failed: {err.stderr or err}") from None
    write_text_atomic(path, html_page(expl, svg) if suffix == ".html" else svg)


def html_page(expl: BlockExplanation, svg: str) -> str:
    """A self-contained page: the SVG, then one table row per pack and the totals."""
    e = html.escape
    instrs = expl.ctx.block.instrs
    def row(cells: list[str], c) -> str:
        numbers = (c.scalar, c.vector, c.operands, c.extracts, c.after, c.saving)
        return "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in cells) + "".join(
            f"<td>{x:g}</td>" for x in numbers) + "</tr>"

    rows = []
    for view in expl.packs:
        lanes = ", ".join(instrs[i].ref or short_text(instrs[i].text)
                          for i in view.pack.lanes)
        operands = ", ".join(f"op{pos}: {v.kind}" for pos, v in view.operands) or "-"
        rows.append(row([f"P{view.index}", _operation(view, instrs), lanes, operands], view.cost))
    if expl.packs:
        total = PackCost(*(sum(getattr(v.cost, f) for v in expl.packs)
                           for f in ("scalar", "vector", "operands", "extracts")))
        rows.append(row(["all", "", "", ""], total))
    llvm = ""
    if expl.llvm is not None:
        llvm = (f"<h2>LLVM SLP: cost {expl.cost_before:g} &rarr; {expl.llvm.cost_after:g}</h2>"
                f"<pre>{e(chr(10).join(expl.llvm.lines) or 'no vector instructions')}</pre>")
    svg = svg[svg.find("<svg"):]
    head = ("<th>pack</th><th>opcode</th><th>lanes (in order)</th><th>operand vectors</th>"
            "<th>scalar</th><th>vector</th><th>operands</th><th>extracts</th><th>after</th>"
            "<th>saved</th>")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>slpvec explain {e(expl.block_id)}</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:2px 6px;text-align:right}}
td:nth-child(-n+4){{text-align:left}}</style></head><body>
<h1>{e(expl.block_id)}</h1>
<p>policy {e(expl.policy)} on {e(expl.cpu)}, {e(expl.cost_kind)} cost (TTI units):
{expl.cost_before:g} &rarr; {expl.cost_after:g} (estimate {expl.estimated_after:g})
{e(expl.scalar_reason)}</p>
{svg}
<h2>Packs</h2>
<table><tr>{head}</tr>
{chr(10).join(rows)}
</table>
{llvm}
</body></html>
"""
