"""A module with a triple and no datalayout is compiled under the triple's
default layout: on i686 a pointer is 4 bytes. slpvec used LLVM's generic
defaults (8-byte pointers), so two pointer copies 8 bytes apart were merged
into one <2 x ptr> copy of the wrong bytes (found by the audit)."""

import pytest

from slpvec.analysis.dependence import build_dependence_graph
from slpvec.driver import run_slp
from slpvec.errors import SlpvecError
from slpvec.ir import parse_module
from slpvec.ir.datalayout import UNKNOWN_LAYOUT, DataLayout

BODY = """
define void @f(ptr noalias %p, ptr noalias %q) {
entry:
  %q8 = getelementptr inbounds i8, ptr %q, i32 8
  %p8 = getelementptr inbounds i8, ptr %p, i32 8
  %a = load ptr, ptr %q, align 4
  %b = load ptr, ptr %q8, align 4
  store ptr %a, ptr %p, align 4
  store ptr %b, ptr %p8, align 4
  ret void
}
"""


@pytest.mark.parametrize("triple", ["i686-unknown-linux-gnu", "x86_64-unknown-linux-gnux32"])
def test_triple_default_layout_sizes_pointers(triple):
    module = parse_module(f'target triple = "{triple}"\n' + BODY)
    layout = DataLayout.parse(module.functions[0].data_layout)
    assert layout.store_size("ptr") == 4
    out, report = run_slp(module.text, "greedy")
    assert "<2 x ptr>" not in out and not any(b.vectorized for b in report.blocks)


def test_an_explicit_datalayout_wins_and_no_triple_keeps_host_defaults():
    explicit = parse_module('target datalayout = "e-p:64:64"\n'
                            'target triple = "i686-unknown-linux-gnu"\n' + BODY)
    assert explicit.functions[0].data_layout == "e-p:64:64"
    assert parse_module(BODY).functions[0].data_layout == ""


def test_unknown_triple_makes_every_address_unknown():
    module = parse_module('target triple = "nonsense-foo-bar"\n' + BODY)
    assert module.functions[0].data_layout == UNKNOWN_LAYOUT
    deps = build_dependence_graph(module.functions[0].blocks[0], module.functions[0])
    assert len({a.root for a in deps.addresses.values()}) == 4  # each its own unknown root
    with pytest.raises(SlpvecError, match="opt-22 failed"):  # one line, not a traceback
        run_slp(module.text, "greedy")
