"""The update state machine: one queue per worker, automatic and manual runs, dry runs.

Every path that changes a worker's version goes through :meth:`Updates.request`
and :meth:`Updates.run_pending`: the CLI, the GUI and bulk updates alike.
An update runs as requested → started → (state snapshot saved → loaded) →
succeeded, or → failed (→ reverted); a crash between any two steps leaves
the worker on exactly one version, and the attempt is failed by the next
process that loads the worker.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from domain.model.errors import (
    CorruptHistory,
    FunctionNotFound,
    InvocationFailed,
    NotFound,
    OperationCancelled,
    UpdateRejected,
    WorkerDeskError,
)
from domain.model.payload import PayloadRef
from domain.model.vocabulary import UpdateMode, UpdateRecordType
from domain.model.worker import check_not_deleted, check_update_acceptable

from .compat import CompatibilityReport, compatibility
from .components import Components, VersionInfo
from .live import Live, LiveWorkers
from .ports import CrashPoints, Instance, Markers
from .replay import Diverged, Divergence, ProgressFn, Rebuilder
from .state_snapshots import StateSnapshots


FILES_MEDIA_TYPE = "application/x-tar"


def archive_files(instance: Instance) -> bytes | None:
    """The instance's private files as a tar (None: none, or a runtime without them)."""
    archive = getattr(instance, "archive_files", None)
    return None if archive is None else archive()


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def parse_mode(mode: str) -> UpdateMode:
    try:
        return UpdateMode.parse(mode)
    except ValueError as e:
        raise UpdateRejected(str(e)) from None


@dataclass
class UpdateOutcome:
    worker: str
    mode: str
    from_version: int
    target_version: int
    ok: bool
    stage: str
    reason: str | None
    divergence: Divergence | None = None
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
            "divergence": None if self.divergence is None else self.divergence.to_json(),
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


