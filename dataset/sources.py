"""Pinned third-party sources: manifests, fetching, verification, cache.

Third-party code is never committed. Each suite has a manifest
(``<package>/manifests/<suite>.toml``): its upstream git repository, the
pinned commit, the folder of the repository it uses, its license, and
``tree_sha256``, the digest of its files (:func:`tree_digest`), which the
files are checked against however they arrived. ``manifests/bundle.toml``
names the offline tarball holding the suites, one top folder each, and its
sha256; the suites it lists as ``fetched`` are not in the tarball and always
come from git or https.

A suite's files come, in this order of preference, from ``--from`` (a
bundle tarball, a folder holding the suites' folders, or a git repository or
folder of git mirrors), from a git mirror in the mirrors cache
(``$SLPVEC_MIRRORS`` or ``~/.cache/slpvec/mirrors``, fetched from upstream
with git when the pinned commit is missing), else over https as GitHub's
archive of the pinned commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from slpvec.errors import SlpvecError

# git mirrors as owner+name/repo folders
DEFAULT_MIRRORS = Path(os.environ.get("SLPVEC_MIRRORS") or Path.home() / ".cache/slpvec/mirrors")
STAMP = ".slpvec-source.json"     # written into a verified tree: what it is
NETWORK_TIMEOUT_S = 120


class SourceError(SlpvecError):
    """A third-party source that cannot be fetched, or whose files differ from the pin."""


@dataclass(frozen=True)
class Pinned:
    """One third-party suite at a pinned commit."""

    name: str                 # the suite's folder in bundles and caches
    upstream: str             # https URL of its git repository
    commit: str               # 40 hex digits
    license: str
    tree_sha256: str          # tree_digest of its files
    subdir: str = ""          # folder of the repository it is ('' = all of it)
    build: dict | None = None  # how its consumer compiles it (suite specific)

    @property
    def mirror(self) -> str:
        """``owner+name``: its folder in the mirrors cache."""
        owner, name = self.upstream.rstrip("/").removesuffix(".git").split("/")[-2:]
        return f"{owner}+{name}"

    def describe(self) -> str:
        """Upstream, commit and folder, as one phrase for messages."""
        where = f" (folder {self.subdir})" if self.subdir else ""
        return f"{self.upstream} at {self.commit}{where}"


@dataclass(frozen=True)
class Sources:
    """The suites of one manifest folder and the offline tarball holding them."""

    suites: tuple[Pinned, ...]
    bundle: str               # file name of the tarball
    bundle_sha256: str
    env: str                  # environment variable naming a local copy (like --from)
    command: str              # the command that prepares them
    fetched: tuple[str, ...] = ()  # suites the tarball does not hold (git or https only)

    @property
    def bundled(self) -> tuple[str, ...]:
        """Names of the suites the offline tarball holds."""
        return tuple(p.name for p in self.suites if p.name not in self.fetched)


def load_sources(folder: Path) -> Sources:
    """Read ``bundle.toml`` and the suites it lists (``suites``, then
    ``fetched``) from a manifest folder."""
    bundle = tomllib.loads((folder / "bundle.toml").read_text())
    fetched = tuple(bundle.get("fetched", ()))
    suites = tuple(Pinned(**tomllib.loads((folder / f"{name}.toml").read_text()))
                   for name in (*bundle["suites"], *fetched))
    return Sources(suites, bundle["file"], bundle["sha256"], bundle["env"], bundle["command"],
                   fetched)


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_digest(root: Path) -> str:
    """sha256 of ``"<sha256 of file>  <path>\\n"`` over every file below ``root``
    (paths relative, '/'-separated, sorted as bytes; ``.git`` and the stamp left
    out): what ``find . -type f | sort | xargs sha256sum | sha256sum`` gives,
    without the ``./``. Independent of how the files were archived."""
    lines = []
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and rel != STAMP \
                and ".git" not in path.relative_to(root).parts:
            lines.append((rel.encode(), f"{file_sha256(path)}  {rel}\n".encode()))
    digest = hashlib.sha256()
    for _, line in sorted(lines):
        digest.update(line)
    return digest.hexdigest()


def is_prepared(pinned: Pinned, dest: Path) -> bool:
    """Whether ``dest`` holds this pin's verified files (by its stamp)."""
    try:
        return json.loads((dest / STAMP).read_text()).get("tree_sha256") == pinned.tree_sha256
    except (OSError, ValueError):
        return False


