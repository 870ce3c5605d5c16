"""Worker process for differential validation (see :mod:`slpvec.tools.validate`).

Reads one JSON job from stdin: ``{"text", "functions", "seeds", "skip"}``
(``functions`` null: every defined function). Exposes private and unnamed
definitions (:mod:`slpvec.tools.validate_jit`), JIT-compiles the module with MCJIT,
prints ``{"ready": true, "functions": [...]}`` and, for each (function, seed),
calls the function on seeded random inputs and prints one JSON line
``{"fn", "seed", "digest"}`` (``digest`` null and ``why`` set when the function
cannot run). A module that does not compile gives ``{"error": ...}``.
Crashes (segfaults from garbage pointers, traps) kill only this process; the
parent restarts it past the crashing run.

Everything a run writes is digested: the return value, every buffer byte
(guard zones included) and every global whose bytes changed (restored after
the digest, so each call starts from the initial globals). Pointer arguments
point into an arena at a fixed address, so pointers a function stores are
equal across processes; the JIT's own memory lands at a per-process random
offset, so outputs depending on where globals are differ between two runs of
one module and the parent's control sees them as nondeterministic.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import mmap
import os
import random
import re
import sys

import numpy as np

SCALAR_CTYPES = {"i1": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16,
                 "i32": ctypes.c_int32, "i64": ctypes.c_int64, "float": ctypes.c_float,
                 "double": ctypes.c_double, "ptr": ctypes.c_void_p}
REGION = 16384  # bytes on each side of a pointer argument (guard zones included)
BUFFER = 3 * REGION
ARENA_ADDRESS = 0x2E00_0000_0000  # canonical user space, far from heap, stack and libraries
OTHER_CALLING_CONVENTION = re.compile(r"\b(?!ccc\b|fastcc\b)\w+cc\b|\bcc \d+")
MAP_FIXED_NOREPLACE = 0x100000  # Linux >= 4.17; older kernels treat the address as a hint


def signature(fn) -> tuple[list, object] | None:
    """ctypes (argtypes, restype) for a function, None if unsupported (a
    parameter or result type ctypes cannot pass, a calling convention other
    than C's; fastcc is C's on x86-64)."""
    define = next(line for line in str(fn).splitlines() if line.startswith("define"))
    if OTHER_CALLING_CONVENTION.search(define.split("@", 1)[0]):
        return None
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


class Arena:
    """Memory for pointer arguments at one fixed address in every worker
    (``slots`` buffers of ``BUFFER`` bytes), falling back to anywhere."""

    def __init__(self, slots: int):
        size = max(1, slots) * BUFFER
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_FIXED_NOREPLACE
        address = libc.mmap(ARENA_ADDRESS, size, mmap.PROT_READ | mmap.PROT_WRITE, flags, -1, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            self._keep = ctypes.create_string_buffer(size)
            address = ctypes.addressof(self._keep)
        self.address = address

    def slot(self, index: int) -> int:
        """Start address of buffer ``index``."""
        return self.address + index * BUFFER


def make_inputs(argtypes, seed: int, arena: Arena, alias: bool = False):
    """Deterministic buffers (float-ish random bytes) and scalars for one call:
    (start addresses of the buffers used, argument values).

    With ``alias``, every pointer argument points into one shared buffer, 0,
    64 or 128 bytes apart (aligned as any IR access may require), so their
    accesses overlap (what ``noalias`` rules out).
    """
    rng = np.random.default_rng(seed)
    buffers, values = [], []
    for ctype in argtypes:
        if ctype is ctypes.c_void_p:
            if alias and buffers:
                # 64-byte steps keep every alignment the IR may promise
                values.append(buffers[0] + REGION + 64 * int(rng.integers(0, 3)))
                continue
            data = rng.uniform(-4, 4, size=BUFFER // 4).astype(np.float32)
            start = arena.slot(len(buffers))
            ctypes.memmove(start, data.tobytes(), BUFFER)
            buffers.append(start)
            values.append(start + REGION)
        elif ctype in (ctypes.c_float, ctypes.c_double):
            values.append(float(rng.uniform(-4, 4)))
        elif ctype is ctypes.c_bool:
            values.append(bool(rng.integers(0, 2)))
        else:
            values.append(int(rng.integers(1, 17)))
    return buffers, values


def digest_run(result, buffers, regions, snapshot) -> str:
    """Digest of everything one call produced; globals it changed are put
    back to their initial bytes afterwards."""
    digest = hashlib.sha256(repr(result).encode())
    for start in buffers:
        digest.update(ctypes.string_at(start, BUFFER))
    for region, initial in zip(regions, snapshot):
        now = ctypes.string_at(region.address, region.size)
        if now != initial:  # only changed globals: versions may differ in unused ones
            digest.update(region.key.encode() + b"\0" + now)
            ctypes.memmove(region.address, initial, region.size)
    return digest.hexdigest()


class Output:
    """JSON lines to the parent on a private copy of stdout; the JIT-ed
    code's own writes (printf, puts) go to /dev/null instead."""

    def __init__(self):
        self._out = os.fdopen(os.dup(1), "w")
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)

    def send(self, **row) -> None:
        """Write one row and flush it (the parent times each run by it)."""
        self._out.write(json.dumps(row) + "\n")
        self._out.flush()


