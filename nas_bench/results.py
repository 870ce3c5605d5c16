"""nas.csv -> medians, speedups over clang-O3, geomean -> nas.md and nas.png."""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path

from slpvec.files import write_text_atomic

from .npb import BENCHMARKS, NasError
from .runner import Run
from .variants import BASELINE, NOISE, VARIANTS

CSV_NAME, MD_NAME, PNG_NAME = "nas.csv", "nas.md", "nas.png"


@dataclass(frozen=True)
class Summary:
    """Per (benchmark, variant): median and minimum seconds of verified runs,
    their spread ((max - min) / median), and (verified runs, runs)."""

    npb_class: str
    benchmarks: tuple[str, ...]
    variants: tuple[str, ...]
    medians: dict            # (bench, variant) -> median seconds
    counts: dict             # (bench, variant) -> (verified runs, runs)
    mins: dict = field(default_factory=dict)      # (bench, variant) -> fastest run
    spreads: dict = field(default_factory=dict)   # (bench, variant) -> (max - min) / median
    cores: tuple[int, ...] = ()                   # cpus the runs were pinned to

    def speedup(self, bench: str, variant: str, stat: str = "median") -> float | None:
        """clang-O3's seconds over this variant's, by ``stat`` (median or min);
        None if either is missing."""
        times = self.medians if stat == "median" else self.mins
        base, mine = times.get((bench, BASELINE)), times.get((bench, variant))
        return base / mine if base and mine else None

    def geomean(self, variant: str, stat: str = "median") -> float | None:
        """Geometric mean of the speedups over the benchmarks that have one."""
        values = [s for b in self.benchmarks if (s := self.speedup(b, variant, stat))]
        return math.exp(sum(map(math.log, values)) / len(values)) if values else None

    def noise_floor(self, stat: str = "median") -> float | None:
        """The largest |speedup - 1| of clang-O3-again (an identical clang -O3
        build) over the benchmarks: what two equal binaries differ by here."""
        values = [abs(s - 1) for b in self.benchmarks if (s := self.speedup(b, NOISE, stat))]
        return max(values) if values else None


def write_csv(path: Path, runs: list[Run]) -> None:
    """One row per run: benchmark, class, variant, run, seconds, verified,
    npb_seconds, core (empty when not pinned)."""
    rows = [["benchmark", "class", "variant", "run", "seconds", "verified", "npb_seconds",
             "core"]]
    for r in runs:
        rows.append([r.benchmark, r.npb_class, r.variant, r.run, f"{r.seconds:.6f}",
                     int(r.verified), "" if r.npb_seconds is None else r.npb_seconds,
                     "" if r.core is None else r.core])
    _write_rows(path, rows)


def read_csv(path: Path) -> list[Run]:
    """Runs from a nas.csv (NasError if missing or malformed)."""
    if not path.is_file():
        raise NasError(f"{path}: no such results file")
    try:
        with path.open(newline="") as handle:
            return [Run(row["benchmark"], row["class"], row["variant"], int(row["run"]),
                        float(row["seconds"]), row["verified"].strip() in ("1", "True", "true"),
                        float(row["npb_seconds"]) if row.get("npb_seconds") else None,
                        int(row["core"]) if row.get("core") else None)
                    for row in csv.DictReader(handle)]
    except (KeyError, ValueError) as err:
        raise NasError(f"{path}: malformed results CSV ({err})") from None


def summarize(runs: list[Run]) -> Summary:
    """Medians, minima and spreads over verified runs, benchmarks and variants
    in canonical order."""
    if not runs:
        raise NasError("no runs to summarize")
    classes = sorted({r.npb_class for r in runs})
    if len(classes) > 1:
        raise NasError(f"runs of several classes mixed in one file: {', '.join(classes)}")
    times, counts = {}, {}
    for r in runs:
        key = (r.benchmark, r.variant)
        ok, total = counts.get(key, (0, 0))
        counts[key] = (ok + r.verified, total + 1)
        if r.verified:
            times.setdefault(key, []).append(r.seconds)
    order = lambda names, canon: tuple(sorted(  # noqa: E731
        names, key=lambda n: (canon.index(n) if n in canon else len(canon), n)))
    medians = {k: statistics.median(v) for k, v in times.items()}
    return Summary(classes[0], order({r.benchmark for r in runs}, BENCHMARKS),
                   order({r.variant for r in runs}, VARIANTS), medians, counts,
                   {k: min(v) for k, v in times.items()},
                   {k: (max(v) - min(v)) / medians[k] for k, v in times.items()},
                   tuple(sorted({r.core for r in runs if r.core is not None})))


