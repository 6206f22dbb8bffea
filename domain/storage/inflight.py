"""Markers for invocations and updates that are running right now.

Before a call into a worker a small file is written naming the worker, the
function and the process; it is removed once the outcome is recorded. A
marker left by a process that no longer runs means that process was killed
mid-call: the worker records the invocation as interrupted.

Markers are not fsynced: they guard against a killed process, whose writes
the operating system still completes, at a cost of tens of microseconds.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

_HOST = socket.gethostname()


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return ""


_SELF_START = _start_time(os.getpid())


def runner_token() -> str:
    """Identifies this process across pid reuse: host, pid and start time."""
    return f"{_HOST}:{os.getpid()}:{_SELF_START}"


def runner_alive(token: str) -> bool:
    try:
        host, pid_s, start = token.rsplit(":", 2)
        pid = int(pid_s)
    except ValueError:
        return False
    if host != _HOST:
        return True  # another desktop of the team: assume it still runs
    if pid == os.getpid():
        return start == _SELF_START
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _start_time(pid) == start


class InflightMarkers:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._token = runner_token().replace(":", "_")

    def _path(self, worker_id: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{worker_id}.{self._token}.json"

    def mark(self, worker_id: str, payload: dict[str, Any]) -> None:
        if self.directory is None:
            return
        data = json.dumps({**payload, "runner": runner_token()}).encode()
        fd = os.open(self._path(worker_id), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def clear(self, worker_id: str) -> None:
        if self.directory is None:
            return
        try:
            os.unlink(self._path(worker_id))
        except FileNotFoundError:
            pass

    def orphans(self, worker_id: str) -> list[tuple[Path, dict[str, Any]]]:
        """Markers of this worker left by processes that are gone."""
        if self.directory is None or not self.directory.exists():
            return []
        found = []
        for path in self.directory.glob(f"{worker_id}.*.json"):
            try:
                payload = json.loads(path.read_bytes() or b"{}")
            except (OSError, ValueError):
                payload = {}
            if not runner_alive(str(payload.get("runner", ""))):
                found.append((path, payload))
        return found

    @staticmethod
    def runner_token() -> str:
        return runner_token()

    @staticmethod
    def runner_alive(token: str) -> bool:
        return runner_alive(token)

    @staticmethod
    def discard(path: Path) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
