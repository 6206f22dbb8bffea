"""Workers: create, invoke, recover, inspect and update durable workers."""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.model import wave
from domain.model import worker as wm
from domain.model.errors import (
    BadArguments,
    ConcurrentModification,
    CorruptHistory,
    FunctionNotFound,
    HostCallDivergence,
    InvocationFailed,
    NotFound,
    OperationCancelled,
    UpdateRejected,
    WorkerDeskError,
)
from domain.model.hostcalls import HostCalls
from domain.model.types import FunctionSignature
from domain.model.worker import Worker, check_not_deleted, check_update_acceptable, check_worker_name, topics_of

from .compat import CompatibilityReport, compatibility
from .components import Components, VersionInfo
from .ports import BlobStore, Instance, Markers, Runtime
from .streams import originators

INLINE_SNAPSHOT_LIMIT = 4096
MIN_MEMORY = 64 * 1024  # one WebAssembly page
SNAPSHOT_INTERVAL = 200
CRASH_ENV = "WORKERDESK_CRASH_AT"
CREATED_TOPICS = topics_of(Worker.Created)
COMPLETED_TOPICS = frozenset(topics_of(Worker.InvocationCompleted))
DELETED_TOPICS = frozenset(topics_of(Worker.Deleted))
_MAX_CONFLICT_RETRIES = 5

ProgressFn = Callable[[int, int], None]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def crash_point(stage: str) -> None:
    """Kill this process at a named stage when asked to (crash-safety tests)."""
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def parse_ref(ref: str) -> tuple[str, str]:
    if ref.count("/") != 1 or not all(ref.split("/")):
        raise BadArguments(f"worker reference {ref!r} must look like COMPONENT/WORKER")
    component, name = ref.split("/")
    return component, name


@dataclass
class InvocationResult:
    function: str
    result: Any
    result_wave: str | None
    stdout: str
    stderr: str
    duration: float
    entry: int


@dataclass
class OplogEntry:
    index: int
    kind: str
    timestamp: str
    version: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "timestamp": self.timestamp, "componentVersion": self.version, **self.data}

    def summary(self) -> str:
        d = self.data
        k = self.kind
        if k == "create":
            return f"created on version {d['componentVersion']} (env {d.get('env') or {}}, args {d.get('args') or []})"
        if k == "invocation":
            args = ", ".join(d["args"])
            res = d["result"] if d["result"] is not None else "()"
            return f"{d['function']}({args}) -> {res}"
        if k == "invocation-failed":
            return f"{d['function']}({', '.join(d['args'])}) failed ({d['errorKind']}): {d['message']}"
        if k == "interrupted":
            return f"{d['function']}({', '.join(d['args'])}) interrupted: {d['reason']}"
        if k == "startup":
            return f"instantiated version {d['componentVersion']}: {len(d['hostCalls'])} host call(s) recorded"
        if k == "update-requested":
            return f"update to version {d['targetVersion']} requested ({d['mode']})"
        if k == "update-started":
            return f"update started from version {d['fromVersion']}"
        if k == "snapshot-saved":
            return f"snapshot saved: {d['size']} bytes, sha256 {d['hash'][:12]}…"
        if k == "snapshot-loaded":
            return "snapshot loaded into the target version"
        if k == "update-succeeded":
            return f"update to version {d['targetVersion']} succeeded"
        if k == "update-failed":
            return f"update failed at {d['stage']}: {d['reason']}"
        if k == "reverted":
            return f"reverted to version {d['toVersion']}"
        if k == "update-cancelled":
            return "pending update cancelled"
        if k == "deleted":
            return "worker deleted"
        return k




@dataclass
class UpdateOutcome:
    worker: str
    mode: str
    from_version: int
    target_version: int
    ok: bool
    stage: str
    reason: str | None
    divergence: dict[str, Any] | None = None
    snapshot_size: int | None = None
    duration: float = 0.0
    dry_run: bool = False
    compatibility: CompatibilityReport | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "mode": self.mode,
            "fromVersion": self.from_version,
            "targetVersion": self.target_version,
            "outcome": "succeeded" if self.ok else "failed",
            "dryRun": self.dry_run,
            "stage": self.stage,
            "reason": self.reason,
            "divergence": self.divergence,
            "snapshotSize": self.snapshot_size,
            "durationSeconds": round(self.duration, 6),
            "compatibility": None if self.compatibility is None else self.compatibility.to_json(),
        }

    def message(self) -> str:
        what = "dry run of the " if self.dry_run else ""
        head = f"{what}{self.mode} update of {self.worker} from version {self.from_version} to {self.target_version}"
        if self.ok:
            return f"{head} {'would succeed' if self.dry_run else 'succeeded'}"
        kept = "" if self.dry_run else f"; the worker stays on version {self.from_version}"
        return f"{head} {'would fail' if self.dry_run else 'failed'} at {self.stage}: {self.reason}{kept}"