def _protocol(summary: Summary) -> str:
    """One sentence: repeats, interleaving, pinning."""
    repeats = max((total for _, total in summary.counts.values()), default=0)
    pinned = (f"pinned to core {','.join(map(str, summary.cores))} (taskset)" if summary.cores
              else "not pinned")
    return (f"NPB class {summary.npb_class}: {repeats} runs per binary, variants interleaved "
            f"(order rotated each round), {pinned}; wall seconds of verified runs, speedup "
            f"over {BASELINE} (higher is better).")


def _table(summary: Summary, stat: str) -> list[str]:
    """Rows of one table: seconds by ``stat`` with speedup (and, for the
    median, the spread), then the geomean row."""
    times = summary.medians if stat == "median" else summary.mins
    lines = ["| benchmark | " + " | ".join(summary.variants) + " |",
             "|---" + "|---:" * len(summary.variants) + "|"]
    for bench in summary.benchmarks:
        cells = [bench]
        for v in summary.variants:
            value = times.get((bench, v))
            ok, total = summary.counts.get((bench, v), (0, 0))
            if value is None:
                cells.append(f"- ({ok}/{total} verified)" if total else "-")
                continue
            cell = f"{value:.3f} s ({summary.speedup(bench, v, stat) or 0:.3f}x"
            cell += f", spread {100 * summary.spreads[bench, v]:.1f}%)" if stat == "median" else ")"
            cells.append(cell + (f" [{ok}/{total} verified]" if ok < total else ""))
        lines.append("| " + " | ".join(cells) + " |")
    geo = [f"{g:.3f}x" if (g := summary.geomean(v, stat)) else "-" for v in summary.variants]
    lines.append("| **geomean speedup** | " + " | ".join(geo) + " |")
    return lines


def _noise_line(summary: Summary) -> str:
    median, fastest = summary.noise_floor("median"), summary.noise_floor("min")
    if median is None:
        return (f"Noise floor: not measured (add the variant {NOISE}, a second identical "
                f"{BASELINE} build).")
    return (f"**Noise floor** ({NOISE}, an identical {BASELINE} build, against {BASELINE}): "
            f"up to ±{100 * median:.1f}% on one benchmark by the median, ±{100 * fastest:.1f}% "
            f"by the min; geomean {summary.geomean(NOISE):.3f}x / "
            f"{summary.geomean(NOISE, 'min'):.3f}x. A difference inside it is not a measured "
            f"effect.")


def render_markdown(summary: Summary) -> str:
    """The protocol sentence, the median table (with each binary's spread,
    (slowest - fastest) / median), the min table, and the noise floor."""
    lines = [_protocol(summary), "", "Median run (spread: slowest minus fastest run, over the "
             "median):", "", *_table(summary, "median"), "",
             "Fastest run:", "", *_table(summary, "min"), "", _noise_line(summary)]
    return "\n".join(lines) + "\n"


def render_png(summary: Summary, path: Path) -> None:
    """Grouped bar chart: speedup over clang-O3, one group per benchmark (+ geomean)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(summary.benchmarks) + ["geomean"]
    width = 0.8 / max(len(summary.variants), 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(groups)), 4.0))
    for i, v in enumerate(summary.variants):
        values = [summary.speedup(b, v) or 0.0 for b in summary.benchmarks]
        values.append(summary.geomean(v) or 0.0)
        ax.bar([g + (i - (len(summary.variants) - 1) / 2) * width for g in range(len(groups))],
               values, width, label=v)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(f"speedup over {BASELINE}")
    ax.set_title(f"NPB 3.3 serial C, class {summary.npb_class}")
    ax.legend(fontsize="small", ncols=min(len(summary.variants), 3))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def render(out: Path) -> Summary:
    """Re-render nas.md and nas.png (and compile.md if compile.csv exists) in ``out``."""
    from .compile_report import render_compile

    summary = summarize(read_csv(out / CSV_NAME))
    write_text_atomic(out / MD_NAME, render_markdown(summary))
    render_png(summary, out / PNG_NAME)
    render_compile(out)
    return summary


def _write_rows(path: Path, rows: list[list]) -> None:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write_text_atomic(path, buffer.getvalue())


def write_dataclasses(path: Path, items: list) -> None:
    """A CSV of frozen dataclass rows (header from the field names)."""
    if not items:
        return
    _write_rows(path, [[f.name for f in fields(items[0])]] + [list(astuple(i)) for i in items])
