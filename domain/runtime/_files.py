"""Each instance's private filesystem: a folder of its own, preopened as ``/``.

The folders live under one root in the system's temporary folder, never in
a data folder, so read-only opens, dry runs and time travel write nothing
there. Each is named after the process that made it (``<pid>-<random>``)
and removed when its instance is dropped (when the garbage collector frees
it) or at the latest when the process exits; folders of processes that
were killed are removed the first time a runtime starts.

The folder is only a cache, like the instance: recovery rebuilds it by
replaying the history, and a manual update archives it (:func:`archive`,
an uncompressed tar) beside the state snapshot so that recovery from that
snapshot starts from the same files (:func:`extract`).
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

from domain.model.errors import InvocationFailed
from domain.storage.inflight import process_exists

TAR_MEDIA_TYPE = "application/x-tar"

# Guards only the first sweep of each root. remove() runs from finalizers, which the garbage
# collector starts wherever it strikes - inside create() too, in the thread holding this lock - so
# remove() takes no lock (set.add and set.discard are atomic), and this one is re-entrant anyway.
_lock = threading.RLock()
_swept: set[Path] = set()
_mine: set[Path] = set()  # this process's folders, removed at exit at the latest


def root() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"workerdesk-files-{uid}"


def sweep(base: Path | None = None) -> int:
    """Remove the folders of processes that are gone; returns how many."""
    base = base or root()
    removed = 0
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        head = entry.name.split("-", 1)[0]
        if not head.isdigit() or int(head) == os.getpid() or process_exists(int(head)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def create(base: Path | None = None) -> Path:
    """A new empty private folder (the first call per root sweeps stale ones)."""
    base = base or root()
    with _lock:
        if base not in _swept:
            _swept.add(base)
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            sweep(base)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))
    _mine.add(path)
    return path


def remove(path: Path) -> None:
    """Remove an instance's folder; safe from a finalizer, in any thread, at any moment."""
    shutil.rmtree(path, ignore_errors=True)
    _mine.discard(path)


@atexit.register
def _remove_mine() -> None:
    for path in list(_mine):
        shutil.rmtree(path, ignore_errors=True)


def archive(path: Path) -> bytes | None:
    """The folder's contents as a tar (same contents, same bytes); None when it is empty."""
    members = sorted(p for p in path.rglob("*"))
    if not members:
        return None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for p in members:
            info = tar.gettarinfo(str(p), arcname=p.relative_to(path).as_posix())
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if info.isreg():
                with open(p, "rb") as f:
                    tar.addfile(info, f)
            elif info.isdir():
                tar.addfile(info)
            # anything else (links, devices) is not part of a worker's files
    return buffer.getvalue()


def extract(data: bytes, path: Path) -> None:
    """Unpack an :func:`archive` into ``path``; members leaving it are refused."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            tar.extractall(path, filter="data")
    except (tarfile.TarError, OSError) as e:
        raise InvocationFailed("trap", f"the worker's files could not be restored: {e}") from None