def prepare_sources(sources: Sources, dests: dict[str, Path], origin: Path | None = None,
                    mirrors: Path = DEFAULT_MIRRORS, log=print) -> dict[str, Path]:
    """Put every suite's verified files at ``dests[name]``; suites already
    there (stamped with the same tree) are kept. ``origin``: a bundle tarball,
    a folder of suite folders, or a git repository / mirrors folder (default
    ``$<sources.env>``, else the mirrors cache and upstream). Raises
    SourceError naming the upstream and the offline alternative."""
    origin = origin or (Path(os.environ[sources.env]) if os.environ.get(sources.env) else None)
    todo = [s for s in sources.suites if not is_prepared(s, dests[s.name])]
    if not todo:
        return dests
    for pinned in todo:  # never replace a folder someone else made
        dest = dests[pinned.name]
        if dest.is_dir() and any(dest.iterdir()) and not (dest / STAMP).is_file():
            raise SourceError(f"{dest} exists and was not prepared from a pinned source (no "
                              f"{STAMP}); move it away or choose another destination")
    staging = _staging(dests[todo[0].name])
    from_tarball = origin is not None and Path(origin).is_file()
    try:
        if from_tarball and any(p.name not in sources.fetched for p in todo):
            _unpack_bundle(sources, Path(origin), staging, log)
        for pinned in todo:  # the tarball has no fetched suite: those come from git
            found = _locate(pinned, None if from_tarball and pinned.name in sources.fetched
                            else origin, staging, mirrors, sources, log)
            actual = tree_digest(found)
            if actual != pinned.tree_sha256:
                raise SourceError(f"{pinned.name}: files differ from the pinned "
                                  f"{pinned.describe()} (tree sha256 {actual}, expected "
                                  f"{pinned.tree_sha256})")
            _install(pinned, found, dests[pinned.name])
            log(f"{pinned.name}: {pinned.describe()}, {pinned.license}, verified")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dests


def _staging(dest: Path) -> Path:
    staging = dest.parent / f".{dest.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _unpack_bundle(sources: Sources, tarball: Path, staging: Path, log) -> None:
    """Extract a tarball into ``staging/bundle``; its sha256 must be the bundle's,
    unless it is another archive of the same trees (then each tree's digest decides)."""
    actual = file_sha256(tarball)
    if actual != sources.bundle_sha256:
        log(f"note: {tarball} has sha256 {actual}, not {sources.bundle} "
            f"({sources.bundle_sha256}); checking each suite's files instead")
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(staging / "bundle", filter="data")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise SourceError(f"{tarball}: not a readable tarball ({err})") from None


def _locate(pinned: Pinned, origin: Path | None, staging: Path, mirrors: Path,
            sources: Sources, log) -> Path:
    """The folder holding this suite's files, fetched or extracted into staging."""
    if origin is not None and Path(origin).is_file():
        return _find_tree(pinned, staging / "bundle", str(origin))
    if origin is not None:
        origin = Path(origin)
        if not origin.is_dir():
            raise SourceError(f"{origin}: no such file or folder")
        for repo in (origin, origin / ".git", origin / pinned.mirror / "repo"):
            if (repo / "HEAD").is_file() and (repo / "objects").is_dir():
                return _archive(pinned, repo, staging)
        return _find_tree(pinned, origin, str(origin))
    repo = mirrors / pinned.mirror / "repo"
    problems = []
    if shutil.which("git"):
        try:
            if not _has_commit(repo, pinned.commit):
                log(f"{pinned.name}: fetching {pinned.describe()} with git")
                _git_fetch(pinned, repo, staging)
            return _archive(pinned, repo, staging)
        except SourceError as err:
            problems.append(str(err))
    try:
        return _download(pinned, staging, log)
    except SourceError as err:
        problems.append(str(err))
    offline = f"a folder of git mirrors holding {pinned.mirror}/repo" \
        if pinned.name in sources.fetched else \
        f"{sources.bundle} (sha256 {sources.bundle_sha256[:16]}...)"
    raise SourceError(f"cannot fetch {pinned.name} from {pinned.describe()}: "
                      f"{'; '.join(problems)}. Offline, use {sources.command} --from "
                      f"{offline} or set {sources.env}")


