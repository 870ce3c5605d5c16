"""Caps that bound a dataset build's time, each a deterministic choice.

``max_sources_per_suite``: of each corpus suite's sources, the N whose
seeded content hash ranks first (a large suite no longer outweighs the
others; adding or editing one file changes only that file's rank).
``max_blocks_per_source``: of one source's blocks with candidates, the M
whose seeded block-id hash ranks first are labelled (the oracle solves only
those; blocks are visited in that order and the walk stops at M). The same
seed and inputs choose the same sources and blocks on any machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable, TypeVar

from slpvec.errors import SlpvecError

T = TypeVar("T")


@dataclass(frozen=True)
class Caps:
    """Limits of one build (0: no limit)."""

    max_blocks_per_source: int = 0
    max_sources_per_suite: int = 0

    def __post_init__(self):
        if self.max_blocks_per_source < 0 or self.max_sources_per_suite < 0:
            raise SlpvecError("dataset caps must be >= 0 (0: no cap)")


def rank(seed: int, key: str) -> str:
    """The seeded hash that orders choices (hex; compare as strings)."""
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def cap_per_group(items: Iterable[T], limit: int, seed: int, group: Callable[[T], str],
                  key: Callable[[T], str]) -> tuple[list[T], list[T]]:
    """(kept, left out): at most ``limit`` items per non-empty ``group(item)``,
    those whose ``rank(seed, key(item))`` is lowest; items of group '' and all
    items when ``limit`` is 0 are kept. Both lists keep the input order."""
    items = list(items)
    if not limit:
        return items, []
    chosen: dict[str, list[T]] = {}
    for item in items:
        if group(item):
            chosen.setdefault(group(item), []).append(item)
    dropped = set()
    for members in chosen.values():
        members.sort(key=lambda item: rank(seed, key(item)))
        dropped |= {id(item) for item in members[limit:]}
    return ([i for i in items if id(i) not in dropped], [i for i in items if id(i) in dropped])


def labelling_order(block_ids: list[str], capped: bool, seed: int) -> list[int]:
    """Indices of ``block_ids`` in the order a build visits them: program order
    without a cap, else by seeded hash of the block id."""
    order = list(range(len(block_ids)))
    return sorted(order, key=lambda k: rank(seed, block_ids[k])) if capped else order
