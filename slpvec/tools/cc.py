"""``slpvec cc``: a drop-in C compiler driver with slpvec as the SLP vectorizer.

``--pipeline plugin`` (default): each C source is compiled by ``clang-22
-fpass-plugin=$(slpvec plugin-path)``, so slpvec runs where LLVM's SLP would
(which the plugin skips) and LLVM's post-SLP passes clean up after it (see
``plugin/SlpvecPlugin.cpp``). ``--pipeline post-O3``: the whole ``clang-22
-O3 -fno-slp-vectorize -emit-llvm`` pipeline, then :func:`run_slp`, then only
``llc-22`` (codegen) -> object. Linking, non-C inputs and modes slpvec has no
business in (``-E``, ``-S``, ``-x``, ``-M``, ``-flto``...) go straight to
clang-22. ``-MD`` dependency files name the real object, as clang's do. A
failure inside slpvec never fails the build: the module (or block) is
compiled scalar and a warning is printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SlpvecError
from ..toolchain import CLANG_IR_FLAGS, tool_path
from .frontend_env import FUNCTIONS_ENV, SKIP_FUNCTIONS_ENV, accept_by, function_filter

# clang flags whose value is the next argument.
_VALUE_FLAGS = frozenset({
    "-o", "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote", "-idirafter",
    "-L", "-l", "-MF", "-MT", "-MQ", "-Xlinker", "-Xclang", "-Xassembler",
    "-Xpreprocessor", "-target", "--target", "-arch", "--sysroot", "-isysroot", "-T",
    "-u", "-z", "-x"})
# Flags meaning "not an object-producing C compile": hand the call to clang.
_PASSTHROUGH = frozenset({"-E", "-S", "-M", "-MM", "-x", "-emit-llvm", "-fsyntax-only",
                          "-", "--version", "-###", "-dumpversion", "-dumpmachine", "--help"})
_LINK_ONLY_PREFIXES = ("-l", "-L", "-Wl,", "-fuse-ld=", "-nostdlib", "-nodefaultlibs",
                       "-nostartfiles")
_LINK_ONLY = frozenset({"-Xlinker", "-T", "-u", "-z", "-static", "-shared", "-rdynamic",
                        "-pie", "-no-pie", "-static-pie"})
_C_SUFFIXES = (".c",)
_OBJ_SUFFIXES = (".o", ".a", ".so", ".obj", ".lo")

PIPELINES = ("plugin", "post-O3")


@dataclass(frozen=True)
class CcOptions:
    """slpvec's own options, removed from the clang command line."""

    policy: str = "greedy"
    model: str | None = None
    time_limit: float = 10.0
    report_dir: str | None = None
    pipeline: str = "plugin"        # or "post-O3" (see the module doc)


@dataclass(frozen=True)
class Invocation:
    """A parsed compiler command line."""

    args: tuple[str, ...]            # clang arguments (slpvec options removed)
    sources: tuple[str, ...]         # C sources slpvec compiles
    others: tuple[str, ...]          # non-C compile inputs (.cpp, .s, ...)
    compile_flags: tuple[str, ...]   # flags for compiling a source
    compile_only: bool               # -c
    output: str | None               # -o
    passthrough: bool                # hand the whole call to clang-22
    lto: bool = False                # -flto: the object is bitcode for the linker


@dataclass(frozen=True)
class SourceResult:
    """What compiling one C source cost and did (written with ``--report-dir``)."""

    source: str
    policy: str
    clang_seconds: float
    slpvec_seconds: float
    llc_seconds: float
    fallback: str = ""                       # why the whole module went scalar
    report: dict = field(default_factory=dict)


