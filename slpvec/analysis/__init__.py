"""Block analyses: addresses, dependences, candidate packs."""

from .address import Address, AddressAnalysis, Linear, may_alias
from .candidates import CandidateSet, candidate_packs, is_packable, signature
from .dependence import DEF_USE, MEMORY, DependenceGraph, build_dependence_graph

__all__ = ["Address", "AddressAnalysis", "Linear", "may_alias", "CandidateSet",
           "candidate_packs", "is_packable", "signature", "DEF_USE", "MEMORY",
           "DependenceGraph", "build_dependence_graph"]
