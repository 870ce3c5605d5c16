"""A long-lived ``plugin-worker`` server: imports and policies loaded once.

Every clang process the pass plugin runs in starts ``python -m slpvec
plugin-worker``, which spends most of a small module's time importing slpvec
(0.3 s idle, 1.4 s on a loaded machine) and loading the gnn model (0.2-1 s).
Unless ``SLPVEC_PLUGIN_SERVER=0``, the worker is only a client: it sends its
arguments and working directory over a Unix socket to a server that has
everything imported, which forks a child per request (so ``make -j``
compiles run in parallel) and sends back the exit status, stdout and stderr.
No server yet: the client starts one in the background and does this request
itself. The server exits after ``IDLE_SECONDS`` without requests. The socket
is private to the user and keyed by the interpreter, slpvec's sources (their
modification times) and the ``SLPVEC_*`` environment, so an edited checkout or
another cost cache gets its own server.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

IDLE_SECONDS = 120.0


def socket_path() -> Path:
    """The server socket for this interpreter, checkout (the sources and the
    shipped model of slpvec and the packages its policies load) and SLPVEC_*
    environment."""
    package = Path(__file__).resolve().parents[1]
    files = [p for folder in (package, package.parent / "models", package.parent / "ilp_oracle")
             for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    key = [sys.executable, str(package), *(f"{p}:{p.stat().st_mtime_ns}" for p in files),
           *sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("SLPVEC_"))]
    digest = hashlib.sha1("\n".join(key).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"slpvec-{os.getuid()}-{digest}.sock"


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _receive(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return json.loads(data)


def request(argv: list[str]) -> int | None:
    """Run ``plugin-worker argv`` on the server; its exit status (its output
    relayed), or None when no server answered (one is started for next time)."""
    path = socket_path()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(path))
            _send(conn, {"argv": argv, "cwd": os.getcwd()})
            reply = _receive(conn)
    except (OSError, ValueError):
        subprocess.Popen([sys.executable, "-m", "slpvec", "plugin-server", str(path)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
        return None
    sys.stdout.write(reply["stdout"])
    sys.stderr.write(reply["stderr"])
    return int(reply["status"])


def _listen(path: Path) -> socket.socket | None:
    """A listening socket at ``path``, or None if a live server already has it."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
    except OSError:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(path))
                server.close()
                return None  # another server answers there
            except OSError:
                path.unlink(missing_ok=True)  # stale: its server died
        server.bind(str(path))
    path.chmod(0o600)
    server.listen(16)
    return server


def _handle(conn: socket.socket, message: dict, policies: dict) -> None:
    """In a forked child: run one request and answer it."""
    from .plugin_bridge import run_worker

    os.chdir(message["cwd"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = run_worker(message["argv"], policies)
    _send(conn, {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()})


def serve(path: Path, idle_seconds: float = IDLE_SECONDS) -> int:
    """Answer requests at ``path`` until ``idle_seconds`` pass without one."""
    from .. import driver  # noqa: F401 - import everything once, before forking
    from .plugin_bridge import cached_policy

    server = _listen(path)
    if server is None:
        return 0
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    policies: dict = {}
    try:
        while select.select([server], [], [], idle_seconds)[0]:
            conn, _ = server.accept()
            message = None  # never the previous request's: a client may hang up unheard
            try:
                message = _receive(conn)
                cached_policy(message["argv"], policies)  # loaded here once, shared by forks
            except Exception:  # noqa: BLE001 - the child reports what is wrong
                pass
            if message is not None and os.fork() == 0:
                # the child waits for its own subprocesses (opt-22, llc-22): with SIGCHLD
                # ignored they are reaped unseen and every exit status reads as 0
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                server.close()
                try:
                    _handle(conn, message, policies)
                finally:
                    os._exit(0)
            conn.close()
    finally:
        server.close()
        path.unlink(missing_ok=True)
    return 0