class Updates:
    def __init__(
        self,
        live: LiveWorkers,
        rebuilder: Rebuilder,
        components: Components,
        snapshots: StateSnapshots,
        markers: Markers,
        crash: CrashPoints,
        instance_of: Callable[[Live], Instance],
    ) -> None:
        self.live = live
        self.rebuilder = rebuilder
        self.components = components
        self.snapshots = snapshots
        self.markers = markers
        self.crash = crash
        self.instance_of = instance_of
        live.on_first_load = lambda lv: self.fail_orphaned(lv, reject_foreign=False)

    # -- the queue -----------------------------------------------------------------

    def compatibility(self, ref: str, target: int | None = None) -> CompatibilityReport:
        w = self.live.get(ref, fresh=True).worker
        comp = self.components.get(w.component_name)
        target_v = comp.latest.version if target is None else target
        old = self.components.known_version(w.component_name, w.component_version)
        new = self.components.known_version(w.component_name, target_v)
        return compatibility(old.description, new.description, old.version, new.version)

    def request(self, ref: str, mode: str, target: int | None = None) -> str:
        """Queue an update; nothing runs yet. Returns the update id."""
        m = parse_mode(mode)
        live = self.live.get(ref, fresh=True)
        w = live.worker
        check_not_deleted(w)
        self.fail_orphaned(live)
        comp = self.components.get(w.component_name)
        if target is None:
            target = comp.latest.version
        check_update_acceptable(w, target, m, len(comp.versions))
        update_id = str(uuid.uuid4())
        w.request_update(update_id, target, m, self.markers.runner_token(), now())
        self.live.save(live)
        self.crash.reach("after-request")
        return update_id

    def cancel(self, ref: str, target: int | None = None, update_id: str | None = None) -> None:
        """Cancel a pending update that has not started, by target version or id."""
        live = self.live.get(ref, fresh=True)
        w = live.worker
        for u in w.pending_updates:
            matches = u["id"] == update_id if update_id is not None else u["targetVersion"] == target
            if matches and u["stage"] == "requested":
                w.cancel_update(u["id"], now())
                self.live.save(live)
                return
        raise UpdateRejected(f"worker {ref} has no pending update to version {target} that has not started")

    def update(self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None) -> UpdateOutcome:
        """Request an update and run every pending update of the worker, in order."""
        update_id = self.request(ref, mode, target)
        for o_id, outcome in self.run_pending(ref, progress):
            if o_id == update_id:
                return outcome
        raise UpdateRejected(f"the update of {ref} was cancelled before it ran")

    def run_pending(self, ref: str, progress: ProgressFn | None = None) -> list[tuple[str, UpdateOutcome]]:
        live = self.live.get(ref, fresh=True)
        self.fail_orphaned(live)
        results: list[tuple[str, UpdateOutcome]] = []
        while True:
            pending = [u for u in live.worker.pending_updates if u["stage"] == "requested"]
            if not pending:
                return results
            u = pending[0]
            results.append((u["id"], self._run(live, u, progress)))

    # -- one update ----------------------------------------------------------------

    def _run(self, live: Live, u: dict[str, Any], progress: ProgressFn | None) -> UpdateOutcome:
        w = live.worker
        update_id, mode, target = u["id"], u["mode"], u["targetVersion"]
        from_version = w.component_version
        started = time.perf_counter()
        w.start_update(update_id, from_version, self.markers.runner_token())
        self.live.save(live)
        self.crash.reach("after-start")
        if target == from_version:
            # An earlier queued update failed, so this one would change nothing.
            return self._fail(live, u, from_version, "preflight", f"the worker already runs version {target}", None, started)
        try:
            target_info = self.components.known_version(w.component_name, target)
        except NotFound as e:
            return self._fail(live, u, from_version, "preflight", str(e), None, started)
        try:
            if mode == UpdateMode.AUTOMATIC:
                return self._run_automatic(live, u, from_version, target_info, started, progress)
            return self._run_manual(live, u, from_version, target_info, started)
        except BaseException as e:
            # Cancelled (the progress callback raised) or an unexpected error: the
            # attempt must not stay pending. The worker keeps its old version.
            if u["type"] == UpdateRecordType.PENDING and live.worker is w:
                reason = str(e) if isinstance(e, OperationCancelled) else f"stopped: {type(e).__name__}: {e}"
                live.instance = None
                try:
                    self._fail(live, u, from_version, u["stage"], reason, None, started,
                               revert=u["stage"] in ("snapshot-saved", "snapshot-loaded"))
                except WorkerDeskError:
                    pass
            raise

    def _run_automatic(
        self, live: Live, u: dict[str, Any], from_version: int, target: VersionInfo, started: float, progress: ProgressFn | None
    ) -> UpdateOutcome:
        w = live.worker
        try:
            scratch, _ = self.rebuilder.rebuild(w, target, progress=progress)
        except Diverged as d:
            return self._fail(live, u, from_version, "replay", d.divergence.message, d.divergence, started)
        except WorkerDeskError as e:
            return self._fail(live, u, from_version, "replay", str(e), None, started)
        self.crash.reach("before-success")
        duration = time.perf_counter() - started
        w.succeed_update(u["id"], target.version, target.size, duration, now())
        if w.startup is None and scratch.startup_host_calls:
            w.record_startup(target.version, scratch.startup_host_calls)
        self.live.save(live)
        live.instance = scratch
        return UpdateOutcome(w.ref, UpdateMode.AUTOMATIC, from_version, target.version, True, "done", None, duration=duration)

    def _run_manual(self, live: Live, u: dict[str, Any], from_version: int, target: VersionInfo, started: float) -> UpdateOutcome:
        w = live.worker
        update_id = u["id"]
        old_info = self.components.known_version(w.component_name, from_version)
        if not old_info.description.exports_save:
            return self._fail(
                live, u, from_version, "save", f"version {from_version} does not export golem:api/save-snapshot", None, started
            )
        if not target.description.exports_load:
            return self._fail(
                live, u, from_version, "load", f"version {target.version} does not export golem:api/load-snapshot", None, started
            )
        # Golem waits until the worker is idle: here calls on one worker are serialized.
        try:
            instance = self.instance_of(live)
            data = instance.save_snapshot()
        except (InvocationFailed, FunctionNotFound) as e:
            live.instance = None
            return self._fail(live, u, from_version, "save", f"save-snapshot failed: {e}", None, started)
        except CorruptHistory as e:
            return self._fail(live, u, from_version, "save", str(e), None, started)
        ref, inline = self.snapshots.store(data)
        w.record_snapshot_saved(update_id, ref.hash, ref.size, inline)
        # The worker's private files go with its state snapshot.
        files = archive_files(instance)
        if files is not None:
            files_ref = PayloadRef.of(files, FILES_MEDIA_TYPE)
            self.rebuilder.blobs.put(files)
            w.record_files_archived(update_id, files_ref.hash, files_ref.size, files_ref.media_type)
        self.live.save(live)
        self.crash.reach("after-snapshot-saved")
        try:
            scratch = self.rebuilder.new_instance(w, target, startup=False, files=files)
            self.crash.reach("during-load")
            err = scratch.load_snapshot(data)
        except (InvocationFailed, FunctionNotFound) as e:
            err = f"load-snapshot failed: {e}"
        if err is not None:
            return self._fail(live, u, from_version, "load", err, None, started, revert=True, snapshot_size=len(data))
        self.crash.reach("before-success")
        duration = time.perf_counter() - started
        w.record_snapshot_loaded(update_id)
        w.succeed_update(update_id, target.version, target.size, duration, now())
        if scratch.startup_host_calls:
            w.record_startup(target.version, scratch.startup_host_calls)
        self.live.save(live)
        live.instance = scratch
        return UpdateOutcome(
            w.ref, UpdateMode.MANUAL, from_version, target.version, True, "done", None, snapshot_size=len(data), duration=duration
        )

    def _fail(
        self,
        live: Live,
        u: dict[str, Any],
        from_version: int,
        stage: str,
        reason: str,
        divergence: Divergence | None,
        started: float,
        revert: bool = False,
        snapshot_size: int | None = None,
    ) -> UpdateOutcome:
        w = live.worker
        duration = time.perf_counter() - started
        w.fail_update(u["id"], stage, reason, None if divergence is None else divergence.to_json(), duration, now())
        if revert:
            w.revert(u["id"], from_version)
        self.live.save(live)
        return UpdateOutcome(
            w.ref, u["mode"], from_version, u["targetVersion"], False, stage, reason, divergence,
            snapshot_size=snapshot_size, duration=duration,
        )

    # -- dry run -------------------------------------------------------------------

    def dry_run(self, ref: str, mode: str, target: int | None = None, progress: ProgressFn | None = None) -> UpdateOutcome:
        """The whole update in scratch instances; nothing is appended."""
        m = parse_mode(mode)
        w = self.live.get(ref, fresh=True).worker
        check_not_deleted(w)
        comp = self.components.get(w.component_name)
        if target is None:
            target = comp.latest.version
        check_update_acceptable(w, target, m, len(comp.versions))
        target_info = self.components.known_version(w.component_name, target)
        report = self.compatibility(ref, target)
        started = time.perf_counter()

        def outcome(ok: bool, stage: str, reason: str | None, div: Divergence | None = None, size: int | None = None) -> UpdateOutcome:
            return UpdateOutcome(
                w.ref, m, w.component_version, target, ok, stage, reason, div, size,
                time.perf_counter() - started, True, report,
            )

        if m == UpdateMode.AUTOMATIC:
            try:
                self.rebuilder.rebuild(w, target_info, progress=progress)
            except Diverged as d:
                return outcome(False, "replay", d.divergence.message, d.divergence)
            except WorkerDeskError as e:
                return outcome(False, "replay", str(e))
            return outcome(True, "done", None)
        old_info = self.components.known_version(w.component_name, w.component_version)
        if not old_info.description.exports_save:
            return outcome(False, "save", f"version {w.component_version} does not export golem:api/save-snapshot")
        if not target_info.description.exports_load:
            return outcome(False, "load", f"version {target} does not export golem:api/load-snapshot")
        try:
            current, _ = self.rebuilder.rebuild(w, old_info, progress=progress)
            data = current.save_snapshot()
            files = archive_files(current)
        except Diverged as d:
            return outcome(False, "save", d.divergence.message, d.divergence)
        except WorkerDeskError as e:
            return outcome(False, "save", f"save-snapshot failed: {e}")
        try:
            err = self.rebuilder.new_instance(w, target_info, startup=False, files=files).load_snapshot(data)
        except WorkerDeskError as e:
            err = f"load-snapshot failed: {e}"
        if err is not None:
            return outcome(False, "load", err, None, len(data))
        return outcome(True, "done", None, None, len(data))

    # -- what a killed process left --------------------------------------------------

    def fail_orphaned(self, live: Live, reject_foreign: bool = True) -> None:
        """Pending updates whose process died are failed, once, with the stage they reached."""
        w = live.worker
        mine = self.markers.runner_token()
        changed = False
        for u in w.pending_updates:
            runner = u.get("runner") or ""
            if runner == mine or self.markers.runner_alive(runner):
                continue
            stage = u["stage"]
            w.fail_update(
                u["id"], stage,
                f"interrupted: the process running this update stopped after stage '{stage}'; "
                f"the worker stays on version {w.component_version}",
                None, 0.0, now(),
            )
            if stage in ("snapshot-saved", "snapshot-loaded"):
                w.revert(u["id"], w.component_version)
            changed = True
        if changed:
            live.instance = None
            self.live.save(live)
        if not reject_foreign:
            return
        for u in w.pending_updates:
            if u.get("runner") != mine:
                raise UpdateRejected(
                    f"worker {w.ref} has an update in progress in another process; try again when it finishes"
                )
