"""Fuzz blocks of every generation class (compares, selects, intrinsics with
immediate arguments, narrow and i1 types, globals, vec3 and struct GEPs, a
foreign datalayout with 64- or 32-bit pointers, wrapping GEPs, debug records,
invoke, lanes extracted from vectors), switched on by the
class fields of :class:`slpvec.tools.randblocks.BlockSpec`."""

from .module import class_block_ir, class_module_ir

__all__ = ["class_block_ir", "class_module_ir"]
