"""Markers for invocations and updates that are running right now.

Before a call into a worker a small file is written naming the worker, the
function and the process; it is emptied once the outcome is recorded. A
marker left by a process that no longer runs means that process was killed
mid-call: the worker records the invocation as interrupted.

Markers are not fsynced: they guard against a killed process, whose writes
the operating system still completes.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
from pathlib import Path
from typing import Any, Callable

HOST_ID_ENV = "WORKERDESK_HOST_ID"
# Which machine this is; tests pretend to be another host by setting WORKERDESK_HOST_ID.
_HOST = os.environ.get(HOST_ID_ENV) or socket.gethostname()


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


def runner_host(token: str) -> str:
    return token.rsplit(":", 2)[0]


def runner_alive(token: str, foreign_alive: "Callable[[str], bool] | None" = None) -> bool:
    """A runner on this host is alive while its process runs (checked at once);
    one on another host while its lease lasts (``foreign_alive``; without leases, assumed alive)."""
    try:
        host, pid_s, start = token.rsplit(":", 2)
        pid = int(pid_s)
    except ValueError:
        return False
    if host != _HOST:
        return foreign_alive(token) if foreign_alive is not None else True
    if pid == os.getpid():
        return start == _SELF_START
    return process_exists(pid) and _start_time(pid) == start


def process_exists(pid: int) -> bool:
    """Whether a process with this id runs on this host (one we may not signal runs too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _runner_from_name(token: str) -> str:
    """Undo ``runner_token().replace(":", "_")`` (the host name may hold "_")."""
    host, pid, start = token.rsplit("_", 2)
    return f"{host}:{pid}:{start}"


class InflightMarkers:
    """One small file per worker and process, written before each call and emptied after.

    The file stays open: marking writes ``1`` and the payload as one JSON
    line, clearing overwrites that first byte with ``0`` (one ``pwrite`` each,
    no metadata change), so the guard costs a few microseconds per call. The
    process is named in the file name; a file marked ``1`` whose process is
    gone is an invocation that was killed midway.
    """

    def __init__(self, directory: Path | None, file_mode: int = 0o600) -> None:
        self.directory = directory
        self.file_mode = file_mode
        self._token = runner_token().replace(":", "_")
        self._fds: dict[str, int] = {}
        # How a runner on another host is judged: its lease (set by open_desk).
        self.foreign_alive: Callable[[str], bool] | None = None
        atexit.register(self.close)

    def _path(self, worker_id: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{worker_id}.{self._token}.json"

    def mark(self, worker_id: str, payload: dict[str, Any]) -> None:
        if self.directory is None:
            return
        fd = self._fds.get(worker_id)
        if fd is None:
            fd = os.open(self._path(worker_id), os.O_RDWR | os.O_CREAT, self.file_mode)
            os.fchmod(fd, self.file_mode)
            self._fds[worker_id] = fd
        os.pwrite(fd, b"1" + json.dumps(payload).encode() + b"\n", 0)

    def clear(self, worker_id: str) -> None:
        fd = self._fds.get(worker_id)
        if fd is not None:
            os.pwrite(fd, b"0", 0)

    def close(self) -> None:
        """Remove this process's (empty) marker files."""
        fds, self._fds = self._fds, {}
        for worker_id, fd in fds.items():
            try:
                idle = os.pread(fd, 1, 0) in (b"", b"0")
                os.close(fd)
                if idle:
                    os.unlink(self._path(worker_id))
            except OSError:
                pass

    def orphans(self, worker_id: str) -> list[tuple[Path, dict[str, Any]]]:
        """Markers of this worker left by processes that are gone (payload ``{}`` if idle)."""
        if self.directory is None or not self.directory.exists():
            return []
        found = []
        for path in self.directory.glob(f"{worker_id}.*.json"):
            try:
                runner = _runner_from_name(path.name[len(worker_id) + 1 : -len(".json")])
            except ValueError:
                runner = ""
            if runner_alive(runner, self.foreign_alive):
                continue
            try:
                raw = path.read_bytes()
                payload = json.loads(raw[1:].split(b"\n", 1)[0]) if raw[:1] == b"1" else {}
            except (OSError, ValueError):
                payload = {}
            found.append((path, payload))
        return found

    def in_flight(self, worker_id: str) -> list[dict[str, Any]]:
        """Payloads of calls on this worker that other processes, still alive, are running now."""
        if self.directory is None or not self.directory.exists():
            return []
        running = []
        for path in self.directory.glob(f"{worker_id}.*.json"):
            token = path.name[len(worker_id) + 1 : -len(".json")]
            if token == self._token:
                continue
            try:
                raw = path.read_bytes()
                if raw[:1] != b"1" or not runner_alive(_runner_from_name(token), self.foreign_alive):
                    continue
                running.append(json.loads(raw[1:].split(b"\n", 1)[0]))
            except (OSError, ValueError):
                continue
        return running

    @staticmethod
    def runner_token() -> str:
        return runner_token()

    def runner_alive(self, token: str) -> bool:
        return runner_alive(token, self.foreign_alive)

    @staticmethod
    def discard(path: Path) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