def split_options(argv: list[str]) -> tuple[CcOptions, list[str]]:
    """Separate ``--policy/--model/--time-limit/--report-dir`` from clang's args."""
    opts, rest, i = {}, [], 0
    names = {"--policy": "policy", "--model": "model", "--time-limit": "time_limit",
             "--report-dir": "report_dir", "--pipeline": "pipeline"}
    while i < len(argv):
        arg = argv[i]
        key, _, value = arg.partition("=")
        if key in names:
            if not value:
                if i + 1 >= len(argv):
                    raise SlpvecError(f"cc: {key} needs a value")
                value, i = argv[i + 1], i + 1
            opts[names[key]] = value
        else:
            rest.append(arg)
        i += 1
    if "time_limit" in opts:
        from ..policies.base import time_limit_seconds
        try:
            opts["time_limit"] = time_limit_seconds(opts["time_limit"])
        except SlpvecError as err:
            raise SlpvecError(f"cc: --time-limit: {err}") from None
    if opts.get("pipeline", PIPELINES[0]) not in PIPELINES:
        raise SlpvecError(f"cc: --pipeline must be one of {', '.join(PIPELINES)}")
    opts.setdefault("report_dir", os.environ.get("SLPVEC_CC_REPORT_DIR") or None)
    return CcOptions(**opts), rest


def parse_args(args: list[str]) -> Invocation:
    """Classify a clang command line into sources, flags and mode."""
    sources, others, flags = [], [], []
    output, compile_only, passthrough, lto = None, False, False, False
    i = 0
    while i < len(args):
        arg = args[i]
        value = args[i + 1] if arg in _VALUE_FLAGS and i + 1 < len(args) else None
        step = 2 if value is not None else 1
        if arg in _PASSTHROUGH or arg.startswith(("-print-", "-x")):
            passthrough = True
        if arg == "-flto" or arg.startswith("-flto="):
            lto = True
        elif arg == "-fno-lto":
            lto = False
        if arg == "-o":
            output = value
        elif arg == "-c":
            compile_only = True
        elif not arg.startswith("-"):
            if arg.endswith(_C_SUFFIXES):
                sources.append(arg)
            elif not arg.endswith(_OBJ_SUFFIXES):  # objects only matter to the link
                others.append(arg)
        elif not (arg in _LINK_ONLY or arg.startswith(_LINK_ONLY_PREFIXES)):
            flags += args[i:i + step]
        i += step
    if not sources or lto:  # LTO bitcode is optimised (and SLP-vectorized) at link time
        passthrough = True
    if compile_only and output and len(sources) + len(others) > 1:
        raise SlpvecError("cc: cannot specify -o with -c and multiple source files")
    return Invocation(tuple(args), tuple(sources), tuple(others), tuple(flags),
                      compile_only, output, passthrough, lto)


def dependency_flags(inv: Invocation, source: str) -> list[str]:
    """``-MF``/``-MQ`` for the IR compile of ``source`` under ``-MD``/``-MMD``,
    naming what clang's driver would: the dep file and target follow the
    user's ``-o`` (the IR compile writes to stdout, which would name ``-``)."""
    flags = inv.compile_flags
    if not any(f in ("-MD", "-MMD") for f in flags):
        return []
    stem = Path(source).stem
    out = []
    if not any(f.startswith("-MF") for f in flags):
        out += ["-MF", str(Path(inv.output).with_suffix(".d")) if inv.output else f"{stem}.d"]
    if not any(f.startswith(("-MT", "-MQ")) for f in flags):
        out += ["-MQ", inv.output or f"{stem}.o"]
    return out


def make_policy(opts: CcOptions):
    """The policy object for ``opts`` (SlpvecError if unknown or unavailable)."""
    from ..policies import policy_for_run

    return policy_for_run(opts.policy, time_limit_s=opts.time_limit, model=opts.model)


def llc_flags(compile_flags: tuple[str, ...], ir_text: str) -> list[str]:
    """llc-22 options matching the clang flags: opt level, relocation and code model."""
    level = "-O3"
    out = []
    for flag in compile_flags:
        if flag.startswith("-O"):
            level = {"-O0": "-O0", "-O1": "-O1", "-O": "-O1"}.get(flag, "-O2")
            level = "-O3" if flag in ("-O3", "-Ofast") else level
        elif flag.startswith("-mcmodel="):
            out.append(f"--code-model={flag.split('=', 1)[1]}")
        elif flag in ("-ffunction-sections", "-fdata-sections"):
            out.append(f"-{flag[2:]}")
    pic = '"PIC Level"' in ir_text
    return [level, "-filetype=obj", f"--relocation-model={'pic' if pic else 'static'}", *out]


