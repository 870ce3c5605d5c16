"""Build every (benchmark, variant), run them interleaved, write the results."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from slpvec.files import write_text_atomic

from .compile_report import COMPILE_CSV, compile_row, render_compile
from .npb import BENCHMARKS, CACHE, CLASSES, Build, NasError, build_benchmark, make_def, \
    prepare_tree, resolve_npb
from .results import CSV_NAME, MD_NAME, PNG_NAME, Summary, render_markdown, render_png, \
    summarize, write_csv, write_dataclasses
from .runner import Run, check_pin, run_all
from .variants import VARIANTS, VariantOptions, available_variants


@dataclass(frozen=True)
class SuiteConfig:
    """Everything a NAS run depends on."""

    out: Path
    npb: str | None = None
    npb_class: str = "W"
    benchmarks: tuple[str, ...] = BENCHMARKS
    variants: tuple[str, ...] = VARIANTS
    repeats: int = 5
    march: str = "native"
    time_limit: float = 10.0
    model: str | None = None
    build_dir: Path = CACHE / "nas-build"
    rebuild: bool = False
    timeout: float = 1800.0
    quiet: bool = False
    pin_core: int | None = None     # taskset -c N for every run


@dataclass(frozen=True)
class SuiteResult:
    builds: tuple[Build, ...]
    runs: tuple[Run, ...]
    summary: Summary | None


def cflags(config: SuiteConfig) -> str:
    """The flags every variant compiles and links with."""
    big = CLASSES.index(config.npb_class) >= CLASSES.index("C")
    return f"-O3 -march={config.march}" + (" -mcmodel=medium" if big else "")


def check_config(config: SuiteConfig) -> None:
    """One-line errors for bad benchmark names, classes or repeats."""
    if config.npb_class not in CLASSES:
        raise NasError(f"unknown class '{config.npb_class}' (choose from {', '.join(CLASSES)})")
    bad = [b for b in config.benchmarks if b not in BENCHMARKS]
    if bad:
        raise NasError(f"unknown benchmark(s) {', '.join(bad)} (choose from "
                       f"{', '.join(BENCHMARKS)})")
    if config.repeats < 1:
        raise NasError("--repeats must be at least 1")
    check_pin(config.pin_core)


def build_all(config: SuiteConfig, log=print) -> list[Build]:
    """Build each benchmark for each available variant (sequentially, with progress)."""
    check_config(config)
    npb = resolve_npb(config.npb)
    options = VariantOptions(config.time_limit, config.model)
    variants = available_variants(list(config.variants), options, warn=log)
    if not variants:
        raise NasError("no variant is available")
    jobs = [(v, b) for v in variants for b in config.benchmarks]
    builds = []
    bar = tqdm(jobs, desc="build", unit="binary", disable=config.quiet)
    for variant, bench in bar:
        bar.set_postfix_str(f"{bench}.{config.npb_class} {variant.name}")
        tree = prepare_tree(npb, Path(config.build_dir) / variant.name,
                            make_def(variant.cc, cflags(config), variant.key))
        build = build_benchmark(tree, bench, config.npb_class, variant.name, config.rebuild)
        if not build.ok:
            log(f"build failed: {bench}.{config.npb_class} {variant.name}: {build.error}")
        builds.append(build)
    config.out.mkdir(parents=True, exist_ok=True)
    write_dataclasses(config.out / COMPILE_CSV, [compile_row(b) for b in builds])
    render_compile(config.out)
    return builds


def run_suite(config: SuiteConfig, log=print) -> SuiteResult:
    """Build, run ``repeats`` times interleaved, write nas.csv/nas.md/nas.png."""
    builds = build_all(config, log)
    binaries = {(b.benchmark, b.variant): b.binary for b in builds if b.ok}
    runs: list[Run] = []
    total = len(binaries) * config.repeats
    with tqdm(total=total, desc="run", unit="run", disable=config.quiet) as bar:
        def record(run: Run) -> None:
            runs.append(run)
            bar.set_postfix_str(f"{run.benchmark} {run.variant} {run.seconds:.2f}s"
                                + ("" if run.verified else " NOT VERIFIED"))
            write_csv(config.out / CSV_NAME, runs)
        run_all(binaries, config.npb_class, config.repeats, config.timeout,
                progress=bar.update, on_run=record, core=config.pin_core)
    summary = None
    if runs:
        summary = summarize(runs)
        write_text_atomic(config.out / MD_NAME, render_markdown(summary))
        render_png(summary, config.out / PNG_NAME)
    return SuiteResult(tuple(builds), tuple(runs), summary)
