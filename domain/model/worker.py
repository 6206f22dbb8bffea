"""The Worker aggregate: every step of a worker's life as an event.

The live wasm instance is only a cache; this stream is the truth. The
aggregate keeps just the summary needed to serve calls and answer
``worker get`` (status, version, counts, update records); the recorded
invocations themselves are read from the event store when a worker is
recovered or its history is shown.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model.errors import NotFound, UpdateRejected, WorkerDeskError

# Golem's worker status values.
IDLE = "Idle"
RUNNING = "Running"
FAILED = "Failed"
INTERRUPTED = "Interrupted"
EXITED = "Exited"

AUTOMATIC = "automatic"
MANUAL = "manual"
MODES = (AUTOMATIC, MANUAL)

PENDING = "pendingUpdate"
SUCCESSFUL = "successfulUpdate"
FAILED_UPDATE = "failedUpdate"
CANCELLED = "cancelledUpdate"

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class Worker(Aggregate):
    """A named, stateful instance of one component version.

    ``class_version`` versions the state kept in the store's aggregate
    snapshots (the library's cache, not a worker's state snapshot); each
    change of that state adds an ``upcast_vN_vN+1``.
    """

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["max_memory"] = None

    @staticmethod
    def create_id(component_name: str, name: str, generation: int = 0) -> UUID:
        return uuid5(NAMESPACE_URL, f"workerdesk:/workers/{component_name}/{name}#{generation}")

    class Created(Aggregate.Created):
        """The worker exists.

        Version 2 adds ``max_memory``: the cap of each of its linear memories
        in bytes, or None for the data folder's setting.
        """

        class_version = 2

        component_name: str
        name: str
        generation: int
        component_id: str
        component_version: int
        component_size: int
        env: dict[str, str]
        args: list[str]
        grants: dict[str, Any]
        max_memory: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["max_memory"] = None

    @event(Created)
    def __init__(
        self,
        component_name: str,
        name: str,
        generation: int,
        component_id: str,
        component_version: int,
        component_size: int,
        env: dict[str, str],
        args: list[str],
        grants: dict[str, Any],
        max_memory: int | None = None,
    ) -> None:
        self.component_name = component_name
        self.name = name
        self.generation = generation
        self.component_id = component_id
        self.component_version = component_version
        self.component_size = component_size
        self.env = dict(env)
        self.args = list(args)
        self.grants = dict(grants)
        self.max_memory = max_memory
        self.status = IDLE
        self.invocations = 0
        self.failures = 0
        self.interruptions = 0
        self.last_error: str | None = None
        self.deleted = False
        self.updates: list[dict[str, Any]] = []
        # Recovery starts from the snapshot of the last successful manual update.
        self.recovery_base: dict[str, Any] | None = None
        # Host calls the instance made while being instantiated (a start
        # function seeding an RNG), replayed whenever it is rebuilt.
        self.startup: dict[str, Any] | None = None

    @property
    def ref(self) -> str:
        return f"{self.component_name}/{self.name}"

    # -- invocations -------------------------------------------------------------

    @event("InvocationCompleted")
    def complete_invocation(
        self,
        function: str,
        args: list[str],
        result: str | None,
        duration: float,
        host_calls: list[list[Any]],
        stdout: str,
        stderr: str,
    ) -> None:
        self.invocations += 1
        self.status = IDLE

    @event("InvocationFailed")
    def fail_invocation(self, function: str, args: list[str], kind: str, message: str, stdout: str, stderr: str) -> None:
        self.failures += 1
        self.last_error = message
        # Shown as Failed until a call succeeds; the worker stays usable: the
        # next call rebuilds it from its history.
        self.status = FAILED

    @event("InvocationInterrupted")
    def interrupt_invocation(self, function: str, args: list[str], reason: str) -> None:
        self.interruptions += 1
        self.last_error = reason
        self.status = INTERRUPTED

    @event("StartupRecorded")
    def record_startup(self, component_version: int, host_calls: list[list[Any]]) -> None:
        self.startup = {"componentVersion": component_version, "hostCalls": host_calls}

    @event("Deleted")
    def delete(self) -> None:
        self.deleted = True
        self.status = EXITED

    # -- updates -------------------------------------------------------------------

    @event("UpdateRequested")
    def request_update(self, update_id: str, target_version: int, mode: str, runner: str, at: str) -> None:
        self.updates.append(
            {
                "id": update_id,
                "type": PENDING,
                "timestamp": at,
                "targetVersion": target_version,
                "fromVersion": None,
                "mode": mode,
                "runner": runner,
                "details": None,
                "stage": "requested",
                "snapshotHash": None,
                "snapshotSize": None,
                "finishedAt": None,
            }
        )

    @event("UpdateStarted")
    def start_update(self, update_id: str, from_version: int, runner: str) -> None:
        u = self.update(update_id)
        u["fromVersion"] = from_version
        u["runner"] = runner
        u["stage"] = "started"

    @event("SnapshotSaved")
    def record_snapshot_saved(self, update_id: str, hash: str, size: int, inline: str | None) -> None:
        u = self.update(update_id)
        u["snapshotHash"] = hash
        u["snapshotSize"] = size
        u["snapshotInline"] = inline
        u["stage"] = "snapshot-saved"

    @event("SnapshotLoaded")
    def record_snapshot_loaded(self, update_id: str) -> None:
        self.update(update_id)["stage"] = "snapshot-loaded"

    @event("UpdateSucceeded")
    def succeed_update(self, update_id: str, target_version: int, component_size: int, duration: float, at: str) -> None:
        u = self.update(update_id)
        u["type"] = SUCCESSFUL
        u["stage"] = "done"
        u["duration"] = duration
        u["finishedAt"] = at
        self.component_version = target_version
        self.component_size = component_size
        if u["mode"] == MANUAL:
            # A fresh instance of the target took over: its own startup is recorded next.
            self.startup = None
            self.recovery_base = {
                "update_id": update_id,
                "position": self.version + 1,  # this event's position
                "snapshot_hash": u["snapshotHash"],
                "snapshot_inline": u.get("snapshotInline"),
            }

    @event("UpdateFailed")
    def fail_update(
        self, update_id: str, stage: str, reason: str, divergence: dict[str, Any] | None, duration: float, at: str
    ) -> None:
        u = self.update(update_id)
        u["type"] = FAILED_UPDATE
        u["details"] = reason
        u["failedStage"] = stage
        u["divergence"] = divergence
        u["duration"] = duration
        u["stage"] = "done"
        u["finishedAt"] = at

    @event("Reverted")
    def revert(self, update_id: str, to_version: int) -> None:
        u = self.update(update_id)
        u["revertedTo"] = to_version

    @event("UpdateCancelled")
    def cancel_update(self, update_id: str, at: str) -> None:
        u = self.update(update_id)
        u["type"] = CANCELLED
        u["stage"] = "done"
        u["details"] = "cancelled before it ran"
        u["finishedAt"] = at

    # -- queries -------------------------------------------------------------------

    def update(self, update_id: str) -> dict[str, Any]:
        for u in self.updates:
            if u["id"] == update_id:
                return u
        raise NotFound(f"worker {self.ref} has no update {update_id}")

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["type"] == PENDING]


class WorkerError(WorkerDeskError):
    pass


def check_worker_name(name: str) -> None:
    if not name or len(name) > 128 or not set(name) <= _NAME_CHARS or name[0] in "-.":
        raise WorkerError(f"invalid worker name {name!r}: use letters, digits, '-', '_' or '.' (at most 128)")


def check_not_deleted(worker: Worker) -> None:
    if worker.deleted:
        raise NotFound(f"worker {worker.ref} was deleted")


def check_update_acceptable(worker: Worker, target_version: int, mode: str, known_versions: int) -> None:
    """Golem's immediate rejections: nothing is recorded when these fail."""
    if mode not in MODES:
        raise UpdateRejected(f"unknown update mode {mode!r}: use auto or manual")
    if not 0 <= target_version < known_versions:
        known = f"0..{known_versions - 1}" if known_versions else "none"
        raise UpdateRejected(
            f"component {worker.component_name!r} has no version {target_version} (versions: {known})"
        )
    pending = worker.pending_updates
    effective = pending[-1]["targetVersion"] if pending else worker.component_version
    if target_version == effective:
        if pending:
            raise UpdateRejected(f"an update of {worker.ref} to version {target_version} is already pending")
        raise UpdateRejected(f"worker {worker.ref} already runs version {target_version}")
    for u in pending:
        if u["targetVersion"] == target_version and u["mode"] == mode:
            raise UpdateRejected(f"an update of {worker.ref} to version {target_version} is already pending")
