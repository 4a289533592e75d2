"""A compiled snapshot of the packaged knowledge base, cached on disk between processes.

Loading the knowledge in full (pydantic models, cross-file checks, compilation) costs far
more than a short command such as `dystonia-cds recommend` should spend. The first process
that validates the package data writes the compiled `KnowledgeBase` to
`$XDG_CACHE_HOME/dystonia-cds/` (default `~/.cache/dystonia-cds/`); later processes read it
back while nothing it was built from has changed.

Never stale: the file name and its content carry a key, the SHA-256 of every data file
(path and bytes), of the code that validates and compiles it, of the package version and of
the Python version. A different key means a full load. Never fatal: an unreadable, corrupt,
foreign or mismatching cache file is ignored (full load); a failed write is ignored. Writes
are atomic (temporary file, then rename). Only files owned by the current user and not
writable by others are read. `DYSTONIA_CDS_KNOWLEDGE_CACHE=off` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from dystonia_cds import __version__
from dystonia_cds.knowledge.base import KnowledgeBase

logger = logging.getLogger(__name__)
T = TypeVar("T")

SWITCH_ENV = "DYSTONIA_CDS_KNOWLEDGE_CACHE"
FORMAT = b"dystonia-cds knowledge snapshot 1"
PACKAGE = Path(__file__).resolve().parents[1]
# The code whose output is cached: validation, compilation and the pickled classes.
CODE = (
    "knowledge/base.py",
    "knowledge/checks.py",
    "knowledge/compile.py",
    "knowledge/features.py",
    "knowledge/models.py",
    "knowledge/validation.py",
    "domain/construction.py",
    "domain/patient.py",
    "domain/recommendation.py",
)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dystonia-cds"


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "").strip().lower() not in {"0", "off", "false", "no"}


def snapshot_key(data_dir: Path, code: tuple[str, ...] = CODE) -> str:
    """SHA-256 over the data files (relative path and bytes), the code (paths relative to the
    `dystonia_cds` package), and the package and Python versions."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"{__version__}|{sys.version}".encode())
    files = [(p.relative_to(data_dir).as_posix(), p) for p in data_dir.rglob("*") if p.is_file()]
    files += [(f"code:{name}", PACKAGE / name) for name in code]
    for name, path in sorted(files):
        content = path.read_bytes()
        digest.update(f"\0{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def load_cached(
    data_dir: Path,
    build: Callable[[], T],
    *,
    name: str = "knowledge",
    kind: type[Any] = KnowledgeBase,
    code: tuple[str, ...] = CODE,
) -> T:
    """The snapshot of `data_dir` when a valid one is cached, else `build()` (then cached).

    Other validated catalogues can use it too: `name` names the cache file, `kind` is the
    class the snapshot must hold, `code` the modules whose changes invalidate it."""
    if not enabled():
        return build()
    try:
        key = snapshot_key(data_dir, code)
        path = cache_dir() / f"{name}-{key}.pickle"
    except (OSError, RuntimeError) as exc:  # unreadable files; no home folder
        logger.debug("%s snapshot: not used (%s)", name, exc)
        return build()
    found: T | None = read_snapshot(path, key, kind)
    if found is None:
        found = build()
        write_snapshot(path, key, found)
    return found


def read_snapshot(path: Path, key: str, kind: type[Any] = KnowledgeBase) -> Any:
    """The cached object, or None when absent, unsafe, corrupt, for another key or not a
    `kind`."""
    try:
        with path.open("rb") as fh:
            if not _trusted(os.fstat(fh.fileno())):
                logger.debug("knowledge snapshot %s ignored: not private to this user", path)
                return None
            # Our own file (checked above), its key checked below.
            payload = pickle.load(fh)  # noqa: S301
    except FileNotFoundError:
        return None
    except Exception as exc:
        logger.debug("knowledge snapshot %s ignored: %s", path, exc)
        return None
    if (
        isinstance(payload, tuple)
        and len(payload) == 3
        and payload[0] == FORMAT
        and payload[1] == key
        and isinstance(payload[2], kind)
    ):
        return payload[2]
    logger.debug("knowledge snapshot %s ignored: not a snapshot for this key", path)
    return None


def _trusted(st: os.stat_result) -> bool:
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner_ok and not st.st_mode & 0o022


def write_snapshot(path: Path, key: str, value: object) -> None:
    """Write atomically (temporary file in the same folder, then rename); failures ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile  # only when writing (keeps the read path's imports light)

        data = pickle.dumps((FORMAT, key, value), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".knowledge-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception as exc:
        logger.debug("knowledge snapshot %s not written: %s", path, exc)
        return
    _remove_others(path)


def _remove_others(keep: Path) -> None:
    """Older snapshots of the same name (other keys) are removed, best effort."""
    prefix = keep.name[: keep.name.rindex("-") + 1]
    for old in keep.parent.glob(f"{prefix}*.pickle"):
        if old != keep:
            old.unlink(missing_ok=True)
