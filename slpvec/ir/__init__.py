"""LLVM IR model: frozen Module/Function/Block/Instr parsed with llvmlite."""

from .parser import parse_file, parse_llvm, parse_module
from .types import (BARRIER, CONST, GLOBAL, LABEL, LOAD, LOCAL, META, PHI, PURE,
                    STORE, TERMINATOR, VALUE, Block, Function, Instr, Module,
                    Operand)

__all__ = ["parse_file", "parse_llvm", "parse_module", "Block", "Function", "Instr",
           "Module", "Operand", "BARRIER", "CONST", "GLOBAL", "LABEL", "LOAD", "LOCAL",
           "META", "PHI", "PURE", "STORE", "TERMINATOR", "VALUE"]