def _find_tree(pinned: Pinned, root: Path, origin: str) -> Path:
    """``root/<name>``, ``root/<subdir>``, or ``root`` itself when so named."""
    names = {pinned.name, pinned.subdir} - {""}
    for candidate in [root / name for name in sorted(names)] + \
            ([root] if root.name in names else []):
        if candidate.is_dir():
            return candidate
    raise SourceError(f"{origin}: no folder {pinned.name}/ for {pinned.describe()}")


def _git(args: list[str], what: str) -> bytes:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, timeout=NETWORK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SourceError(f"{what}: git timed out after {NETWORK_TIMEOUT_S}s") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise SourceError(f"{what}: {lines[-1] if lines else 'git failed'}")
    return proc.stdout


def _has_commit(repo: Path, commit: str) -> bool:
    return repo.is_dir() and subprocess.run(
        ["git", "--git-dir", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True).returncode == 0


def _git_fetch(pinned: Pinned, repo: Path, staging: Path) -> None:
    """The pinned commit into the bare mirror ``repo``; a new mirror is made in
    ``staging`` and moved into place only once the fetch succeeded."""
    target = repo if repo.is_dir() else staging / "mirror"
    if target != repo:
        _git(["init", "-q", "--bare", str(target)], f"git init {target}")
    _git(["--git-dir", str(target), "fetch", "-q", "--depth", "1", pinned.upstream,
          pinned.commit], f"git fetch {pinned.upstream}")
    if target != repo:
        repo.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, repo)


def _archive(pinned: Pinned, repo: Path, staging: Path) -> Path:
    """``git archive`` of the pinned commit (its folder) extracted into staging."""
    dest = staging / "git" / pinned.name
    dest.mkdir(parents=True)
    data = _git(["--git-dir", str(repo), "archive", "--format=tar", pinned.commit,
                 *([pinned.subdir] if pinned.subdir else [])], f"git archive in {repo}")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / pinned.subdir if pinned.subdir else dest


def _download(pinned: Pinned, staging: Path, log) -> Path:
    """GitHub's https archive of the pinned commit, extracted into staging."""
    url = f"{pinned.upstream.rstrip('/').removesuffix('.git')}/archive/{pinned.commit}.tar.gz"
    log(f"{pinned.name}: downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT_S) as response:
            data = response.read()
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(staging / "https", filter="data")
    except (OSError, tarfile.TarError, EOFError) as err:
        raise SourceError(f"{url}: {getattr(err, 'reason', err)}") from None
    [top] = [p for p in (staging / "https").iterdir() if p.is_dir()] or [staging / "https"]
    return top / pinned.subdir if pinned.subdir else top


def _install(pinned: Pinned, found: Path, dest: Path) -> None:
    """Move (or copy, for a folder outside staging) the verified files to
    ``dest`` and stamp them."""
    stage = dest.parent / f".{dest.name}.new"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(found, stage, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    (stage / STAMP).write_text(json.dumps({"upstream": pinned.upstream, "commit": pinned.commit,
                                           "subdir": pinned.subdir, "license": pinned.license,
                                           "tree_sha256": pinned.tree_sha256}, indent=1) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    stage.rename(dest)
