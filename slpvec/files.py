"""File output that is never left half-written and never lands on the wrong file.

A destination is resolved through symlinks first (``-o link.ll`` replaces the
file the link points at, and the link stays a link). A regular file (or a new
one) is written to a temporary file beside it and renamed into place, keeping
the replaced file's mode and owner; a device or pipe (``/dev/null``,
``/dev/stdout``) is written through, since renaming over it would replace the
device node. Every failure is an :class:`OutputError`: one line naming the
destination and the reason.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Sequence

from .errors import OutputError


@dataclass
class _Staged:
    """One destination prepared for writing: ``tmp`` holds the complete text
    (renamed onto ``real`` on commit), or ``stream`` is the open device."""

    shown: str
    real: Path
    text: str | bytes
    tmp: Path | None = None
    stream: IO | None = None


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` (see the module doc); OutputError on failure."""
    write_files([(path, text)])


def write_files(items: Sequence[tuple[str | Path, str | bytes]]) -> None:
    """Write several files (text, or bytes written as they are), all or none
    as far as the file system allows.

    Every destination is checked and every regular file's text fully written
    to its temporary file before any is renamed into place; then they are put
    in place in the given order (put the most important last: a failure then
    leaves it untouched). Raises OutputError, leaving no temporary file.
    """
    staged: list[_Staged] = []
    try:
        for path, text in items:
            staged.append(_stage(path, text))
        for item in staged:
            _commit(item)
    finally:
        for item in staged:
            if item.tmp is not None:
                item.tmp.unlink(missing_ok=True)
            if item.stream is not None:
                item.stream.close()


def same_file(a: str | Path, b: str | Path) -> bool:
    """True if ``a`` and ``b`` name one regular file, existing or not (through
    symlinks and, for existing files, hard links); devices are never the same."""
    if any(os.path.exists(p) and not os.path.isfile(p) for p in (a, b)):
        return False
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _stage(path: str | Path, text: str | bytes) -> _Staged:
    shown = str(path)
    try:
        info = os.stat(path)  # through symlinks, and /dev/stdout's link to a pipe
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _error(shown, err) from None
    item = _Staged(shown, Path(os.path.realpath(path)), text)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {shown}: is a directory")
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            item.stream = open(path, "wb" if isinstance(text, bytes) else "w")  # written through
            return item
        real = item.real
        real.parent.mkdir(parents=True, exist_ok=True)
        item.tmp, handle = _create_beside(real, binary=isinstance(text, bytes))
        with handle:
            handle.write(text)
        if info is not None:  # keep the replaced file's mode and, where allowed, owner
            os.chmod(item.tmp, stat.S_IMODE(info.st_mode))
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.chown(item.tmp, info.st_uid, info.st_gid)
                except OSError:
                    pass
    except OSError as err:
        raise _error(shown, err) from None
    return item


def _create_beside(real: Path, binary: bool = False) -> tuple[Path, IO]:
    """A new hidden file next to ``real``, created with the mode a new file
    gets (0666 less the umask), and its open handle."""
    while True:
        tmp = real.with_name(f".{real.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        return tmp, os.fdopen(fd, "wb" if binary else "w")


def _commit(item: _Staged) -> None:
    try:
        if item.stream is not None:
            item.stream.write(item.text)
            item.stream.flush()
        else:
            os.replace(item.tmp, item.real)
            item.tmp = None
    except OSError as err:
        raise _error(item.shown, err) from None


def _error(shown: str, err: OSError) -> OutputError:
    reason = err.strerror or str(err)
    return OutputError(f"cannot write {shown}: {reason[0].lower()}{reason[1:]}")
