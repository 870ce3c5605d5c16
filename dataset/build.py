"""``slpvec-dataset build``: sources -> per-source shards + manifest.json.

One shard per source file (C compiled with its compile_flags.txt, or .ll).
Work runs on a local process pool, or on a Dask cluster; a shard whose file and sidecar exist is
finished, so rerunning a killed build redoes only the shard(s) in flight.
Splits are by source-content hash with a seed, so a file and its blocks
never straddle train/val/test; ``split_by="repo"`` splits corpus sources by
their upstream repository instead (:mod:`dataset.provenance`), so a held-out
repository shares no code with training. Caps (:mod:`dataset.selection`)
bound a build's time. NPB is the held-out benchmark: sources under an NPB
folder are refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ilp_oracle import LABEL_VERSION
from slpvec.errors import SlpvecError

from .provenance import source_origin
from .selection import Caps, cap_per_group, labelling_order, rank

SPLITS = (("train", 0.8), ("val", 0.1), ("test", 0.1))
SPLIT_BY = ("source", "repo")


@dataclass(frozen=True)
class WorkItem:
    """One source -> one shard."""

    source: str
    shard: str        # file name of the shard inside OUT/shards
    split: str
    cpu: str
    cost_kind: str
    time_limit_s: float
    suite: str = ""          # corpus suite ('' outside a prepared suite)
    repository: str = ""     # its upstream "owner/name"
    split_group: str = ""    # what decides split and fold: the repository, '' = the source
    group_index: int = -1    # split_group's place in the seeded order of all groups (folds)
    max_blocks: int = 0      # label at most this many blocks (0: all)
    seed: int = 0            # orders the capped blocks


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
    suite: str = ""
    repository: str = ""
    split_group: str = ""        # see WorkItem; older manifests have none (split by source)
    group_index: int = -1
    max_blocks: int = 0


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
              seed: int, split_by: str = "source", caps: Caps = Caps()) -> list[WorkItem]:
    """Work items in a fixed order (sorted by path), at most
    ``caps.max_sources_per_suite`` of each suite (:mod:`dataset.selection`).

    ``split_by``: "source" (by content hash) or "repo" (by upstream
    repository; sources from no prepared suite by content hash)."""
    if split_by not in SPLIT_BY:
        raise SlpvecError(f"split by '{split_by}': expected one of {', '.join(SPLIT_BY)}")
    items = []
    for path in sorted(sources):
        refuse_held_out(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        origin = source_origin(path)
        group = origin.repository if split_by == "repo" else ""
        items.append(WorkItem(str(path), f"{path.stem}-{digest[:12]}.npz",
                              split_of(group or digest, seed), cpu, cost_kind, time_limit_s,
                              origin.suite, origin.repository, group, -1,
                              caps.max_blocks_per_source, seed))
    groups = sorted({i.split_group for i in items} - {""}, key=lambda g: rank(seed, g))
    index = {group: k for k, group in enumerate(groups)}  # dealt round-robin into folds
    items = [replace(i, group_index=index.get(i.split_group, -1)) for i in items]
    kept, _ = cap_per_group(items, caps.max_sources_per_suite, seed, lambda i: i.suite,
                            lambda i: i.shard)
    return kept


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
    blocks = [(fn, block) for fn in module.functions for block in fn.blocks]
    found, failures, status, reasons = {}, 0, {}, []
    for position in labelling_order([b.id for _, b in blocks], item.max_blocks > 0, item.seed):
        if item.max_blocks and len(found) == item.max_blocks:
            break
        fn, block = blocks[position]
        try:
            ctx = make_context(block, fn, target, costs[(fn.name, block.label)], table)
            sample = block_sample(ctx, item.time_limit_s)
        except Exception as err:  # noqa: BLE001 - one bad block never sinks a build
            failures += 1
            if len(reasons) < 20:
                reasons.append((block.id, f"{type(err).__name__}: {err}".splitlines()[0]))
            continue
        if sample is not None:
            found[position] = sample
            status[sample.status] = status.get(sample.status, 0) + 1
    samples = [found[position] for position in sorted(found)]  # program order
    path = out / "shards" / item.shard
    save_shard(path, samples)
    record = ShardRecord(item.shard, item.source, item.split,
                         hashlib.sha256(path.read_bytes()).hexdigest(), len(samples),
                         sum(len(s.focus) for s in samples), failures, status,
                         time.perf_counter() - start, tuple(reasons), LABEL_VERSION,
                         item.suite, item.repository, item.split_group, item.group_index,
                         item.max_blocks)
    sidecar = path.with_suffix(".json")
    tmp = sidecar.with_name(f".{sidecar.name}.tmp")
    tmp.write_text(json.dumps(asdict(record), indent=1))
    tmp.replace(sidecar)
    return record


def same_choice(built_cap: int, blocks: int, cap: int) -> bool:
    """Whether a shard built under block cap ``built_cap`` (0: none) holding
    ``blocks`` samples is what cap ``cap`` labels: the same cap, or it holds
    every block with candidates of its source and ``cap`` keeps them all."""
    complete = built_cap == 0 or blocks < built_cap
    return built_cap == cap or (complete and (cap == 0 or blocks <= cap))


def finished(item: WorkItem, out: Path) -> ShardRecord | None:
    """The record of an already built shard, None if it must be (re)built
    (labelled by another oracle version or under another block cap). Its
    split and provenance are the plan's: re-splitting a dataset relabels nothing."""
    shard = out / "shards" / item.shard
    sidecar = shard.with_suffix(".json")
    if not (shard.exists() and sidecar.exists()):
        return None
    data = json.loads(sidecar.read_text())
    if data.get("label_version", 0) != LABEL_VERSION:  # labelled by another oracle
        return None
    if not same_choice(data.get("max_blocks", 0), data["blocks"], item.max_blocks):
        return None
    data["failure_reasons"] = tuple(tuple(r) for r in data.get("failure_reasons", ()))
    return replace(ShardRecord(**data), split=item.split, suite=item.suite,
                   max_blocks=item.max_blocks,
                   repository=item.repository, split_group=item.split_group,
                   group_index=item.group_index)


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
            try:
                for future in as_completed(futures):
                    yield futures[future], _result(future)
            finally:  # the caller stopped early: the shards already handed to workers finish
                pool.shutdown(cancel_futures=True)
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
          progress: bool = True, scheduler: str | None = None, synthetic: int = 0,
          split_by: str = "source", caps: Caps = Caps(), time_budget_s: float = 0.0) -> dict:
    """Build (or finish) a dataset; returns the manifest it writes.

    ``scheduler``: None for a local process pool, else a Dask scheduler
    address or ``local`` (see :func:`_run`). ``split_by``: see
    :func:`plan_work`; ``caps``: see :mod:`dataset.selection`.
    ``time_budget_s`` (0: none): start no shard after that many seconds; the
    manifest then lists the shards done (rerun to finish). Shards are built in
    seeded-hash order, so the progress bar's ETA is not skewed by one suite."""
    from tqdm import tqdm
    out = Path(out)
    (out / "shards").mkdir(parents=True, exist_ok=True)
    sources = list(sources) + write_synthetic(out, synthetic, seed)
    items = plan_work(sources, cpu, cost_kind, time_limit_s, seed, split_by, caps)
    records = {i.shard: r for i in items if (r := finished(i, out))}
    todo = sorted((i for i in items if i.shard not in records), key=lambda i: rank(seed, i.shard))
    bar = tqdm(total=len(todo), desc=f"dataset ({len(records)} of {len(items)} shards done)",
               unit="shard", disable=not progress)
    start, labelled = time.monotonic(), 0
    for item, result in _run(todo, out, workers, scheduler):
        if isinstance(result, ShardRecord):
            records[item.shard] = result
            labelled += result.blocks
        else:
            bar.write(f"failed {item.source}: {result}")
        bar.update(1)
        bar.set_postfix(blocks=labelled, refresh=False)
        if time_budget_s and time.monotonic() - start > time_budget_s:
            bar.write(f"time budget of {time_budget_s:g}s spent: {len(records)} of {len(items)} "
                      "shards done; rerun to finish")
            break
    bar.close()
    manifest = make_manifest(items, records, cpu, cost_kind, seed, time_limit_s)
    manifest.update(synthetic_blocks=synthetic, split_by=split_by,
                    caps={"max_blocks_per_source": caps.max_blocks_per_source,
                          "max_sources_per_suite": caps.max_sources_per_suite,
                          "sources_left_out": len(sources) - len(items)})
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