def warn(message: str) -> None:
    """One warning line on stderr, as compilers print them."""
    print(f"slpvec: warning: {message}", file=sys.stderr)


def _tool(name: str, args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([tool_path(name), *args], input=stdin, capture_output=True, text=True)


class CompileFailed(Exception):
    """clang rejected the user's code: its diagnostics are already printed."""

    def __init__(self, returncode: int):
        super().__init__(returncode)
        self.returncode = returncode


def compile_source(source: str, obj: str, inv: Invocation, opts: CcOptions,
                   policy) -> SourceResult:
    """One C source to an object file through slpvec. Raises CompileFailed
    only when clang rejects the code; slpvec's own failures fall back to scalar."""
    if opts.pipeline == "plugin":
        return _compile_with_plugin(source, obj, inv, opts)
    from ..driver import run_slp

    t0 = time.perf_counter()
    proc = _tool("clang", [*inv.compile_flags, *dependency_flags(inv, source), *CLANG_IR_FLAGS,
                           source, "-o", "-"])
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise CompileFailed(proc.returncode)
    scalar = proc.stdout
    t1 = time.perf_counter()
    text, report, fallback = scalar, {}, ""
    try:
        text, rep = run_slp(scalar, policy, source=source, select=function_filter(),
                            accept_by=accept_by())
        report = rep.to_json()
        for block in rep.fallbacks:
            if block.fallback_reason.startswith("internal error"):
                warn(f"{source}: {block.block_id} left scalar: {block.fallback_reason}")
    except Exception as err:  # a bug in slpvec must never cost the user a build
        fallback = f"{type(err).__name__}: {err}"
        warn(f"{source}: vectorizer failed ({fallback}); compiled scalar")
        text = scalar
    t2 = time.perf_counter()
    if not _codegen(text, obj, inv) and text is not scalar:
        fallback = "llc rejected the vectorized module"
        warn(f"{source}: {fallback}; compiled scalar")
        if not _codegen(scalar, obj, inv, echo=True):
            raise CompileFailed(1)
    result = SourceResult(source, opts.policy, t1 - t0, t2 - t1, time.perf_counter() - t2,
                          fallback, report)
    if opts.report_dir:
        try:
            write_report(result, opts.report_dir)
        except SlpvecError as err:  # the object is built: a report is no reason to fail
            warn(f"{source}: no report: {err}")
    return result


def plugin_flags(opts: CcOptions) -> list[str]:
    """clang-22 flags loading the pass plugin with ``opts`` (SlpvecError if it is not built)."""
    from .plugin_bridge import plugin_path

    flags = [f"-fpass-plugin={plugin_path()}", "-mllvm", f"-slpvec-python={sys.executable}",
             "-mllvm", f"-slpvec-policy={opts.policy}",
             "-mllvm", f"-slpvec-time-limit={opts.time_limit:g}"]
    for name, value in (("model", opts.model), ("report-dir", opts.report_dir)):
        if value:
            flags += ["-mllvm", f"-slpvec-{name}={value}"]
    return flags


def _compile_with_plugin(source: str, obj: str, inv: Invocation,
                         opts: CcOptions) -> SourceResult:
    """One C source to an object by clang-22 with the pass plugin; the plugin
    writes the report and warns about its own failures."""
    t0 = time.perf_counter()
    proc = _tool("clang", [*inv.compile_flags, *dependency_flags(inv, source), *plugin_flags(opts),
                           "-c", source, "-o", obj])
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise CompileFailed(proc.returncode)
    result = SourceResult(source, opts.policy, time.perf_counter() - t0, 0.0, 0.0)
    written = report_file(source, opts.policy, opts.report_dir) if opts.report_dir else None
    if written and written.is_file():  # the worker's report: add clang's share of the time
        try:
            data = json.loads(written.read_text())
            result = SourceResult(source, opts.policy, result.clang_seconds - data["slpvec_seconds"],
                                  data["slpvec_seconds"], 0.0, data["fallback"], data["report"])
            write_report(result, opts.report_dir)
        except (ValueError, KeyError, OSError, SlpvecError) as err:
            warn(f"{source}: report not completed: {err}")
    return result


def _codegen(ir_text: str, obj: str, inv: Invocation, echo: bool = False) -> bool:
    """llc-22 the module into ``obj``; False (stderr kept quiet unless ``echo``) on failure."""
    with tempfile.TemporaryDirectory(prefix="slpvec-cc-") as tmp:
        ll = Path(tmp) / "module.ll"
        ll.write_text(ir_text)
        proc = _tool("llc", [*llc_flags(inv.compile_flags, ir_text), str(ll), "-o", obj])
    if proc.returncode != 0 and echo:
        sys.stderr.write(proc.stderr)
    return proc.returncode == 0


def write_report(result: SourceResult, folder: str) -> None:
    """``result`` as JSON in ``folder``, one file per (source, policy)."""
    from ..files import write_text_atomic

    data = {**result.__dict__, "source": str(Path(result.source).resolve())}
    write_text_atomic(report_file(result.source, result.policy, folder), json.dumps(data) + "\n")


def report_file(source: str, policy: str, folder: str) -> Path:
    """Where :func:`write_report` puts the report of ``source`` under ``policy``."""
    path = Path(source).resolve()
    digest = hashlib.sha1(f"{path}:{policy}".encode()).hexdigest()[:10]
    return Path(folder) / f"{path.stem}-{digest}.json"


def run_cc(argv: list[str]) -> int:
    """Run one compiler invocation (clang's arguments plus slpvec's); returns the exit code."""
    opts, args = split_options(argv)
    inv = parse_args(args)
    clang = tool_path("clang")
    if inv.passthrough:
        if inv.lto and inv.sources:
            warn("-flto: compiled by clang-22 alone (LTO bitcode is vectorized at link time)")
        return subprocess.run([clang, *args]).returncode
    if opts.pipeline == "plugin":  # the worker builds the policy; here only its name is checked
        from ..policy_names import check_model_option, check_policy_name
        policy = check_policy_name(opts.policy)
        check_model_option(policy, opts.model)
    else:
        policy = make_policy(opts)
    if inv.compile_only:
        for src in inv.sources:
            obj = inv.output or Path(src).with_suffix(".o").name
            try:
                compile_source(src, obj, inv, opts, policy)
            except CompileFailed as err:
                return err.returncode
        for src in inv.others:
            obj = inv.output or Path(src).with_suffix(".o").name
            code = subprocess.run([clang, *inv.compile_flags, "-c", src, "-o", obj]).returncode
            if code:
                return code
        return 0
    with tempfile.TemporaryDirectory(prefix="slpvec-cc-") as tmp:
        objects = {}
        for n, src in enumerate(inv.sources):
            objects[src] = str(Path(tmp) / f"{n}-{Path(src).stem}.o")
            try:
                compile_source(src, objects[src], inv, opts, policy)
            except CompileFailed as err:
                return err.returncode
        link = [objects.get(a, a) for a in args]
        return subprocess.run([clang, *link]).returncode


def main(argv: list[str]) -> int:
    """``slpvec cc ...``: exit status of the compile (1 with a one-line error for usage)."""
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        print("usage: slpvec cc [--policy P] [--model DIR] [--time-limit S] "
              "[--report-dir DIR] [--pipeline plugin|post-O3] CLANG-ARGS...")
        print(f"\nenvironment: {FUNCTIONS_ENV}=f,g vectorizes only those functions, "
              f"{SKIP_FUNCTIONS_ENV}=f,g all but those\n(either pipeline; the others "
              "compile as with -fno-slp-vectorize): to find the function a slowdown comes from.")
        return 0
    try:
        return run_cc(argv)
    except SlpvecError as err:
        print(f"slpvec: error: {err}", file=sys.stderr)
        return 1
