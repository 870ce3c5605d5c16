"""Where a source comes from: the corpus suite and upstream repository.

A prepared suite folder carries the stamp :mod:`dataset.sources` writes
(``.slpvec-source.json``: upstream, commit, license), copied from the suite's
manifest. The nearest stamped folder above a source names its suite (the
folder's name) and its repository (``owner/name`` of the upstream URL), so a
dataset can be split by repository wherever the corpus was prepared.
Sources outside any prepared suite (synthetic blocks, ad-hoc files) have no
repository.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .sources import STAMP


@dataclass(frozen=True)
class Origin:
    """Suite and repository of one source ('' when not from a prepared suite)."""

    suite: str
    repository: str   # "owner/name" of the upstream git repository


NO_ORIGIN = Origin("", "")


def source_origin(path: str | Path) -> Origin:
    """The :class:`Origin` of ``path`` from the nearest stamped folder above it."""
    folder = Path(os.path.abspath(path)).parent
    for candidate in (folder, *folder.parents):
        origin = _stamped(candidate)
        if origin is not None:
            return origin
    return NO_ORIGIN


@lru_cache(maxsize=None)
def _stamped(folder: Path) -> Origin | None:
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None
    upstream = str(stamp.get("upstream", "")).rstrip("/").removesuffix(".git")
    return Origin(folder.name, "/".join(upstream.split("/")[-2:]) if upstream else "")
