"""One process at a time for work several may ask for at once (a build, a compile).

An advisory ``flock`` on a file beside the result: the second process waits
for the first, then finds the result and does not redo the work. The lock
file is removed when the work ends, so only results stay in a cache; a
process still waiting on the removed file checks for the result once it
gets the lock and, at worst, does the work again (results are written
atomically, so that is only time).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock named by ``path`` (created if missing); without locking where it cannot lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the work may then overlap, each still atomic
        yield
        return
    try:
        f = open(path, "a+b")
    except OSError:  # a read-only or missing folder: nothing to coordinate with
        yield
        return
    with f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
