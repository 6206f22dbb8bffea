"""The Worker aggregate: every step of a worker's life as an event.

The live wasm instance is only a cache; this stream is the truth. The
aggregate keeps just the summary needed to serve calls and answer
``worker get`` (status, version, counts, update records); the recorded
invocations themselves are read from the event store when a worker is
recovered or its history is shown.

Events are declared as classes, each with its ``class_version`` and the
history kind it is shown as. How to change one without breaking stored
histories is written in docs/ARCHITECTURE.md ("Changing an event"):
bump ``class_version`` and add ``upcast_vN_vN+1``; when a class is renamed
or moved, register its old topic (see :data:`RENAMED_TOPICS`).

Public methods check the aggregate's invariants and then trigger the
event; the decorated methods only apply an event (they run again whenever
the aggregate is rebuilt from its history, so they must never refuse).
Over 600 lines, and one thing: each event is written three times — its
declared fields, the method that checks, the method that applies — which
is the price of versioned events with invariants.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic, register_topic

from domain.model.errors import NotFound, UpdateRejected, WorkerDeskError
from domain.model.vocabulary import HistoryKind, UpdateMode, UpdateRecordType, WorkerStatus

# Kept for readers of the older names.
IDLE, RUNNING, FAILED, INTERRUPTED, EXITED = (
    WorkerStatus.IDLE, WorkerStatus.RUNNING, WorkerStatus.FAILED, WorkerStatus.INTERRUPTED, WorkerStatus.EXITED
)  # fmt: skip
AUTOMATIC, MANUAL = UpdateMode.AUTOMATIC, UpdateMode.MANUAL
MODES = tuple(UpdateMode)
PENDING, SUCCESSFUL, FAILED_UPDATE, CANCELLED = (
    UpdateRecordType.PENDING, UpdateRecordType.SUCCESSFUL, UpdateRecordType.FAILED, UpdateRecordType.CANCELLED
)  # fmt: skip

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class Worker(Aggregate):
    """A named, stateful instance of one component version.

    ``class_version`` versions the state kept in the store's aggregate
    snapshots (the library's cache, not a worker's state snapshot); each
    change of that state adds an ``upcast_vN_vN+1``.
    """

    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["max_memory"] = None

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["idempotency"] = {}

    @staticmethod
    def create_id(component_name: str, name: str, generation: int = 0) -> UUID:
        return uuid5(NAMESPACE_URL, f"workerdesk:/workers/{component_name}/{name}#{generation}")

    # ============================================================== events

    class Event(Aggregate.Event):
        history_kind: ClassVar[HistoryKind]

    class Created(Aggregate.Created):
        """The worker exists.

        Version 2 adds ``max_memory``: the cap of each of its linear memories
        in bytes, or None for the data folder's setting.
        """

        class_version = 2
        history_kind: ClassVar[HistoryKind] = HistoryKind.CREATE
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

    class InvocationCompleted(Event):
        """Version 2 adds ``idempotency_key``: the caller's key for this call, or None."""

        class_version = 2
        history_kind = HistoryKind.INVOCATION
        function: str
        args: list[str]
        result: str | None
        duration: float
        host_calls: list[list[Any]]
        stdout: str
        stderr: str
        idempotency_key: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["idempotency_key"] = None

    class InvocationFailed(Event):
        """Version 2 adds ``idempotency_key``: the caller's key for this call, or None."""

        class_version = 2
        history_kind = HistoryKind.INVOCATION_FAILED
        function: str
        args: list[str]
        kind: str
        message: str
        stdout: str
        stderr: str
        idempotency_key: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["idempotency_key"] = None

    class InvocationInterrupted(Event):
        class_version = 1
        history_kind = HistoryKind.INTERRUPTED
        function: str
        args: list[str]
        reason: str

    class StartupRecorded(Event):
        class_version = 1
        history_kind = HistoryKind.STARTUP
        component_version: int
        host_calls: list[list[Any]]

    class Deleted(Event):
        class_version = 1
        history_kind = HistoryKind.DELETED

    class UpdateRequested(Event):
        class_version = 1
        history_kind = HistoryKind.UPDATE_REQUESTED
        update_id: str
        target_version: int
        mode: str
        runner: str
        at: str

    class UpdateStarted(Event):
        class_version = 1
        history_kind = HistoryKind.UPDATE_STARTED
        update_id: str
        from_version: int
        runner: str

    class StateSnapshotSaved(Event):
        """The old version's ``save-snapshot`` returned these bytes (inline when small, else a blob)."""

        class_version = 1
        history_kind = HistoryKind.SNAPSHOT_SAVED
        update_id: str
        hash: str
        size: int
        inline: str | None

    class StateSnapshotLoaded(Event):
        class_version = 1
        history_kind = HistoryKind.SNAPSHOT_LOADED
        update_id: str

    class UpdateSucceeded(Event):
        class_version = 1
        history_kind = HistoryKind.UPDATE_SUCCEEDED
        update_id: str
        target_version: int
        component_size: int
        duration: float
        at: str

    class UpdateFailed(Event):
        class_version = 1
        history_kind = HistoryKind.UPDATE_FAILED
        update_id: str
        stage: str
        reason: str
        divergence: dict[str, Any] | None
        duration: float
        at: str

    class UpdateReverted(Event):
        """A failed update's worker went back to the version it came from, state intact."""

        class_version = 1
        history_kind = HistoryKind.REVERTED
        update_id: str
        to_version: int

    class UpdateCancelled(Event):
        class_version = 1
        history_kind = HistoryKind.UPDATE_CANCELLED
        update_id: str
        at: str

    # ============================================================== lifecycle

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
        self.status = WorkerStatus.IDLE
        self.invocations = 0
        self.failures = 0
        self.interruptions = 0
        self.last_error: str | None = None
        self.deleted = False
        self.updates: list[dict[str, Any]] = []
        # Recovery starts from the snapshot of the last successful manual update.
        self.recovery_base: dict[str, Any] | None = None
        # The outcome recorded under each invocation idempotency key the caller gave.
        self.idempotency: dict[str, dict[str, Any]] = {}
        # Host calls the instance made while being instantiated (a start
        # function seeding an RNG), replayed whenever it is rebuilt.
        self.startup: dict[str, Any] | None = None

    @property
    def ref(self) -> str:
        return f"{self.component_name}/{self.name}"

    def delete(self) -> None:
        check_not_deleted(self)
        self._deleted()

    @event(Deleted)
    def _deleted(self) -> None:
        self.deleted = True
        self.status = WorkerStatus.EXITED

    # ============================================================== invocations

    def complete_invocation(
        self,
        function: str,
        args: list[str],
        result: str | None,
        duration: float,
        host_calls: list[list[Any]],
        stdout: str,
        stderr: str,
        idempotency_key: str | None = None,
    ) -> None:
        check_not_deleted(self)
        self._check_new_key(idempotency_key)
        self._invocation_completed(function, args, result, duration, host_calls, stdout, stderr, idempotency_key)

    @event(InvocationCompleted)
    def _invocation_completed(
        self,
        function: str,
        args: list[str],
        result: str | None,
        duration: float,
        host_calls: list[list[Any]],
        stdout: str,
        stderr: str,
        idempotency_key: str | None = None,
    ) -> None:
        self.invocations += 1
        self.status = WorkerStatus.IDLE
        if idempotency_key is not None:
            self.idempotency[idempotency_key] = {
                "entry": self.version + 1, "function": function, "args": list(args), "result": result, "failure": None,
            }  # fmt: skip

    def fail_invocation(
        self,
        function: str,
        args: list[str],
        kind: str,
        message: str,
        stdout: str,
        stderr: str,
        idempotency_key: str | None = None,
    ) -> None:
        check_not_deleted(self)
        self._check_new_key(idempotency_key)
        self._invocation_failed(function, args, kind, message, stdout, stderr, idempotency_key)

    @event(InvocationFailed)
    def _invocation_failed(
        self,
        function: str,
        args: list[str],
        kind: str,
        message: str,
        stdout: str,
        stderr: str,
        idempotency_key: str | None = None,
    ) -> None:
        self.failures += 1
        self.last_error = message
        # Shown as Failed until a call succeeds; the worker stays usable: the
        # next call rebuilds it from its history.
        self.status = WorkerStatus.FAILED
        if idempotency_key is not None:
            self.idempotency[idempotency_key] = {
                "entry": self.version + 1, "function": function, "args": list(args), "result": None,
                "failure": {"kind": kind, "message": message},
            }  # fmt: skip

    def recorded_for_key(self, key: str, function: str, args: list[str]) -> dict[str, Any] | None:
        """The outcome recorded under an invocation idempotency key, if any.

        The same key with another function or other arguments is refused.
        """
        found = self.idempotency.get(key)
        if found is None:
            return None
        if found["function"] != function or found["args"] != list(args):
            raise IdempotencyKeyReused(
                f"idempotency key {key!r} of {self.ref} was used for {found['function']}({', '.join(found['args'])}) "
                f"at entry #{found['entry']}; use a new key for {function}({', '.join(args)})"
            )
        return found

    def _check_new_key(self, key: str | None) -> None:
        if key is not None and key in self.idempotency:
            raise IdempotencyKeyReused(f"idempotency key {key!r} of {self.ref} is already recorded")

    def interrupt_invocation(self, function: str, args: list[str], reason: str) -> None:
        self._invocation_interrupted(function, args, reason)

    @event(InvocationInterrupted)
    def _invocation_interrupted(self, function: str, args: list[str], reason: str) -> None:
        self.interruptions += 1
        self.last_error = reason
        self.status = WorkerStatus.INTERRUPTED

    def record_startup(self, component_version: int, host_calls: list[list[Any]]) -> None:
        if component_version != self.component_version:
            raise WorkerError(
                f"worker {self.ref} runs version {self.component_version}, not {component_version}: "
                "its startup cannot be recorded for another version"
            )
        self._startup_recorded(component_version, host_calls)

    @event(StartupRecorded)
    def _startup_recorded(self, component_version: int, host_calls: list[list[Any]]) -> None:
        self.startup = {"componentVersion": component_version, "hostCalls": host_calls}

    # ============================================================== updates

    def request_update(self, update_id: str, target_version: int, mode: str, runner: str, at: str) -> None:
        check_not_deleted(self)
        UpdateMode(mode)  # ValueError for anything else
        if any(u["id"] == update_id for u in self.updates):
            raise UpdateRejected(f"worker {self.ref} already has an update {update_id}")
        self._update_requested(update_id, target_version, mode, runner, at)

    @event(UpdateRequested)
    def _update_requested(self, update_id: str, target_version: int, mode: str, runner: str, at: str) -> None:
        self.updates.append(
            {
                "id": update_id,
                "type": UpdateRecordType.PENDING,
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

    def start_update(self, update_id: str, from_version: int, runner: str) -> None:
        self._pending(update_id, "requested")
        self._update_started(update_id, from_version, runner)

    @event(UpdateStarted)
    def _update_started(self, update_id: str, from_version: int, runner: str) -> None:
        u = self.update(update_id)
        u["fromVersion"] = from_version
        u["runner"] = runner
        u["stage"] = "started"

    def record_snapshot_saved(self, update_id: str, hash: str, size: int, inline: str | None) -> None:
        u = self._pending(update_id, "started")
        if u["mode"] != UpdateMode.MANUAL:
            raise UpdateRejected(f"update {update_id} of {self.ref} is automatic: it takes no state snapshot")
        self._state_snapshot_saved(update_id, hash, size, inline)

    @event(StateSnapshotSaved)
    def _state_snapshot_saved(self, update_id: str, hash: str, size: int, inline: str | None) -> None:
        u = self.update(update_id)
        u["snapshotHash"] = hash
        u["snapshotSize"] = size
        u["snapshotInline"] = inline
        u["stage"] = "snapshot-saved"

    def record_snapshot_loaded(self, update_id: str) -> None:
        self._pending(update_id, "snapshot-saved")
        self._state_snapshot_loaded(update_id)

    @event(StateSnapshotLoaded)
    def _state_snapshot_loaded(self, update_id: str) -> None:
        self.update(update_id)["stage"] = "snapshot-loaded"

    def succeed_update(self, update_id: str, target_version: int, component_size: int, duration: float, at: str) -> None:
        u = self._pending(update_id)
        if u["stage"] == "requested":
            raise UpdateRejected(f"update {update_id} of {self.ref} has not started")
        if u["mode"] == UpdateMode.MANUAL and u["stage"] != "snapshot-loaded":
            raise UpdateRejected(f"manual update {update_id} of {self.ref} cannot succeed before its snapshot is loaded")
        if target_version != u["targetVersion"]:
            raise UpdateRejected(f"update {update_id} of {self.ref} targets version {u['targetVersion']}, not {target_version}")
        self._update_succeeded(update_id, target_version, component_size, duration, at)

    @event(UpdateSucceeded)
    def _update_succeeded(self, update_id: str, target_version: int, component_size: int, duration: float, at: str) -> None:
        u = self.update(update_id)
        u["type"] = UpdateRecordType.SUCCESSFUL
        u["stage"] = "done"
        u["duration"] = duration
        u["finishedAt"] = at
        self.component_version = target_version
        self.component_size = component_size
        if u["mode"] == UpdateMode.MANUAL:
            # A fresh instance of the target took over: its own startup is recorded next.
            self.startup = None
            self.recovery_base = {
                "update_id": update_id,
                "position": self.version + 1,  # this event's position
                "snapshot_hash": u["snapshotHash"],
                "snapshot_inline": u.get("snapshotInline"),
            }

    def fail_update(
        self, update_id: str, stage: str, reason: str, divergence: dict[str, Any] | None, duration: float, at: str
    ) -> None:
        self._pending(update_id)
        self._update_failed(update_id, stage, reason, divergence, duration, at)

    @event(UpdateFailed)
    def _update_failed(
        self, update_id: str, stage: str, reason: str, divergence: dict[str, Any] | None, duration: float, at: str
    ) -> None:
        u = self.update(update_id)
        u["type"] = UpdateRecordType.FAILED
        u["details"] = reason
        u["failedStage"] = stage
        u["divergence"] = divergence
        u["duration"] = duration
        u["stage"] = "done"
        u["finishedAt"] = at

    def revert(self, update_id: str, to_version: int) -> None:
        u = self.update(update_id)
        if u["type"] != UpdateRecordType.FAILED:
            raise UpdateRejected(f"update {update_id} of {self.ref} did not fail: there is nothing to revert")
        if "revertedTo" in u:
            raise UpdateRejected(f"update {update_id} of {self.ref} was already reverted")
        self._update_reverted(update_id, to_version)

    @event(UpdateReverted)
    def _update_reverted(self, update_id: str, to_version: int) -> None:
        u = self.update(update_id)
        u["revertedTo"] = to_version

    def cancel_update(self, update_id: str, at: str) -> None:
        self._pending(update_id, "requested")
        self._update_cancelled(update_id, at)

    @event(UpdateCancelled)
    def _update_cancelled(self, update_id: str, at: str) -> None:
        u = self.update(update_id)
        u["type"] = UpdateRecordType.CANCELLED
        u["stage"] = "done"
        u["details"] = "cancelled before it ran"
        u["finishedAt"] = at

    # ============================================================== queries

    def update(self, update_id: str) -> dict[str, Any]:
        for u in self.updates:
            if u["id"] == update_id:
                return u
        raise NotFound(f"worker {self.ref} has no update {update_id}")

    def _pending(self, update_id: str, stage: str | None = None) -> dict[str, Any]:
        """The update record, which must still be pending (at ``stage`` when given)."""
        u = self.update(update_id)
        if u["type"] != UpdateRecordType.PENDING:
            raise UpdateRejected(f"update {update_id} of {self.ref} is not pending (it is {u['type']})")
        if stage is not None and u["stage"] != stage:
            raise UpdateRejected(f"update {update_id} of {self.ref} is at stage {u['stage']!r}, not {stage!r}")
        return u

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["type"] == UpdateRecordType.PENDING]

    # ============================================================== Golem host API policies

    class PolicySet(Event):
        """The guest set one of Golem's per-worker policies through ``golem:api/host``:
        ``retry-policy`` (a record), ``persistence-level`` (a case name) or
        ``idempotence-mode`` (a bool). Appended with the invocation that set it."""

        class_version = 1
        history_kind = HistoryKind.POLICY_SET
        name: str
        value: Any

    POLICY_NAMES: ClassVar[tuple[str, ...]] = ("retry-policy", "persistence-level", "idempotence-mode")

    def set_policy(self, name: str, value: Any) -> None:
        check_not_deleted(self)
        if name not in self.POLICY_NAMES:
            raise WorkerError(f"unknown policy {name!r}: use one of {', '.join(self.POLICY_NAMES)}")
        self._policy_set(name, value)

    @event(PolicySet)
    def _policy_set(self, name: str, value: Any) -> None:
        # Kept beside the state of older aggregate snapshots, which lack it.
        self.__dict__.setdefault("policies", {})[name] = value

    @property
    def policies_set(self) -> dict[str, Any]:
        """The policies the guest set (Golem's defaults apply to the others)."""
        return dict(self.__dict__.get("policies") or {})

    # ============================================================== the private filesystem

    class FilesArchived(Event):
        """A manual update archived the worker's private files (a tar in the blob
        store) beside its state snapshot: recovery from that snapshot restores them."""

        class_version = 1
        history_kind = HistoryKind.FILES_ARCHIVED
        update_id: str
        hash: str
        size: int
        media_type: str

    def record_files_archived(self, update_id: str, hash: str, size: int, media_type: str) -> None:
        self._pending(update_id, "snapshot-saved")
        self._files_archived(update_id, hash, size, media_type)

    @event(FilesArchived)
    def _files_archived(self, update_id: str, hash: str, size: int, media_type: str) -> None:
        self.update(update_id)["files"] = {"hash": hash, "size": size, "mediaType": media_type}

    def files_of(self, update_id: str) -> dict[str, Any] | None:
        """The archive of the private files taken with this update's snapshot (hash, size, mediaType)."""
        return self.update(update_id).get("files")

    # ============================================================== granted folders

    class GrantCopied(Event):
        """A worker created with a live host folder (before grants were copies) now runs
        on a copy of it, taken once: a replayed listing must see what the history saw."""

        class_version = 1
        history_kind = HistoryKind.GRANT_COPIED
        folder: str
        hash: str
        size: int
        media_type: str

    def copy_grant(self, hash: str, size: int, media_type: str) -> None:
        folder = self.grants.get("dir")
        if folder is None:
            raise WorkerError(f"worker {self.ref} has no live folder to copy")
        self._grant_copied(folder, hash, size, media_type)

    @event(GrantCopied)
    def _grant_copied(self, folder: str, hash: str, size: int, media_type: str) -> None:
        self.grants = {k: v for k, v in self.grants.items() if k != "dir"}
        self.grants["copiedDir"] = {"from": folder, "hash": hash, "size": size, "mediaType": media_type}


# Topics of event classes that were renamed: stored histories keep the old
# topic, which resolves to the new class. Topic queries match both.
RENAMED_TOPICS: dict[type, tuple[str, ...]] = {
    Worker.StateSnapshotSaved: ("domain.model.worker:Worker.SnapshotSaved",),
    Worker.StateSnapshotLoaded: ("domain.model.worker:Worker.SnapshotLoaded",),
    Worker.UpdateReverted: ("domain.model.worker:Worker.Reverted",),
}
for _cls, _old_topics in RENAMED_TOPICS.items():
    for _old in _old_topics:
        register_topic(_old, _cls)


def topics_of(cls: type) -> list[str]:
    """Every topic under which events of ``cls`` may be stored: its own and its old ones."""
    return [get_topic(cls), *RENAMED_TOPICS.get(cls, ())]


class WorkerError(WorkerDeskError):
    pass


class IdempotencyKeyReused(WorkerDeskError):
    """An invocation idempotency key given again with another function or arguments."""


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
