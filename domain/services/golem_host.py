"""What Golem's host API (``golem:api/host``, served in ``domain/runtime``)
asks of the services: other workers' metadata, update requests, component
and worker names, and promises; and what an invocation's host calls leave
to do once it is over (policies to store, updates to queue).

Requested updates go through :meth:`Workers.request_update`, the one update
queue, exactly as a request from the CLI; they are queued and run when the
calling invocation ends, whether it succeeded or not.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.model.errors import ConcurrentModification, NotFound, WorkerDeskError
from domain.model.promise import Promise
from domain.model.vocabulary import UpdateMode
from domain.model.worker import Worker, check_update_acceptable

if TYPE_CHECKING:  # pragma: no cover
    from .workers import Workers

def golem_policies(w: Worker) -> dict[str, Any]:
    """``worker get``'s view of the policies set through Golem's host API (Golem's defaults otherwise)."""
    policies = {**DEFAULT_POLICIES, **w.policies_set}
    return {
        "retryPolicy": policies["retry-policy"],
        "persistenceLevel": policies["persistence-level"],
        "idempotenceMode": policies["idempotence-mode"],
    }


# golem:api update-mode -> Worker Desk's
_MODES = {"automatic": UpdateMode.AUTOMATIC, "snapshot-based": UpdateMode.MANUAL}
_PROMISE_SCAN_LIMIT = 1_000_000
# Golem's defaults (golem-worker-executor's retry config; persistence "smart"; idempotent).
DEFAULT_POLICIES: dict[str, Any] = {
    "retry-policy": {
        "max-attempts": 3,
        "min-delay": 100_000_000,
        "max-delay": 1_000_000_000,
        "multiplier": 3.0,
        "max-jitter-factor": 0.15,
    },
    "persistence-level": "smart",
    "idempotence-mode": True,
}


class GolemHostServices:
    """The services behind ``golem:api/host`` for one data folder (``GolemServices`` in the runtime)."""

    def __init__(self, workers: "Workers") -> None:
        self.workers = workers

    # -- names -----------------------------------------------------------------------------

    def _component_name(self, component_id: str) -> str | None:
        for c in self.workers.components.list():
            if c.id == component_id:
                return c.name
        return None

    def _worker(self, component_id: str, worker_name: str) -> Worker | None:
        name = self._component_name(component_id)
        if name is None:
            return None
        wid, _ = self.workers.store.generations(name, worker_name)
        w = None if wid is None else self.workers.store.load(wid)
        return None if w is None or w.deleted else w

    def component_id(self, reference: str) -> str | None:
        """A component's id from its name (or its id)."""
        for c in self.workers.components.list():
            if reference in (c.name, c.id):
                return c.id
        return None

    def worker_exists(self, component_id: str, worker_name: str) -> bool:
        return self._worker(component_id, worker_name) is not None

    # -- metadata and updates --------------------------------------------------------------

    def worker_metadata(self, component_id: str, worker_name: str) -> dict[str, Any] | None:
        w = self._worker(component_id, worker_name)
        if w is None:
            return None
        env = [
            ["GOLEM_WORKER_NAME", w.name],
            ["GOLEM_AGENT_ID", w.name],
            ["GOLEM_COMPONENT_ID", w.component_id],
            ["GOLEM_COMPONENT_VERSION", str(w.component_version)],
            ["GOLEM_COMPONENT_REVISION", str(w.component_version)],
            *([k, v] for k, v in w.env.items()),
        ]
        return {
            "componentId": w.component_id,
            "workerName": w.name,
            "args": list(w.args),
            "env": env,
            "status": str(w.status).lower(),
            "componentVersion": w.component_version,
            "retryCount": 0,
        }

    def check_update(self, component_id: str, worker_name: str, target_version: int, mode: str) -> None:
        w = self._worker(component_id, worker_name)
        if w is None:
            raise NotFound(f"no worker {worker_name!r} of component {component_id}")
        comp = self.workers.components.get(w.component_name)
        check_update_acceptable(w, target_version, _MODES[mode], len(comp.versions))

    # -- promises --------------------------------------------------------------------------

    def _promise(self, component_id: str, worker_name: str, index: int) -> Promise | None:
        try:
            found: Any = self.workers.repository.get(Promise.create_id(component_id, worker_name, index))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Promise) else None

    def _writable(self) -> None:
        if self.workers.read_only:
            raise WorkerDeskError("this data folder is open read-only: promises cannot be changed")

    def create_promise(self, component_id: str, worker_name: str) -> int:
        self._writable()
        recorder = self.workers.recorder
        for index in range(1, _PROMISE_SCAN_LIMIT):
            if recorder.select_events(Promise.create_id(component_id, worker_name, index), limit=1):
                continue
            try:
                self.workers.save(Promise(component_id, worker_name, index))
            except IntegrityError:
                continue  # taken a moment ago by another process
            return index
        raise WorkerDeskError(f"worker {worker_name} has too many promises")

    def poll_promise(self, component_id: str, worker_name: str, index: int) -> bytes | None:
        p = self._promise(component_id, worker_name, index)
        if p is None or p.deleted:
            raise NotFound(f"worker {worker_name} has no promise {index}")
        return p.value

    def complete_promise(self, component_id: str, worker_name: str, index: int, data: bytes) -> bool:
        self._writable()
        for _ in range(5):
            p = self._promise(component_id, worker_name, index)
            if p is None or p.deleted:
                raise NotFound(f"worker {worker_name} has no promise {index}")
            done = p.complete(data, datetime.now(timezone.utc).isoformat())
            if not done:
                return False
            try:
                self.workers.save(p)
            except IntegrityError:
                continue  # completed or deleted by another process meanwhile: look again
            return True
        raise ConcurrentModification(f"promise {index} of worker {worker_name} keeps changing; retry")

    def delete_promise(self, component_id: str, worker_name: str, index: int) -> None:
        self._writable()
        p = self._promise(component_id, worker_name, index)
        if p is None:
            raise NotFound(f"worker {worker_name} has no promise {index}")
        p.delete()
        try:
            self.workers.save(p)
        except IntegrityError:
            pass  # changed by another process: it is completed or deleted, either way gone for the guest

    # -- around an invocation ----------------------------------------------------------------

    @staticmethod
    def begin(instance: Any, position: int) -> None:
        """Tell the instance's host API the history entry this invocation will get."""
        hc = getattr(instance, "host_calls", None)
        if hc is not None:
            hc.position = position

    @staticmethod
    def _effects(instance: Any) -> list[tuple[Any, ...]]:
        hc = getattr(instance, "host_calls", None)
        return list(getattr(hc, "effects", None) or [])

    def record_policies(self, worker: Worker, instance: Any) -> None:
        """Policies the completed invocation set: appended with its event."""
        for effect in self._effects(instance):
            if effect[0] == "policy":
                worker.set_policy(effect[1], effect[2])

    def submit_updates(self, instance: Any) -> list[str]:
        """Queue and run the updates the invocation requested (it has ended); returns their ids.

        A request the queue refuses now (another update got there first) is
        skipped: the invocation that asked for it is already recorded.
        """
        ids: list[str] = []
        for effect in self._effects(instance):
            if effect[0] != "update":
                continue
            _, component_id, worker_name, target, mode = effect
            name = self._component_name(component_id)
            if name is None:
                continue
            ref = f"{name}/{worker_name}"
            try:
                ids.append(self.workers.request_update(ref, _MODES[mode], target))
                self.workers.run_pending_updates(ref)
            except WorkerDeskError:
                continue
        return ids

    # -- the CLI's side --------------------------------------------------------------------

    def complete_from_outside(self, ref: str, index: int, data: bytes) -> bool:
        """``worker complete-promise``: read the worker from the store only (its
        invocation awaiting the promise may be running in another process)."""
        w = self.workers.store.load(self.workers.live.resolve_id(ref))
        if w is None or w.deleted:
            raise NotFound(f"no worker {ref}")
        return self.complete_promise(w.component_id, w.name, index, data)
