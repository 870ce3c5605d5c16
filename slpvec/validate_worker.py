"""Worker process for differential validation (see :mod:`slpvec.validate`).

Reads one JSON job from stdin: ``{"text", "functions", "seeds", "skip"}``;
JIT-compiles the module with MCJIT, prints ``{"ready": true}`` and, for each (function, seed), calls the
function on seeded random inputs and prints one JSON line
``{"fn", "seed", "digest"}``. Crashes (segfaults from garbage pointers, traps)
kill only this process; the parent restarts it past the crashing run.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import sys

import numpy as np

SCALAR_CTYPES = {"i1": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16,
                 "i32": ctypes.c_int32, "i64": ctypes.c_int64, "float": ctypes.c_float,
                 "double": ctypes.c_double, "ptr": ctypes.c_void_p}
REGION = 16384  # bytes on each side of a pointer argument (guard zones included)


def signature(fn) -> tuple[list, object] | None:
    """ctypes (argtypes, restype) for a function, None if unsupported."""
    args = [SCALAR_CTYPES.get(str(a.type)) for a in fn.arguments]
    ret_text = str(fn.global_value_type).split(" (", 1)[0]
    ret = None if ret_text == "void" else SCALAR_CTYPES.get(ret_text)
    if None in args or (ret is None and ret_text != "void"):
        return None
    return args, ret


def may_alias(fn) -> bool:
    """True if the function's pointer parameters may point into one object
    (no ``noalias``): then odd seeds pass overlapping pointers."""
    return not any(b"noalias" in set(a.attributes) for a in fn.arguments)


def make_inputs(argtypes, seed: int, alias: bool = False):
    """Deterministic buffers (float-ish random bytes) and scalars for one call.

    With ``alias``, every pointer argument points into one shared buffer, 0,
    64 or 128 bytes apart (aligned as any IR access may require), so their
    accesses overlap (what ``noalias`` rules out).
    """
    rng = np.random.default_rng(seed)
    buffers, values = [], []
    shared = None
    for ctype in argtypes:
        if ctype is ctypes.c_void_p:
            if alias and shared is not None:
                # 64-byte steps keep every alignment the IR may promise
                values.append(ctypes.addressof(shared) + REGION + 64 * int(rng.integers(0, 3)))
                continue
            data = rng.uniform(-4, 4, size=3 * REGION // 4).astype(np.float32)
            buf = ctypes.create_string_buffer(data.tobytes(), 3 * REGION)
            buffers.append(buf)
            values.append(ctypes.addressof(buf) + REGION)
            shared = buf
        elif ctype in (ctypes.c_float, ctypes.c_double):
            values.append(float(rng.uniform(-4, 4)))
        elif ctype is ctypes.c_bool:
            values.append(bool(rng.integers(0, 2)))
        else:
            values.append(int(rng.integers(1, 17)))
    return buffers, values


def global_regions(engine, mod):
    """(address, size) of every defined global variable."""
    from slpvec.ir.typesize import alloc_size
    regions = []
    for gv in mod.global_variables:
        if gv.is_declaration:
            continue
        try:
            size = alloc_size(str(gv.global_value_type))
        except ValueError:
            continue
        regions.append((engine.get_global_value_address(gv.name), size))
    return regions


def main() -> None:
    import llvmlite.binding as llvm
    job = json.loads(sys.stdin.read())
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    mod = llvm.parse_assembly(job["text"])
    machine = llvm.Target.from_default_triple().create_target_machine(jit=True)
    mod.data_layout = str(machine.target_data)
    engine = llvm.create_mcjit_compiler(mod, machine)
    engine.finalize_object()
    engine.run_static_constructors()
    regions = global_regions(engine, mod)
    snapshot = [ctypes.string_at(a, n) for a, n in regions]
    print(json.dumps({"ready": True}), flush=True)  # compiled: per-run timeouts start
    skip = {(s[0], s[1]) for s in job.get("skip", [])}
    for name in job["functions"]:
        fn = mod.get_function(name)
        sig = signature(fn)
        aliasing = may_alias(fn)
        for seed in job["seeds"]:
            if (name, seed) in skip:
                continue
            if sig is None:
                print(json.dumps({"fn": name, "seed": seed, "digest": None}), flush=True)
                continue
            for (addr, _), data in zip(regions, snapshot):  # same globals every call
                ctypes.memmove(addr, data, len(data))
            argtypes, restype = sig
            buffers, values = make_inputs(argtypes, seed, aliasing and seed % 2 == 1)
            func = ctypes.CFUNCTYPE(restype, *argtypes)(engine.get_function_address(name))
            result = func(*values)
            digest = hashlib.sha256(repr(result).encode())
            for buf in buffers:
                digest.update(buf.raw)
            for addr, size in regions:
                digest.update(ctypes.string_at(addr, size))
            print(json.dumps({"fn": name, "seed": seed, "digest": digest.hexdigest()}),
                  flush=True)


if __name__ == "__main__":
    main()
