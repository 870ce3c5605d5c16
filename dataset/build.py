"""``slpvec-dataset build``: sources -> per-source shards + manifest.json.

One shard per source file (C compiled with its compile_flags.txt, or .ll).
Work runs on a local process pool, or on a Dask cluster; a shard whose file and sidecar exist is
finished, so rerunning a killed build redoes only the shard(s) in flight.
Splits are by source-content hash with a seed, so a file and its blocks
never straddle train/val/test. NPB is the held-out benchmark: sources under
an NPB folder are refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from ilp_oracle import LABEL_VERSION
from slpvec.errors import SlpvecError

SPLITS = (("train", 0.8), ("val", 0.1), ("test", 0.1))


@dataclass(frozen=True)
class WorkItem:
    """One source -> one shard."""

    source: str
    shard: str        # file name of the shard inside OUT/shards
    split: str
    cpu: str
    cost_kind: str
    time_limit_s: float


@dataclass(frozen=True)
class ShardRecord:
    """What a finished shard holds (also its sidecar ``<shard>.json``)."""

    shard: str
    source: str
    split: str
    sha256: str
    blocks: int
    decisions: int
    failures: int
    status: dict
    seconds: float
    failure_reasons: tuple = ()  # (block id, one-line error), at most 20
    label_version: int = 0       # ilp_oracle.LABEL_VERSION of its labels (0: before versions)


def split_of(content_hash: str, seed: int) -> str:
    """train/val/test from a stable hash of (seed, content)."""
    value = int(hashlib.sha256(f"{seed}:{content_hash}".encode()).hexdigest()[:8], 16) / 2**32
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if value < edge:
            return name
    return SPLITS[-1][0]


def refuse_held_out(path: Path) -> None:
    if any(part.lower().startswith("npb") for part in path.resolve().parts):
        raise SlpvecError(f"{path}: NPB is the held-out benchmark and never training data")


def plan_work(sources: list[Path], cpu: str, cost_kind: str, time_limit_s: float,
              seed: int) -> list[WorkItem]:
    """Work items in a fixed order (sorted by path)."""
    items = []
    for path in sorted(sources):
        refuse_held_out(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        items.append(WorkItem(str(path), f"{path.stem}-{digest[:12]}.npz",
                              split_of(digest, seed), cpu, cost_kind, time_limit_s))
    return items


def build_shard(item: WorkItem, out: Path) -> ShardRecord:
    """Compile, analyse, solve and save one shard; block failures are counted."""
    from slpvec.context import make_context
    from slpvec.driver import prepare
    from slpvec.inputs import load_module
    from slpvec.target import target_for

    from .samples import block_sample, save_shard

    start = time.perf_counter()
    raw = load_module(Path(item.source), item.cpu)
    module, target, costs, table = prepare(raw, target_for(raw, item.cpu), item.cost_kind,
                                           item.source)
    samples, failures, status, reasons = [], 0, {}, []
    for fn in module.functions:
        for block in fn.blocks:
            try:
                ctx = make_context(block, fn, target, costs[(fn.name, block.label)], table)
                sample = block_sample(ctx, item.time_limit_s)
            except Exception as err:  # noqa: BLE001 - one bad block never sinks a build
                failures += 1
                if len(reasons) < 20:
                    reasons.append((block.id, f"{type(err).__name__}: {err}".splitlines()[0]))
                continue
            if sample is not None:
                samples.append(sample)
                status[sample.status] = status.get(sample.status, 0) + 1
    path = out / "shards" / item.shard
    save_shard(path, samples)
    record = ShardRecord(item.shard, item.source, item.split,
                         hashlib.sha256(path.read_bytes()).hexdigest(), len(samples),
                         sum(len(s.focus) for s in samples), failures, status,
                         time.perf_counter() - start, tuple(reasons), LABEL_VERSION)
    sidecar = path.with_suffix(".json")
    tmp = sidecar.with_name(f".{sidecar.name}.tmp")
    tmp.write_text(json.dumps(asdict(record), indent=1))
    tmp.replace(sidecar)
    return record


def finished(item: WorkItem, out: Path) -> ShardRecord | None:
    """The record of an already built shard, None if it must be (re)built."""
    shard = out / "shards" / item.shard
    sidecar = shard.with_suffix(".json")
    if not (shard.exists() and sidecar.exists()):
        return None
    data = json.loads(sidecar.read_text())
    if data.get("label_version", 0) != LABEL_VERSION:  # labelled by another oracle
        return None
    data["failure_reasons"] = tuple(tuple(r) for r in data.get("failure_reasons", ()))
    return ShardRecord(**data)


def _run(todo: list[WorkItem], out: Path, workers: int, scheduler: str | None):
    """Yield (item, ShardRecord or error text) as shards finish.

    Default: a local process pool. ``scheduler``: a dask.distributed scheduler
    address, or ``local`` for a LocalCluster of ``workers`` processes; the same
    ``build_shard`` tasks run there, so the shards are the same bytes.
    """
    if not todo:
        return
    if scheduler is None:
        with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(build_shard, item, out): item for item in todo}
            for future in as_completed(futures):
                yield futures[future], _result(future)
        return
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed
    cluster = (LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                            dashboard_address=None) if scheduler == "local" else None)
    with Client(cluster if cluster is not None else scheduler) as client:
        futures = {client.submit(build_shard, item, out, pure=False): item for item in todo}
        for future in dask_completed(list(futures)):
            yield futures[future], _result(future)
    if cluster is not None:
        cluster.close()


def _result(future):
    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - a whole source failed; the build goes on
        return f"{type(err).__name__}: {err}"


SYNTHETIC_PER_FILE = 50


def write_synthetic(out: Path, n_blocks: int, seed: int) -> list[Path]:
    """``n_blocks`` seeded random blocks (slpvec.tools.randblocks) as .ll modules of
    up to SYNTHETIC_PER_FILE functions in ``out/synthetic``; same seed, same files.
    A file an older generator wrote is rewritten (its shard is then rebuilt,
    being keyed by the source's hash)."""
    from slpvec.tools.randblocks import random_module_ir
    folder = out / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, start in enumerate(range(0, n_blocks, SYNTHETIC_PER_FILE)):
        path = folder / f"synthetic-{seed}-{k:04d}.ll"
        text = random_module_ir(seed * 10_007 + k, min(SYNTHETIC_PER_FILE, n_blocks - start))
        if not path.exists() or path.read_text() != text:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text)
            tmp.replace(path)
        paths.append(path)
    return paths


