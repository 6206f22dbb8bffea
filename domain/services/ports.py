"""The small interfaces the services depend on; adapters live in runtime/ and storage/."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Protocol

from domain.model.types import ComponentDescription, FunctionSignature


class Outcome(Protocol):
    result: Any
    stdout: bytes
    stderr: bytes
    host_calls: list[list[Any]]
    duration: float


class Loaded(Protocol):
    sha256: str
    size: int
    description: ComponentDescription


class Instance(Protocol):
    dead: bool
    startup_host_calls: list[list[Any]]

    def resolve(self, name: str) -> FunctionSignature: ...

    def call(self, name: str, args: list[Any], replay: list[list[Any]] | None = None) -> Outcome: ...

    def save_snapshot(self) -> bytes: ...

    def load_snapshot(self, data: bytes) -> str | None: ...


class Runtime(Protocol):
    def to_binary(self, data: bytes) -> bytes: ...

    def load(self, data: bytes, sha256: str | None = None) -> Loaded: ...

    def load_stored(self, sha256: str, read: Callable[[], bytes]) -> Loaded: ...

    def instantiate(self, loaded: Any, config: Any, host_calls: Any) -> Instance: ...

    def instance_config(
        self,
        *,
        worker_name: str,
        component_id: str,
        component_version: int,
        env: dict[str, str],
        args: list[str],
        grants: dict[str, Any],
        max_memory: int | None = None,
        policies: dict[str, Any] | None = None,
        golem: Any = None,
        files: bytes | None = None,
    ) -> Any: ...

    def close(self) -> None: ...


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, digest: str) -> bytes: ...

    def exists(self, digest: str) -> bool: ...


class Markers(Protocol):
    def mark(self, worker_id: str, payload: dict[str, Any]) -> None: ...

    def clear(self, worker_id: str) -> None: ...

    def orphans(self, worker_id: str) -> list[tuple[Path, dict[str, Any]]]: ...

    def discard(self, path: Path) -> None: ...

    def runner_token(self) -> str: ...

    def runner_alive(self, token: str) -> bool: ...

    def in_flight(self, worker_id: str) -> list[dict[str, Any]]:
        """Payloads of calls on this worker that other live processes are running now."""
        ...


class CrashPoints(Protocol):
    """Named moments at which crash-safety tests kill the process (see the stress tests)."""

    def reach(self, stage: str) -> None: ...


class Lease(Protocol):
    """This process's lease on the store, and everyone's (domain/storage/leases.py)."""

    def check(self) -> None:
        """Before a write: renew this process's lease if it ran out."""
        ...

    def holder(self, token: str) -> dict[str, Any] | None:
        """Host, pid, since and last heartbeat of a runner, if it holds a lease."""
        ...

    def release(self) -> None: ...


class NoLease:
    """No leases (in-memory stores, read-only opens, tests)."""

    def check(self) -> None:
        pass

    def holder(self, token: str) -> dict[str, Any] | None:
        return None

    def release(self) -> None:
        pass


class NoCrashPoints:
    """Crash points that never fire (every process except the crash-safety tests')."""

    def reach(self, stage: str) -> None:
        pass

