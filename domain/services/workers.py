"""Workers: create, invoke, recover, inspect and update durable workers.

:class:`Workers` is the public face the CLI and the GUI call; each job is
done by its own module:

- :mod:`.worker_store` reads and appends worker streams (the only code on the eventsourcing API);
- :mod:`.live` keeps live workers and instances and resolves references;
- :mod:`.replay` rebuilds an instance from history (recovery, automatic
  update, dry run and time travel all use it) and says where it diverged;
- :mod:`.updates` is the update queue and state machine;
- :mod:`.history` reads a worker's history as numbered entries;
- :mod:`.state_snapshots` keeps the bytes of state snapshots.

Invocation itself is here: it is the hot path. Over 400 lines because that
path keeps its steps in one place to be read and timed as one (idempotency
keys, payload references for large values, the in-flight marker, the crash
point, the retry on a concurrent write, the Golem host API's queued updates),
beside the Golem-shaped metadata of ``worker get`` and the thin delegations.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.model import wave
from domain.model.errors import (
    BadArguments,
    ConcurrentModification,
    CorruptHistory,
    InvocationFailed,
    NotFound,
    WorkerDeskError,
)
from domain.model.payload import PayloadRef, from_text
from domain.model.types import FunctionSignature
from domain.model.worker import Worker, check_not_deleted, check_worker_name

from .compat import CompatibilityReport
from .components import Components
from .golem_host import GolemHostServices, golem_policies
from .history import History, OplogEntry
from .initial_files import MEDIA_TYPE as TAR
from .initial_files import copy_folder
from .live import Live, LiveWorkers, parse_ref
from .payloads import Payloads, cap_output
from .ports import (
    BlobStore,
    CrashPoints,
    Instance,
    Lease,
    Markers,
    NoCrashPoints,
    NoLease,
    Runtime,
)
from .replay import Diverged, Divergence, ProgressFn, Rebuilder
from .state_snapshots import StateSnapshots
from .timeline import DrainPoint, Timelines, TimelineSummary, drain
from .updates import UpdateOutcome, Updates
from .worker_store import (
    SNAPSHOT_INTERVAL,
    DamagedStream,
    WorkerStore,
    is_store_read_error,
)

__all__ = [
    "Divergence",
    "InvocationResult",
    "OplogEntry",
    "PastWorker",
    "ProgressFn",
    "SNAPSHOT_INTERVAL",
    "UpdateOutcome",
    "Workers",
    "parse_ref",
]

MIN_MEMORY = 64 * 1024  # one WebAssembly page
_MAX_CONFLICT_RETRIES = 5
# How long a call waits for another process running the same idempotency key.
_KEY_WAIT_SECONDS = 120.0


@dataclass
class InvocationResult:
    function: str
    result: Any
    result_wave: str | None
    stdout: str
    stderr: str
    duration: float
    entry: int


class Workers(Application):
    """The commands and queries on workers. Keeps live instances between calls."""

    name = "workers"
    # Aggregate snapshots (the eventsourcing cache, not state snapshots),
    # taken by the worker store every SNAPSHOT_INTERVAL events.
    is_snapshotting_enabled = True

    def __init__(
        self,
        env: dict[str, str],
        components: Components,
        runtime: Runtime,
        blobs: BlobStore,
        markers: Markers,
        read_only: bool = False,
        crash: CrashPoints | None = None,
        lease: Lease | None = None,
    ) -> None:
        super().__init__(env)
        self.components = components
        self.runtime = runtime
        self.blobs = blobs
        self.markers = markers
        self.read_only = read_only
        self.crash: CrashPoints = crash or NoCrashPoints()
        self.store = WorkerStore(self, read_only)
        self.lease: Lease = lease or NoLease()
        self.live = LiveWorkers(self.store, markers, read_only, self.lease)
        self.state_snapshots = StateSnapshots(blobs)
        self.payloads = Payloads(blobs)
        self.rebuilder = Rebuilder(self.store, components, runtime, blobs, self.state_snapshots)
        self.golem = self.rebuilder.golem = GolemHostServices(self)
        self.history = History(self.store)
        self.timelines = Timelines(self.store)
        self.updates = Updates(
            self.live, self.rebuilder, components, self.state_snapshots, markers, self.crash, self._instance
        )

    def close(self) -> None:
        super().close()
        self.lease.release()

    @property
    def _live(self) -> dict[UUID, Live]:
        return self.live.by_id

    # ==================================================================== lifecycle

    def create(
        self,
        component: str,
        name: str,
        version: int | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        grants: dict[str, Any] | None = None,
        max_memory: int | None = None,
    ) -> dict[str, Any]:
        if self.read_only:
            raise WorkerDeskError(f"this data folder is open read-only: worker {component}/{name} was not created")
        check_worker_name(name)
        if max_memory is not None and max_memory < MIN_MEMORY:
            raise WorkerDeskError(
                f"a memory cap of {max_memory} bytes is too small: a WebAssembly memory page alone is 64 KiB"
            )
        info = self.components.version(component, version)
        latest, generation = self.store.generations(component, name)
        if latest is not None and not self.store.ends_deleted(latest):
            raise WorkerDeskError(f"worker {component}/{name} already exists")
        grants = dict(grants or {})
        if grants.get("dir") is not None:
            # A granted folder is copied into the worker's private filesystem: a live
            # window onto the host could not be replayed (a listing would see later files).
            grants["copiedDir"] = self._copy_folder(Path(grants.pop("dir")))
        worker = Worker(
            component_name=component,
            name=name,
            generation=generation,
            component_id=self.components.get(component).id,
            component_version=info.version,
            component_size=info.size,
            env=dict(env or {}),
            args=list(args or []),
            grants=grants,
            max_memory=max_memory,
        )
        try:
            self.save(worker)
        except IntegrityError:
            raise WorkerDeskError(f"worker {component}/{name} already exists") from None
        self.live.add(worker)
        return self.metadata(worker)

    def delete(self, ref: str) -> None:
        live = self.live.get(ref)
        live.worker.delete()
        self.live.save(live)
        self.live.drop(live.worker)

    # ==================================================================== invoke

    def invoke(
        self, ref: str, function: str, args: Sequence[str | bytes], idempotency_key: str | None = None
    ) -> InvocationResult:
        """Invoke with WAVE-encoded arguments (raw ``bytes`` for a ``list<u8>`` one);
        the result is returned once durable.

        With an ``idempotency_key`` (per worker), a call already recorded under
        that key returns its recorded outcome without running the guest again.
        """
        return self._invoke(ref, function, lambda sig: self.payloads.args_of(args, sig.params), idempotency_key)

    def invoke_values(
        self, ref: str, function: str, values: list[Any], idempotency_key: str | None = None
    ) -> InvocationResult:
        return self._invoke(ref, function, lambda sig: list(values), idempotency_key)

    def _invoke(
        self,
        ref: str,
        function: str,
        make_args: Callable[[FunctionSignature], list[Any]],
        key: str | None = None,
    ) -> InvocationResult:
        if key is not None and not key.strip():
            raise BadArguments("an idempotency key must not be empty")
        for attempt in range(_MAX_CONFLICT_RETRIES):
            live = self.live.get(ref, fresh=key is not None)
            check_not_deleted(live.worker)
            instance = self._instance(live)
            sig = instance.resolve(function)
            try:
                values = make_args(sig)
                arg_texts = [self.payloads.text_of(v, p.type) for v, p in zip(values, sig.params)]
            except (wave.WaveError, TypeError, ValueError) as e:
                raise BadArguments(f"bad arguments for {sig.qualified_name}: {e}") from None
            worker = live.worker
            wid = str(worker.id)
            if key is not None:
                if self._wait_for_key(wid, key):
                    continue  # another process was running this very call: look again
                recorded = worker.recorded_for_key(key, sig.qualified_name, arg_texts)
                if recorded is not None:
                    return self._replayed_result(sig, recorded)
            self.markers.mark(
                wid, {"function": sig.qualified_name, "args": arg_texts, "position": worker.version + 1, "key": key}
            )
            self.crash.reach("mid-invocation")
            self.golem.begin(instance, worker.version + 1)
            try:
                outcome = instance.call(sig.qualified_name, values)
            except InvocationFailed as e:
                live.instance = None  # memory may be half-changed: rebuild from history
                worker.fail_invocation(
                    sig.qualified_name,
                    arg_texts,
                    e.kind,
                    str(e),
                    cap_output(e.stdout.decode("utf-8", "replace")),
                    cap_output(e.stderr.decode("utf-8", "replace")),
                    key,
                )
                try:
                    self.live.save(live)
                except ConcurrentModification:
                    pass
                self.markers.clear(wid)
                self.golem.submit_updates(instance)
                raise
            except BaseException:
                self.markers.clear(wid)
                raise
            kept_result = None if sig.result is None else self.payloads.text_of(outcome.result, sig.result)
            # The WAVE text for the caller: the kept text itself unless it refers to a blob (formatted once).
            result_text = (
                kept_result
                if sig.result is None or from_text(kept_result) is None
                else wave.format(outcome.result, sig.result)
            )
            stdout = outcome.stdout.decode("utf-8", "replace")
            stderr = outcome.stderr.decode("utf-8", "replace")
            worker.complete_invocation(
                sig.qualified_name, arg_texts, kept_result, outcome.duration,
                self.payloads.pack_host_calls(outcome.host_calls),
                cap_output(stdout), cap_output(stderr), key,
            )
            entry = worker.version  # the invocation's own entry, before any policy or update entries
            self.golem.record_policies(worker, instance)
            try:
                self.live.save(live)
            except ConcurrentModification:
                # Another process wrote first; our call never happened. Rebuild and retry.
                self.markers.clear(wid)
                if attempt == _MAX_CONFLICT_RETRIES - 1:
                    raise
                continue
            self.markers.clear(wid)
            self.golem.submit_updates(instance)
            return InvocationResult(
                sig.qualified_name, outcome.result, result_text, stdout, stderr, outcome.duration, entry
            )
        raise ConcurrentModification(f"worker {ref} keeps being changed by another process; retry")

    def _wait_for_key(self, wid: str, key: str) -> bool:
        """Wait while another live process runs a call under ``key``; True if one was seen."""
        deadline = time.monotonic() + _KEY_WAIT_SECONDS
        waited = False
        while any(p.get("key") == key for p in self.markers.in_flight(wid)):
            if time.monotonic() > deadline:
                raise ConcurrentModification(
                    f"another process has been running the call with idempotency key {key!r} for more than "
                    f"{_KEY_WAIT_SECONDS:g} s; retry later"
                )
            waited = True
            time.sleep(0.02)
        return waited

    def _replayed_result(self, sig: FunctionSignature, recorded: dict[str, Any]) -> InvocationResult:
        failure = recorded.get("failure")
        if failure is not None:
            raise InvocationFailed(failure["kind"], failure["message"])
        kept = recorded["result"]
        value = None if kept is None or sig.result is None else self.payloads.value_of(kept, sig.result)
        text = self.payloads.wave_of(kept)
        return InvocationResult(sig.qualified_name, value, text, "", "", 0.0, int(recorded["entry"]))

    # ==================================================================== queries

    def get(self, ref: str) -> dict[str, Any]:
        try:
            return self.metadata(self.live.get(ref, fresh=True).worker)
        except Exception as e:
            if is_store_read_error(e):
                self._raise_damaged(ref)
            raise

    def _raise_damaged(self, ref: str) -> None:
        """A worker whose stream cannot be read: one line that names the damage."""
        wid = self.live.resolve_id(ref)
        try:
            self.store.load_or_damage(wid)
        except DamagedStream as e:
            raise DamagedStream(
                wid, f"{e.reason}; its other entries are kept: run `workerdesk check` for the whole workspace"
            ).named(ref) from None

    def read_metadata(self, ref: str) -> dict[str, Any]:
        """``worker get`` read straight from the event store.

        Unlike :meth:`get` it neither touches live instances nor records
        anything (no orphan bookkeeping), so any thread may call it.
        """
        self.live.forget_ref(ref)
        try:
            w = self.store.load(self.live.resolve_id(ref))
        except Exception as e:
            if is_store_read_error(e):
                self._raise_damaged(ref)
            raise
        if w is None or w.deleted:
            raise NotFound(f"no worker {ref}")
        return self.metadata(w)

    def worker(self, ref: str) -> Worker:
        return self.live.get(ref, fresh=True).worker

    def list(self, component: str | None = None) -> list[dict[str, Any]]:
        """Every worker's metadata; a worker whose stream cannot be read is listed with
        status ``unreadable`` and the reason (``unreadable``), so the others still list."""
        out = []
        for wid in self.store.worker_ids():
            try:
                w = self.store.load_or_damage(wid)
            except DamagedStream as e:
                entry = self.unreadable_metadata(wid, e.reason)
                if component is None or entry["workerId"]["componentName"] == component:
                    out.append(entry)
                continue
            if w is None or w.deleted:
                continue
            if component is not None and w.component_name != component:
                continue
            out.append(self.metadata(w))
        return sorted(out, key=lambda m: (m["workerId"]["componentName"], m["workerId"]["workerName"]))

    def unreadable_metadata(self, wid: UUID, reason: str) -> dict[str, Any]:
        """The listing of a worker whose stream cannot be read: its name if the first entry
        still says it, its stream id otherwise, and what is wrong."""
        ref = self.store.created_ref(wid)
        component, name = ref.split("/", 1) if ref else ("?", f"stream-{wid}")
        return {
            "workerId": {"componentName": component, "workerName": name},
            "streamId": str(wid),
            "status": "unreadable",
            "unreadable": reason,
            # The keys of metadata(), unknown: a screen that lists workers still shows this one.
            "componentId": None,
            "componentVersion": None,
            "componentSize": None,
            "createdAt": None,
            "env": {},
            "args": [],
            "grants": {},
            "maxMemory": None,
            "pendingInvocationCount": 0,
            "invocationCount": None,
            "failedInvocationCount": None,
            "interruptedInvocationCount": None,
            "historyLength": self.store.latest_position(wid),
            "lastError": reason,
            "updates": [],
        }

    def metadata(self, w: Worker) -> dict[str, Any]:
        updates = sorted(
            (
                {k: v for k, v in u.items() if k in ("type", "timestamp", "targetVersion", "details") and v is not None}
                | {"mode": u["mode"], "fromVersion": u.get("fromVersion")}
                for u in w.updates
            ),
            key=lambda u: u["timestamp"],
        )
        return {
            "workerId": {"componentName": w.component_name, "workerName": w.name},
            "componentId": w.component_id,
            "status": w.status,
            "componentVersion": w.component_version,
            "componentSize": w.component_size,
            "createdAt": w.created_on.isoformat(),
            "env": dict(w.env),
            "args": list(w.args),
            "grants": dict(w.grants),
            "maxMemory": w.max_memory,
            "pendingInvocationCount": 0,
            "invocationCount": w.invocations,
            "failedInvocationCount": w.failures,
            "interruptedInvocationCount": w.interruptions,
            "historyLength": w.version,
            "lastError": w.last_error,
            "updates": updates,
            "heldBy": self._holder(w),
            **golem_policies(w),
        }

    def _holder(self, w: Worker) -> dict[str, Any] | None:
        """The runner of the worker's update in progress: host, pid, since, last heartbeat."""
        for u in w.pending_updates:
            if u["stage"] != "requested" and u.get("runner"):
                found = self.lease.holder(u["runner"])
                return found if found is not None else {"runner": u["runner"], "host": u["runner"].rsplit(":", 2)[0]}
        return None

    def oplog(self, ref: str, start: int = 1, limit: int | None = None) -> "builtins.list[OplogEntry]":
        return list(self.history.entries(self.live.resolve_id(ref), start, limit))

    def iter_oplog(self, wid: UUID, start: int = 1, limit: int | None = None) -> Iterator[OplogEntry]:
        return self.history.entries(wid, start, limit)

    def timeline(self, ref: str) -> TimelineSummary:
        """The worker's whole life summarised for drawing (see services/timeline.py); reads only new entries."""
        return self.timelines.summary(self.live.resolve_id(ref))

    def drain(self, component: str) -> "builtins.list[DrainPoint]":
        """How many of the component's workers ran each version over time, deleted ones included."""
        found = []
        for wid in self.store.worker_ids():
            w = self.store.load(wid)
            if w is not None and w.component_name == component:
                found.append(w)
        return drain(found)

    def history_length(self, ref: str) -> int:
        """Number of history entries, read from the event store (no side effects)."""
        return self.store.latest_position(self.live.resolve_id(ref))

    def worker_id(self, ref: str) -> UUID:
        return self.live.resolve_id(ref)

    # ==================================================================== recovery

    def recover(self, ref: str, progress: ProgressFn | None = None) -> int:
        """Rebuild the live instance from history now; returns the invocations replayed."""
        live = self.live.get(ref, fresh=True)
        live.instance = None
        return self._recover(live, progress)

    def _instance(self, live: Live) -> Instance:
        if live.instance is None or live.instance.dead:
            self._recover(live)
        assert live.instance is not None
        return live.instance

    def _copy_folder(self, folder: Path) -> dict[str, Any]:
        data = copy_folder(folder)
        ref = PayloadRef.of(data, TAR)
        self.blobs.put(data)
        return {"from": str(folder.resolve()), **ref.to_json()}

    def _recover(self, live: Live, progress: ProgressFn | None = None) -> int:
        w = live.worker
        version = self.components.known_version(w.component_name, w.component_version)
        if w.grants.get("dir") is not None and not self.read_only and Path(w.grants["dir"]).is_dir():
            # Created when grants were live folders: from now on it runs on a copy, taken once.
            copied = self._copy_folder(Path(w.grants["dir"]))
            w.copy_grant(copied["hash"], copied["size"], copied["mediaType"])
            self.live.save(live)
        try:
            instance, count = self.rebuilder.rebuild(w, version, host_calls=live.host_calls, progress=progress)
        except Diverged as d:
            raise CorruptHistory(f"recovering {w.ref} failed: {d.divergence.message}") from None
        if w.startup is None and instance.startup_host_calls and not self.read_only:
            w.record_startup(version.version, instance.startup_host_calls)
            self.live.save(live)
        live.instance = instance
        return count

    # ==================================================================== updates

    def compatibility(self, ref: str, target: int | None = None) -> CompatibilityReport:
        return self.updates.compatibility(ref, target)

    def request_update(self, ref: str, mode: str, target: int | None = None) -> str:
        """Queue an update; nothing runs yet. Returns the update id."""
        return self.updates.request(ref, mode, target)

    def cancel_update(self, ref: str, target: int | None = None, update_id: str | None = None) -> None:
        self.updates.cancel(ref, target, update_id)

    def update(self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None) -> UpdateOutcome:
        """Request an update and run every pending update of the worker, in order."""
        return self.updates.update(ref, mode, target, progress)

    def run_pending_updates(self, ref: str, progress: ProgressFn | None = None) -> "builtins.list[tuple[str, UpdateOutcome]]":
        return self.updates.run_pending(ref, progress)

    def dry_run(self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None) -> UpdateOutcome:
        """The whole update in scratch instances; nothing is appended."""
        return self.updates.dry_run(ref, mode, target, progress)

    def snapshot_bytes(self, ref: str, update_id: str) -> bytes | None:
        u = self.worker(ref).update(update_id)
        if not u.get("snapshotHash"):
            return None
        return self.state_snapshots.read(u["snapshotHash"], u.get("snapshotInline"))

    # ==================================================================== time travel

    def time_travel(self, ref: str, position: int, progress: ProgressFn | None = None) -> "PastWorker":
        """A scratch instance rebuilt as the worker was right after history entry ``position``."""
        wid = self.live.resolve_id(ref)
        latest = self.store.latest_position(wid)
        past = self.store.load(wid, at=position) if 1 <= position <= latest else None
        if past is None:
            raise NotFound(f"worker {ref} has no history entry {position} (its entries are 1..{latest})")
        version = self.components.known_version(past.component_name, past.component_version)
        try:
            instance, _ = self.rebuilder.rebuild(past, version, stop=position, progress=progress)
        except Diverged as d:
            raise CorruptHistory(d.divergence.message) from None
        return PastWorker(past, position, instance)

    # ==================================================================== plumbing

    def count(self) -> int:
        """How many workers there are, without rebuilding any of them (``list`` does)."""
        return self.store.count()

    def refresh(self) -> None:
        self.live.clear()
        self.components.refresh()

    def forget_instances(self) -> None:
        """Drop live instances (they are rebuilt from history on next use)."""
        self.live.forget_instances()


@dataclass
class PastWorker:
    """A worker as it was at one history entry. Calls on it are never recorded."""

    worker: Worker
    position: int
    instance: Instance

    def call(self, function: str, args: list[str]) -> str | None:
        sig = self.instance.resolve(function)
        try:
            values = wave.parse_args(args, sig.params)
        except wave.WaveError as e:
            raise BadArguments(f"bad arguments for {sig.qualified_name}: {e}") from None
        out = self.instance.call(sig.qualified_name, values)
        return None if sig.result is None else wave.format(out.result, sig.result)

    def functions(self) -> list[FunctionSignature]:
        return list(self.instance.loaded.description.functions)  # type: ignore[attr-defined]