def compile_module(text: str):
    """(module, engine, exposed, target data) of a JIT-compiled module, with
    its static constructors run; the JIT's memory starts at a random offset."""
    import llvmlite.binding as llvm

    from .validate_jit import expose
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    mod = llvm.parse_assembly(text)
    # the host's cpu and features: a generic x86-64 machine lowers half <-> float
    # to libcalls (__extendhfsf2) MCJIT cannot resolve, so every run of a
    # function with half arithmetic crashed in both versions
    machine = llvm.Target.from_default_triple().create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), jit=True)
    mod.data_layout = str(machine.target_data)
    exposed = expose(mod)
    padding = mmap.mmap(-1, mmap.PAGESIZE * random.SystemRandom().randint(1, 4096))
    engine = llvm.create_mcjit_compiler(mod, machine)
    engine.finalize_object()
    engine.run_static_constructors()
    return mod, engine, exposed, machine.target_data, padding


def plan_calls(mod, jit_name: str | None, cannot_run: dict[str, str]):
    """(JIT name, function, signature, why it cannot run or "") of one function."""
    fn = mod.get_function(jit_name) if jit_name else None
    sig = signature(fn) if fn is not None else None
    why = ("not defined" if fn is None else cannot_run.get(jit_name)
           or ("" if sig else "unsupported signature"))
    return jit_name, fn, sig, why


def main() -> None:
    """Run one job (see the module docstring)."""
    from .validate_jit import global_regions, undefined_uses
    job = json.loads(sys.stdin.read())
    out = Output()
    try:
        mod, engine, exposed, target_data, _padding = compile_module(job["text"])
    except RuntimeError as err:  # llvmlite's parse / verify errors
        out.send(error=" ".join(str(err).split("\n")[:2])[:300])
        return
    regions = global_regions(engine, mod, exposed, target_data)
    snapshot = [ctypes.string_at(r.address, r.size) for r in regions]
    cannot_run = undefined_uses(mod, exposed)
    names = job["functions"] if job["functions"] is not None else list(exposed.functions)
    plans = {name: plan_calls(mod, exposed.function_name(name), cannot_run) for name in names}
    arena = Arena(max((sig[0].count(ctypes.c_void_p) for _, _, sig, _ in plans.values() if sig),
                      default=1))
    out.send(ready=True, functions=names)  # compiled: per-run timeouts start
    skip = {(s[0], s[1]) for s in job.get("skip", [])}
    for name in names:
        jit_name, fn, sig, why = plans[name]
        for seed in job["seeds"]:
            if (name, seed) in skip:
                continue
            if why:
                out.send(fn=name, seed=seed, digest=None, why=why)
                continue
            argtypes, restype = sig
            buffers, values = make_inputs(argtypes, seed, arena, may_alias(fn) and seed % 2 == 1)
            func = ctypes.CFUNCTYPE(restype, *argtypes)(engine.get_function_address(jit_name))
            result = func(*values)
            out.send(fn=name, seed=seed, digest=digest_run(result, buffers, regions, snapshot))


if __name__ == "__main__":
    main()
