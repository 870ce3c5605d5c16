"""A small on-disk key/value cache (sqlite, safe for concurrent processes).

Location: ``$SLPVEC_CACHE_DIR/costs.sqlite`` or ``~/.cache/slpvec/costs.sqlite``;
``SLPVEC_CACHE_DIR=off`` disables it (memory only).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path


def cache_path() -> Path | None:
    """Where the cache lives, None when disabled."""
    folder = os.environ.get("SLPVEC_CACHE_DIR", "")
    if folder.lower() == "off":
        return None
    return Path(folder or Path.home() / ".cache" / "slpvec") / "costs.sqlite"


class DiskCache:
    """JSON values by string key; failures to open or write degrade to no cache."""

    def __init__(self, path: Path | None = None, enabled: bool = True):
        self.path = path if path is not None else cache_path()
        self._db = None
        if enabled and self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")
            except (OSError, sqlite3.Error):
                self._db = None

    def get_many(self, keys: list[str]) -> dict[str, object]:
        if self._db is None or not keys:
            return {}
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(
                    f"SELECT key, value FROM kv WHERE key IN ({marks})", chunk):
                found[key] = json.loads(value)
        return found

    def put_many(self, items: dict[str, object]) -> None:
        if self._db is None or not items:
            return
        try:
            self._db.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)",
                                 [(k, json.dumps(v)) for k, v in items.items()])
        except sqlite3.Error:
            pass
