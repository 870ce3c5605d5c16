"""A small on-disk key/value cache (sqlite, safe for concurrent processes).

Location: ``$SLPVEC_CACHE_DIR/costs.sqlite`` or ``~/.cache/slpvec/costs.sqlite``;
``SLPVEC_CACHE_DIR=off`` disables it (memory only).

A cache that cannot be opened or written (permissions, a busy lock) is
skipped silently: it only saves time. A corrupt one (not a database, a
damaged or truncated file, a foreign ``kv`` table, a value that is not
JSON or fails the caller's check) is moved aside to ``costs.sqlite.corrupt``
and recreated empty, with one warning per process on stderr.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Callable

SCHEMA = (("key", "TEXT", 1), ("value", "TEXT", 0))  # (column, type, primary key)
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_warned: set[str] = set()


def cache_path() -> Path | None:
    """Where the cache lives, None when disabled."""
    folder = os.environ.get("SLPVEC_CACHE_DIR", "")
    if folder.lower() == "off":
        return None
    return Path(folder or Path.home() / ".cache" / "slpvec") / "costs.sqlite"


class CorruptCache(Exception):
    """The cache file is damaged or is not ours (message: what was wrong)."""


class DiskCache:
    """JSON values by string key; failures to open or write degrade to no
    cache, corruption rebuilds it (see the module doc)."""

    def __init__(self, path: Path | None = None, enabled: bool = True):
        self.path = path if path is not None else cache_path()
        self._db: sqlite3.Connection | None = None
        self._inode = None
        if enabled and self.path is not None:
            self._guarded(self._open)

    def get_many(self, keys: list[str], valid: Callable[[object], bool] | None = None
                 ) -> dict[str, object]:
        """The stored values of ``keys`` (missing keys absent). A value that
        is not JSON, or for which ``valid`` is false, means corruption: the
        cache is rebuilt and nothing is returned."""
        found = self._guarded(lambda: self._select(keys, valid)) if keys else None
        return found or {}

    def put_many(self, items: dict[str, object]) -> None:
        """Store ``items`` (best effort)."""
        if items:
            rows = [(k, json.dumps(v)) for k, v in items.items()]
            self._guarded(lambda: self._db.executemany(
                "INSERT OR REPLACE INTO kv VALUES (?, ?)", rows))

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._inode = os.stat(self.path).st_ino
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")
        columns = tuple((name, kind, pk) for _, name, kind, _, _, pk
                        in self._db.execute("PRAGMA table_info(kv)"))
        if columns != SCHEMA:
            raise CorruptCache(f"table kv has columns {[c[0] for c in columns]}")

    def _select(self, keys: list[str], valid) -> dict[str, object]:
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, text in self._db.execute(
                    f"SELECT key, value FROM kv WHERE key IN ({marks})", chunk):
                try:
                    value = json.loads(text)
                except (TypeError, ValueError):
                    raise CorruptCache(f"the value of {key!r} is not JSON") from None
                if valid is not None and not valid(value):
                    raise CorruptCache(f"the value of {key!r} is not a cost")
                found[key] = value
        return found

    def _guarded(self, action: Callable[[], object], retry: bool = True):
        """Run ``action`` on the open cache (or ``_open`` itself): its result,
        None if there is no cache or it fails; on corruption rebuild, reopen
        and run it once more on the fresh cache."""
        if self._db is None and action != self._open:
            return None
        try:
            return action()
        except (CorruptCache, sqlite3.DatabaseError) as err:
            self._close()
            corrupt = isinstance(err, CorruptCache) or _is_corruption(err)
            if not (corrupt and retry and self._rebuild(str(err))):
                return None  # locked, read-only, full disk: run without a cache
            if action != self._open:
                self._guarded(self._open, retry=False)
            return self._guarded(action, retry=False)
        except (OSError, sqlite3.Error):
            self._close()
            return None

    def _rebuild(self, reason: str) -> bool:
        """Move the corrupt file aside (unless another process already did)
        and warn once; True if a fresh cache can be opened."""
        aside = self.path.with_name(self.path.name + ".corrupt")
        try:
            if self._inode is None or os.stat(self.path).st_ino == self._inode:
                os.replace(self.path, aside)
                for suffix in ("-wal", "-shm"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        except OSError:
            return False
        if str(self.path) not in _warned:
            _warned.add(str(self.path))
            print(f"slpvec: warning: cost cache {self.path} was corrupt; rebuilt ({reason}; "
                  f"the old file is {aside.name})", file=sys.stderr)
        return True

    def _close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None


def _is_corruption(err: sqlite3.DatabaseError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(err)
    return "malformed" in text or "not a database" in text