def build(sources: list[Path], out: Path, workers: int = 2, cpu: str = "haswell",
          cost_kind: str = "throughput", time_limit_s: float = 10.0, seed: int = 0,
          progress: bool = True, scheduler: str | None = None, synthetic: int = 0) -> dict:
    """Build (or finish) a dataset; returns the manifest it writes.

    ``scheduler``: None for a local process pool, else a Dask scheduler
    address or ``local`` (see :func:`_run`)."""
    from tqdm import tqdm
    out = Path(out)
    (out / "shards").mkdir(parents=True, exist_ok=True)
    sources = list(sources) + write_synthetic(out, synthetic, seed)
    items = plan_work(sources, cpu, cost_kind, time_limit_s, seed)
    records = {i.shard: r for i in items if (r := finished(i, out))}
    todo = [i for i in items if i.shard not in records]
    bar = tqdm(total=len(items), initial=len(records), desc="dataset", unit="shard",
               disable=not progress)
    for item, result in _run(todo, out, workers, scheduler):
        if isinstance(result, ShardRecord):
            records[item.shard] = result
        else:
            bar.write(f"failed {item.source}: {result}")
        bar.update(1)
    bar.close()
    manifest = make_manifest(items, records, cpu, cost_kind, seed, time_limit_s)
    manifest["synthetic_blocks"] = synthetic
    tmp = out / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1))
    tmp.replace(out / "manifest.json")
    return manifest


VOLATILE_SHARD_FIELDS = ("seconds",)  # wall-clock time: differs between identical builds


def manifest_hash(dataset: str | Path) -> str:
    """sha256 (16 hex digits) of a dataset's ``manifest.json`` content, without
    the build's timings, so a rebuild with the same labels has the same hash."""
    manifest = json.loads((Path(dataset) / "manifest.json").read_text())
    for shard in manifest.get("shards", []):
        for field in VOLATILE_SHARD_FIELDS:
            shard.pop(field, None)
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def make_manifest(items, records, cpu, cost_kind, seed, time_limit_s) -> dict:
    import llvmlite
    import pulp

    from slpvec.graph import feature_spec_hash
    from slpvec.toolchain import llvm_version
    shards = [asdict(records[i.shard]) for i in items if i.shard in records]
    return {"versions": {"llvm": llvm_version(), "llvmlite": llvmlite.__version__,
                         "pulp": pulp.__version__, "solver": "cbc (PuLP bundled)"},
            "cpu": cpu, "cost_kind": cost_kind, "feature_spec": feature_spec_hash(),
            "split_seed": seed, "ilp_time_limit_s": time_limit_s,
            "label_version": LABEL_VERSION,
            "counts": {"sources": len(items), "shards": len(shards),
                       "blocks": sum(s["blocks"] for s in shards),
                       "decisions": sum(s["decisions"] for s in shards),
                       "failures": sum(s["failures"] for s in shards)},
            "shards": shards}


def verify(out: Path) -> list[str]:
    """Problems found (empty = every shard present with its recorded sha256)."""
    manifest = json.loads((Path(out) / "manifest.json").read_text())
    problems = []
    for shard in manifest["shards"]:
        path = Path(out) / "shards" / shard["shard"]
        if not path.exists():
            problems.append(f"missing {shard['shard']}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != shard["sha256"]:
            problems.append(f"hash mismatch {shard['shard']}")
    return problems