class _Divergence(Exception):
    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report["message"])
        self.report = report


@dataclass
class _Live:
    worker: Worker
    instance: Instance | None = None
    host_calls: HostCalls = field(default_factory=HostCalls)
    checked_orphans: bool = False
    snapshot_version: int = 0


class Workers(Application):
    """The commands and queries on workers. Keeps live instances between calls."""

    name = "workers"
    # Aggregate snapshots (the eventsourcing cache, not state snapshots) are
    # taken by _save every SNAPSHOT_INTERVAL events.
    is_snapshotting_enabled = True

    def __init__(
        self,
        env: dict[str, str],
        components: Components,
        runtime: Runtime,
        blobs: BlobStore,
        markers: Markers,
        read_only: bool = False,
    ) -> None:
        super().__init__(env)
        self.components = components
        self.runtime = runtime
        self.blobs = blobs
        self.markers = markers
        self.read_only = read_only
        self._live: dict[UUID, _Live] = {}
        self._ids_by_ref: dict[str, UUID] = {}
        # Every stored event is read through the mapper, so a cipher, a
        # compressor and the event classes' upcasters all apply.
        self._decode = self.mapper.to_domain_event

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
        check_worker_name(name)
        if max_memory is not None and max_memory < MIN_MEMORY:
            raise WorkerDeskError(
                f"a memory cap of {max_memory} bytes is too small: a WebAssembly memory page alone is 64 KiB"
            )
        info = self.components.version(component, version)
        latest, generation = self._generations(component, name)
        if latest is not None and not self._ends_deleted(latest):
            raise WorkerDeskError(f"worker {component}/{name} already exists")
        worker = Worker(
            component_name=component,
            name=name,
            generation=generation,
            component_id=self.components.get(component).id,
            component_version=info.version,
            component_size=info.size,
            env=dict(env or {}),
            args=list(args or []),
            grants=dict(grants or {}),
            max_memory=max_memory,
        )
        try:
            self.save(worker)
        except IntegrityError:
            raise WorkerDeskError(f"worker {component}/{name} already exists") from None
        self._live[worker.id] = _Live(worker, checked_orphans=True)
        self._ids_by_ref[worker.ref] = worker.id
        return self.metadata(worker)

    def delete(self, ref: str) -> None:
        live = self._get_live(ref)
        live.worker.delete()
        self._save(live)
        self._live.pop(live.worker.id, None)
        self._ids_by_ref.pop(live.worker.ref, None)

    # ==================================================================== invoke

    def invoke(self, ref: str, function: str, args: list[str]) -> InvocationResult:
        """Invoke with WAVE-encoded arguments; the result is returned once durable."""
        return self._invoke(ref, function, lambda sig: wave.parse_args(args, sig.params))

    def invoke_values(self, ref: str, function: str, values: list[Any]) -> InvocationResult:
        return self._invoke(ref, function, lambda sig: list(values))

    def _invoke(self, ref: str, function: str, make_args: Callable[[FunctionSignature], list[Any]]) -> InvocationResult:
        for attempt in range(_MAX_CONFLICT_RETRIES):
            live = self._get_live(ref)
            check_not_deleted(live.worker)
            instance = self._instance(live)
            sig = instance.resolve(function)
            try:
                values = make_args(sig)
                arg_texts = [wave.format(v, p.type) for v, p in zip(values, sig.params)]
            except (wave.WaveError, TypeError, ValueError) as e:
                raise BadArguments(f"bad arguments for {sig.qualified_name}: {e}") from None
            worker = live.worker
            wid = str(worker.id)
            self.markers.mark(wid, {"function": sig.qualified_name, "args": arg_texts, "position": worker.version + 1})
            crash_point("mid-invocation")
            try:
                outcome = instance.call(sig.qualified_name, values)
            except InvocationFailed as e:
                live.instance = None  # memory may be half-changed: rebuild from history
                worker.fail_invocation(
                    sig.qualified_name,
                    arg_texts,
                    e.kind,
                    str(e),
                    e.stdout.decode("utf-8", "replace"),
                    e.stderr.decode("utf-8", "replace"),
                )
                try:
                    self._save(live)
                except ConcurrentModification:
                    pass
                self.markers.clear(wid)
                raise
            except BaseException:
                self.markers.clear(wid)
                raise
            result_text = None if sig.result is None else wave.format(outcome.result, sig.result)
            stdout = outcome.stdout.decode("utf-8", "replace")
            stderr = outcome.stderr.decode("utf-8", "replace")
            worker.complete_invocation(
                sig.qualified_name, arg_texts, result_text, outcome.duration, outcome.host_calls, stdout, stderr
            )
            try:
                self._save(live)
            except ConcurrentModification:
                # Another process wrote first; our call never happened. Rebuild and retry.
                self.markers.clear(wid)
                if attempt == _MAX_CONFLICT_RETRIES - 1:
                    raise
                continue
            self.markers.clear(wid)
            return InvocationResult(
                sig.qualified_name, outcome.result, result_text, stdout, stderr, outcome.duration, worker.version
            )
        raise ConcurrentModification(f"worker {ref} keeps being changed by another process; retry")

    # ==================================================================== queries

    def get(self, ref: str) -> dict[str, Any]:
        live = self._get_live(ref, fresh=True)
        return self.metadata(live.worker)

    def read_metadata(self, ref: str) -> dict[str, Any]:
        """``worker get`` read straight from the event store.

        Unlike :meth:`get` it neither touches live instances nor records
        anything (no orphan bookkeeping), so any thread may call it.
        """
        self._ids_by_ref.pop(ref, None)
        w = self._load(self._resolve_id(ref))
        if w is None or w.deleted:
            raise NotFound(f"no worker {ref}")
        return self.metadata(w)

    def worker(self, ref: str) -> Worker:
        return self._get_live(ref, fresh=True).worker

    def list(self, component: str | None = None) -> list[dict[str, Any]]:
        out = []
        for wid in originators(self.recorder, CREATED_TOPICS):
            w = self._load(wid)
            if w is None or w.deleted:
                continue
            if component is not None and w.component_name != component:
                continue
            out.append(self.metadata(w))
        return sorted(out, key=lambda m: (m["workerId"]["componentName"], m["workerId"]["workerName"]))

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
        }

    def oplog(self, ref: str, start: int = 1, limit: int | None = None) -> list[OplogEntry]:
        wid = self._resolve_id(ref)
        return list(self.iter_oplog(wid, start, limit))

    def history_length(self, ref: str) -> int:
        """Number of history entries, read from the event store (no side effects)."""
        return self._latest_position(self._resolve_id(ref))

    def worker_id(self, ref: str) -> UUID:
        return self._resolve_id(ref)

    def iter_oplog(self, wid: UUID, start: int = 1, limit: int | None = None) -> Iterator[OplogEntry]:
        """Numbered history entries read straight from the event store."""
        version = None
        if start > 1:
            prior = self._load(wid, at=start - 1)
            version = prior.component_version if prior is not None else None
        for stored in self._stored(wid, start, limit):
            event = self._decode(stored)
            state = vars(event)
            cls = type(event)
            data = _entry_data(state)
            if cls is Worker.Created:
                version = state["component_version"]
            elif cls is Worker.UpdateSucceeded:
                version = state["target_version"]
            ts = state.get("timestamp")
            yield OplogEntry(
                index=stored.originator_version,
                kind=cls.history_kind.value,
                timestamp=ts.isoformat() if hasattr(ts, "isoformat") else str(ts),
                version=version if version is not None else -1,
                data=data,
            )

    def _stored(self, wid: UUID, start: int, limit: int | None) -> Iterator[Any]:
        batch_size = 2000
        position = start - 1
        remaining = limit
        while True:
            size = batch_size if remaining is None else min(batch_size, remaining)
            if size <= 0:
                return
            batch = self.recorder.select_events(wid, gt=position if position > 0 else None, limit=size)
            if not batch:
                return
            yield from batch
            position = batch[-1].originator_version
            if remaining is not None:
                remaining -= len(batch)
            if len(batch) < size:
                return

    # ==================================================================== recovery

    def recover(self, ref: str, progress: ProgressFn | None = None) -> int:
        """Rebuild the live instance from history now; returns the invocations replayed."""
        live = self._get_live(ref, fresh=True)
        live.instance = None
        return self._recover(live, progress)

    def _instance(self, live: _Live) -> Instance:
        if live.instance is None or live.instance.dead:
            self._recover(live)
        assert live.instance is not None
        return live.instance

    def _recover(self, live: _Live, progress: ProgressFn | None = None) -> int:
        w = live.worker
        version = self.components.known_version(w.component_name, w.component_version)
        try:
            instance = self._new_instance(w, version, live.host_calls)
        except HostCallDivergence as e:
            raise CorruptHistory(f"recovering {w.ref}: instantiation made different host calls: {e}") from None
        if w.startup is None and instance.startup_host_calls and not self.read_only:
            w.record_startup(version.version, instance.startup_host_calls)
            self._save(live)
        start = 1
        base = w.recovery_base
        if base is not None:
            data = self._snapshot_bytes(base["snapshot_hash"], base.get("snapshot_inline"))
            try:
                err = instance.load_snapshot(data)
            except (InvocationFailed, FunctionNotFound) as e:
                raise CorruptHistory(f"recovering {w.ref}: loading the update snapshot failed: {e}") from None
            if err is not None:
                raise CorruptHistory(f"recovering {w.ref}: load-snapshot rejected the update snapshot: {err}")
            start = int(base["position"]) + 1
        try:
            count = self._replay(instance, w.id, start, w.version, progress)
        except _Divergence as d:
            raise CorruptHistory(f"recovering {w.ref} failed: {d.report['message']}") from None
        live.instance = instance
        return count

    def _new_instance(
        self, w: Worker, version: VersionInfo, host_calls: HostCalls | None = None, *, startup: bool = True
    ) -> Instance:
        """Instantiate ``version`` for ``w``; with ``startup`` the worker's recorded
        startup host calls are replayed (a different sequence raises HostCallDivergence)."""
        hc = host_calls or HostCalls()
        if startup and w.startup is not None:
            hc.go_replay(w.startup["hostCalls"])
        loaded = self.runtime.load_stored(version.sha256, lambda: self.blobs.get(version.sha256))
        config = self.runtime.instance_config(
            worker_name=w.name,
            component_id=w.component_id,
            component_version=version.version,
            env=w.env,
            args=w.args,
            grants=w.grants,
            max_memory=w.max_memory,
        )
        return self.runtime.instantiate(loaded, config, hc)

    def _replay(
        self, instance: Instance, wid: UUID, start: int, stop: int, progress: ProgressFn | None = None
    ) -> int:
        """Replay recorded invocations in [start, stop]; raise _Divergence on any difference."""
        count = 0
        decode = self._decode
        resolved: dict[str, FunctionSignature] = {}
        total = max(0, stop - start + 1)
        for stored in self._stored(wid, start, total):
            if stored.topic not in COMPLETED_TOPICS:
                continue
            st = vars(decode(stored))
            fname = st["function"]
            entry = stored.originator_version
            sig = resolved.get(fname)
            if sig is None:
                try:
                    sig = instance.resolve(fname)
                except FunctionNotFound:
                    raise _Divergence(
                        {
                            "entry": entry,
                            "function": fname,
                            "kind": "missing-function",
                            "expected": st["result"],
                            "actual": None,
                            "message": f"entry #{entry}: {fname} does not exist in this version",
                        }
                    ) from None
                resolved[fname] = sig
            try:
                args = wave.parse_args(st["args"], sig.params)
            except wave.WaveError as e:
                raise _Divergence(
                    {
                        "entry": entry,
                        "function": fname,
                        "kind": "signature",
                        "expected": ", ".join(st["args"]),
                        "actual": str(e),
                        "message": f"entry #{entry}: the recorded arguments of {fname} do not fit its new signature: {e}",
                    }
                ) from None
            try:
                out = instance.call(sig.qualified_name, args, replay=st["host_calls"])
            except HostCallDivergence as e:
                raise _Divergence(
                    {
                        "entry": entry,
                        "function": fname,
                        "kind": "host-call",
                        "expected": e.expected,
                        "actual": e.actual,
                        "message": f"entry #{entry}: {fname}: {e}",
                    }
                ) from None
            except (InvocationFailed, BadArguments) as e:
                raise _Divergence(
                    {
                        "entry": entry,
                        "function": fname,
                        "kind": "trap",
                        "expected": st["result"],
                        "actual": str(e),
                        "message": f"entry #{entry}: {fname} failed during replay: {e}",
                    }
                ) from None
            actual = None if sig.result is None else wave.format(out.result, sig.result)
            if actual != st["result"]:
                raise _Divergence(
                    {
                        "entry": entry,
                        "function": fname,
                        "kind": "result",
                        "expected": st["result"],
                        "actual": actual,
                        "message": f"entry #{entry}: {fname}({', '.join(st['args'])}) returned {actual}, "
                        f"the history recorded {st['result']}",
                    }
                )
            count += 1
            if progress is not None and count % 500 == 0:
                progress(entry - start + 1, total)
        return count

    # ==================================================================== updates

    def compatibility(self, ref: str, target: int | None = None) -> CompatibilityReport:
        w = self.worker(ref)
        comp = self.components.get(w.component_name)
        target_v = comp.latest.version if target is None else target
        old = self.components.known_version(w.component_name, w.component_version)
        new = self.components.known_version(w.component_name, target_v)
        return compatibility(old.description, new.description, old.version, new.version)

    def request_update(self, ref: str, mode: str, target: int | None = None) -> str:
        """Queue an update; nothing runs yet. Returns the update id."""
        mode = _mode(mode)
        live = self._get_live(ref, fresh=True)
        w = live.worker
        check_not_deleted(w)
        self._fail_orphaned_updates(live)
        comp = self.components.get(w.component_name)
        if target is None:
            target = comp.latest.version
        check_update_acceptable(w, target, mode, len(comp.versions))
        update_id = str(uuid.uuid4())
        w.request_update(update_id, target, mode, self._runner(), _now())
        self._save(live)
        crash_point("after-request")
        return update_id

    def cancel_update(self, ref: str, target: int | None = None, update_id: str | None = None) -> None:
        """Cancel a pending update that has not started, by target version or id."""
        live = self._get_live(ref, fresh=True)
        w = live.worker
        for u in w.pending_updates:
            matches = u["id"] == update_id if update_id is not None else u["targetVersion"] == target
            if matches and u["stage"] == "requested":
                w.cancel_update(u["id"], _now())
                self._save(live)
                return
        raise UpdateRejected(f"worker {ref} has no pending update to version {target} that has not started")

    def update(
        self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None
    ) -> UpdateOutcome:
        """Request an update and run every pending update of the worker, in order."""
        update_id = self.request_update(ref, mode, target)
        outcomes = self.run_pending_updates(ref, progress)
        for o_id, outcome in outcomes:
            if o_id == update_id:
                return outcome
        raise UpdateRejected(f"the update of {ref} was cancelled before it ran")

    def run_pending_updates(self, ref: str, progress: ProgressFn | None = None) -> list[tuple[str, UpdateOutcome]]:
        live = self._get_live(ref, fresh=True)
        self._fail_orphaned_updates(live)
        results = []
        while True:
            pending = [u for u in live.worker.pending_updates if u["stage"] == "requested"]
            if not pending:
                return results
            u = pending[0]
            results.append((u["id"], self._run_update(live, u, progress)))

    def _run_update(self, live: _Live, u: dict[str, Any], progress: ProgressFn | None) -> UpdateOutcome:
        w = live.worker
        update_id, mode, target = u["id"], u["mode"], u["targetVersion"]
        from_version = w.component_version
        started = time.perf_counter()
        w.start_update(update_id, from_version, self._runner())
        self._save(live)
        crash_point("after-start")
        if target == from_version:
            # An earlier queued update failed, so this one would change nothing.
            return self._fail(
                live, u, from_version, "preflight", f"the worker already runs version {target}", None, started
            )
        try:
            target_info = self.components.known_version(w.component_name, target)
        except NotFound as e:
            return self._fail(live, u, from_version, "preflight", str(e), None, started)
        try:
            if mode == wm.AUTOMATIC:
                return self._run_automatic(live, u, from_version, target_info, started, progress)
            return self._run_manual(live, u, from_version, target_info, started)
        except BaseException as e:
            # Cancelled (the progress callback raised) or an unexpected error: the
            # attempt must not stay pending. The worker keeps its old version.
            if u["type"] == wm.PENDING and live.worker is w:
                reason = str(e) if isinstance(e, OperationCancelled) else f"stopped: {type(e).__name__}: {e}"
                live.instance = None
                try:
                    self._fail(live, u, from_version, u["stage"], reason, None, started,
                               revert=u["stage"] in ("snapshot-saved", "snapshot-loaded"))
                except WorkerDeskError:
                    pass
            raise

    def _run_automatic(
        self, live: _Live, u: dict[str, Any], from_version: int, target: VersionInfo, started: float, progress: ProgressFn | None
    ) -> UpdateOutcome:
        w = live.worker
        try:
            scratch, _ = self._replay_on(w, target, progress)
        except _Divergence as d:
            return self._fail(live, u, from_version, "replay", d.report["message"], d.report, started)
        except WorkerDeskError as e:
            return self._fail(live, u, from_version, "replay", str(e), None, started)
        crash_point("before-success")
        duration = time.perf_counter() - started
        w.succeed_update(u["id"], target.version, target.size, duration, _now())
        if w.startup is None and scratch.startup_host_calls:
            w.record_startup(target.version, scratch.startup_host_calls)
        self._save(live)
        live.instance = scratch
        return UpdateOutcome(w.ref, wm.AUTOMATIC, from_version, target.version, True, "done", None, duration=duration)

    def _replay_on(self, w: Worker, target: VersionInfo, progress: ProgressFn | None = None, stop: int | None = None) -> tuple[Instance, int]:
        """A scratch instance of ``target`` with ``w``'s history replayed on it."""
        hc = HostCalls()
        try:
            scratch = self._new_instance(w, target, hc)
        except HostCallDivergence as e:
            raise _Divergence(
                {
                    "entry": 1,
                    "function": "(instantiation)",
                    "kind": "host-call",
                    "expected": e.expected,
                    "actual": e.actual,
                    "message": f"instantiating version {target.version}: {e}",
                }
            ) from None
        start = 1
        base = w.recovery_base
        if base is not None:
            data = self._snapshot_bytes(base["snapshot_hash"], base.get("snapshot_inline"))
            try:
                err = scratch.load_snapshot(data)
            except (InvocationFailed, FunctionNotFound) as e:
                err = str(e)
            if err is not None:
                raise _Divergence(
                    {
                        "entry": base["position"],
                        "function": "load-snapshot",
                        "kind": "snapshot",
                        "expected": "ok",
                        "actual": err,
                        "message": f"entry #{base['position']}: the target cannot load the worker's last update snapshot: {err}",
                    }
                )
            start = int(base["position"]) + 1
        count = self._replay(scratch, w.id, start, w.version if stop is None else stop, progress)
        return scratch, count

    def _run_manual(self, live: _Live, u: dict[str, Any], from_version: int, target: VersionInfo, started: float) -> UpdateOutcome:
        w = live.worker
        update_id = u["id"]
        old_info = self.components.known_version(w.component_name, from_version)
        if not old_info.description.exports_save:
            return self._fail(
                live, u, from_version, "save",
                f"version {from_version} does not export golem:api/save-snapshot", None, started,
            )
        if not target.description.exports_load:
            return self._fail(
                live, u, from_version, "load",
                f"version {target.version} does not export golem:api/load-snapshot", None, started,
            )
        # Golem waits until the worker is idle: here calls on one worker are serialized.
        try:
            instance = self._instance(live)
            data = instance.save_snapshot()
        except (InvocationFailed, FunctionNotFound) as e:
            live.instance = None
            return self._fail(live, u, from_version, "save", f"save-snapshot failed: {e}", None, started)
        except CorruptHistory as e:
            return self._fail(live, u, from_version, "save", str(e), None, started)
        digest, inline = self._store_snapshot(data)
        w.record_snapshot_saved(update_id, digest, len(data), inline)
        self._save(live)
        crash_point("after-snapshot-saved")
        try:
            scratch = self._new_instance(w, target, startup=False)
            crash_point("during-load")
            err = scratch.load_snapshot(data)
        except (InvocationFailed, FunctionNotFound) as e:
            err = f"load-snapshot failed: {e}"
        if err is not None:
            return self._fail(live, u, from_version, "load", err, None, started, revert=True, snapshot_size=len(data))
        crash_point("before-success")
        duration = time.perf_counter() - started
        w.record_snapshot_loaded(update_id)
        w.succeed_update(update_id, target.version, target.size, duration, _now())
        if scratch.startup_host_calls:
            w.record_startup(target.version, scratch.startup_host_calls)
        self._save(live)
        live.instance = scratch
        return UpdateOutcome(
            w.ref, wm.MANUAL, from_version, target.version, True, "done", None, snapshot_size=len(data), duration=duration
        )

    def _fail(
        self,
        live: _Live,
        u: dict[str, Any],
        from_version: int,
        stage: str,
        reason: str,
        divergence: dict[str, Any] | None,
        started: float,
        revert: bool = False,
        snapshot_size: int | None = None,
    ) -> UpdateOutcome:
        w = live.worker
        duration = time.perf_counter() - started
        w.fail_update(u["id"], stage, reason, divergence, duration, _now())
        if revert:
            w.revert(u["id"], from_version)
        self._save(live)
        return UpdateOutcome(
            w.ref, u["mode"], from_version, u["targetVersion"], False, stage, reason, divergence,
            snapshot_size=snapshot_size, duration=duration,
        )

    def dry_run(self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None) -> UpdateOutcome:
        """The whole update in scratch instances; nothing is appended."""
        mode = _mode(mode)
        w = self.worker(ref)
        check_not_deleted(w)
        comp = self.components.get(w.component_name)
        if target is None:
            target = comp.latest.version
        check_update_acceptable(w, target, mode, len(comp.versions))
        target_info = self.components.known_version(w.component_name, target)
        report = self.compatibility(ref, target)
        started = time.perf_counter()

        def outcome(ok: bool, stage: str, reason: str | None, div: dict[str, Any] | None = None, size: int | None = None) -> UpdateOutcome:
            return UpdateOutcome(
                w.ref, mode, w.component_version, target, ok, stage, reason, div, size,
                time.perf_counter() - started, True, report,
            )

        if mode == wm.AUTOMATIC:
            try:
                self._replay_on(w, target_info, progress)
            except _Divergence as d:
                return outcome(False, "replay", d.report["message"], d.report)
            except WorkerDeskError as e:
                return outcome(False, "replay", str(e))
            return outcome(True, "done", None)
        old_info = self.components.known_version(w.component_name, w.component_version)
        if not old_info.description.exports_save:
            return outcome(False, "save", f"version {w.component_version} does not export golem:api/save-snapshot")
        if not target_info.description.exports_load:
            return outcome(False, "load", f"version {target} does not export golem:api/load-snapshot")
        try:
            current, _ = self._replay_on(w, old_info, progress)
            data = current.save_snapshot()
        except _Divergence as d:
            return outcome(False, "save", d.report["message"], d.report)
        except WorkerDeskError as e:
            return outcome(False, "save", f"save-snapshot failed: {e}")
        try:
            err = self._new_instance(w, target_info, startup=False).load_snapshot(data)
        except WorkerDeskError as e:
            err = f"load-snapshot failed: {e}"
        if err is not None:
            return outcome(False, "load", err, None, len(data))
        return outcome(True, "done", None, None, len(data))

    def _fail_orphaned_updates(self, live: _Live, reject_foreign: bool = True) -> None:
        """Pending updates whose process died are failed, once, with the stage they reached."""
        w = live.worker
        changed = False
        for u in w.pending_updates:
            runner = u.get("runner") or ""
            if runner == self._runner() or self.markers.runner_alive(runner):
                continue
            stage = u["stage"]
            w.fail_update(
                u["id"], stage,
                f"interrupted: the process running this update stopped after stage '{stage}'; "
                f"the worker stays on version {w.component_version}",
                None, 0.0, _now(),
            )
            if stage in ("snapshot-saved", "snapshot-loaded"):
                w.revert(u["id"], w.component_version)
            changed = True
        if changed:
            live.instance = None
            self._save(live)
        if not reject_foreign:
            return
        for u in w.pending_updates:
            if u.get("runner") != self._runner():
                raise UpdateRejected(
                    f"worker {w.ref} has an update in progress in another process; try again when it finishes"
                )

    def _store_snapshot(self, data: bytes) -> tuple[str, str | None]:
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        if len(data) <= INLINE_SNAPSHOT_LIMIT:
            return digest, data.hex()
        self.blobs.put(data)
        return digest, None

    def _snapshot_bytes(self, digest: str, inline: str | None) -> bytes:
        if inline is not None:
            return bytes.fromhex(inline)
        return self.blobs.get(digest)

    def snapshot_bytes(self, ref: str, update_id: str) -> bytes | None:
        u = self.worker(ref).update(update_id)
        if not u.get("snapshotHash"):
            return None
        return self._snapshot_bytes(u["snapshotHash"], u.get("snapshotInline"))

    # ==================================================================== time travel

    def time_travel(self, ref: str, position: int, progress: ProgressFn | None = None) -> "PastWorker":
        """A scratch instance rebuilt as the worker was right after history entry ``position``."""
        wid = self._resolve_id(ref)
        past = self._load(wid, at=position)
        if past is None:
            raise NotFound(f"worker {ref} has no history entry {position}")
        version = self.components.known_version(past.component_name, past.component_version)
        start = 1
        instance = self._new_instance(past, version)
        base = past.recovery_base
        if base is not None:
            err = instance.load_snapshot(self._snapshot_bytes(base["snapshot_hash"], base.get("snapshot_inline")))
            if err is not None:
                raise CorruptHistory(f"the snapshot at entry {base['position']} no longer loads: {err}")
            start = int(base["position"]) + 1
        try:
            self._replay(instance, wid, start, position, progress)
        except _Divergence as d:
            raise CorruptHistory(d.report["message"]) from None
        return PastWorker(past, position, instance)

    # ==================================================================== plumbing

    def _runner(self) -> str:
        return self.markers.runner_token()

    def _save(self, live: _Live) -> None:
        """Append the worker's new events in one transaction.

        The hot path of every invocation: events go straight to the recorder
        (``Application.save`` spends more than the insert itself on generic
        bookkeeping), and aggregate snapshots are taken from the aggregate in
        memory instead of being rebuilt from the store.
        """
        if self.read_only:
            raise WorkerDeskError("this data folder is open read-only")
        w = live.worker
        try:
            events = w.collect_events()
            if not events:
                return
            self.recorder.insert_events([self.mapper.to_stored_event(e) for e in events])
        except IntegrityError:
            self._live.pop(live.worker.id, None)
            raise ConcurrentModification(
                f"worker {live.worker.ref} was changed by another process; retry"
            ) from None
        if self.snapshots is not None and w.version - live.snapshot_version >= SNAPSHOT_INTERVAL:
            self.snapshots.put([type(w).Snapshot.take(w)])
            live.snapshot_version = w.version

    def _resolve_id(self, ref: str) -> UUID:
        cached = self._ids_by_ref.get(ref)
        if cached is not None:
            return cached
        component, name = parse_ref(ref)
        found, _ = self._generations(component, name)
        if found is None:
            raise NotFound(f"no worker {ref}; create it with `workerdesk worker new {component} {name}`")
        self._ids_by_ref[ref] = found
        return found

    def _generations(self, component: str, name: str) -> tuple[UUID | None, int]:
        """The stream of the newest worker with this name (None if never created)
        and the next free generation; a deleted name is reused by a new generation."""
        generation, found = 0, None
        while self.recorder.select_events(wid := Worker.create_id(component, name, generation), limit=1):
            found, generation = wid, generation + 1
        return found, generation

    def _ends_deleted(self, wid: UUID) -> bool:
        last = self.recorder.select_events(wid, desc=True, limit=1)
        return bool(last) and last[0].topic in DELETED_TOPICS

    def _latest_position(self, wid: UUID) -> int:
        rows = self.recorder.select_events(wid, desc=True, limit=1)
        return rows[0].originator_version if rows else 0

    def _load(self, wid: UUID, at: int | None = None) -> Worker | None:
        try:
            return self.repository.get(wid, version=at)
        except AggregateNotFoundError:
            return None

    def _get_live(self, ref: str, fresh: bool = False) -> _Live:
        wid = self._resolve_id(ref)
        live = self._live.get(wid)
        if live is not None and fresh and self._latest_position(wid) != live.worker.version:
            live = None  # another process appended: reload
        if live is None:
            w = self._load(wid)
            if w is None:
                raise NotFound(f"no worker {ref}")
            live = _Live(w, snapshot_version=w.version)
            self._live[wid] = live
        if not live.checked_orphans and not self.read_only:
            live.checked_orphans = True
            self._record_orphans(live)
            try:
                self._fail_orphaned_updates(live, reject_foreign=False)
            except ConcurrentModification:
                live = self._get_live(ref)
        return live

    def _record_orphans(self, live: _Live) -> None:
        """Invocations a killed process started but never finished become 'interrupted'."""
        w = live.worker
        for path, payload in self.markers.orphans(str(w.id)):
            if int(payload.get("position", 0)) > w.version:
                w.interrupt_invocation(
                    str(payload.get("function", "?")),
                    list(payload.get("args", [])),
                    "the process running this invocation was killed before its result was recorded",
                )
                try:
                    self._save(live)
                except ConcurrentModification:
                    return
            self.markers.discard(path)

    def refresh(self) -> None:
        self._live.clear()
        self._ids_by_ref.clear()
        self.components.refresh()

    def forget_instances(self) -> None:
        """Drop live instances (they are rebuilt from history on next use)."""
        for live in self._live.values():
            live.instance = None


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


def _mode(mode: str) -> str:
    m = {"auto": wm.AUTOMATIC, "automatic": wm.AUTOMATIC, "manual": wm.MANUAL, "snapshot": wm.MANUAL}.get(mode.lower())
    if m is None:
        raise UpdateRejected(f"unknown update mode {mode!r}: use auto or manual")
    return m


# Event fields that say nothing to a reader of the history (or repeat the entry's own time).
_HIDDEN_FIELDS = frozenset(
    ["originator_id", "originator_version", "originator_topic", "timestamp", "runner", "at", "inline", "class_version"]
)
_RENAMED_FIELDS = {"duration": "durationSeconds", "kind": "errorKind"}


def _entry_data(state: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields, camelCased as in Golem's JSON (``host_calls`` -> ``hostCalls``)."""
    return {
        _RENAMED_FIELDS.get(key) or _camel(key): value for key, value in state.items() if key not in _HIDDEN_FIELDS
    }


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
