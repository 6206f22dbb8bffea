"""Live workers: the aggregates and wasm instances kept between calls, and
the resolution of ``component/worker`` references to streams.

The live instance is only a cache of the history; it is rebuilt whenever it
is missing or dead. A worker is reloaded from the store when another
process appended to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from uuid import UUID

from domain.model.errors import BadArguments, ConcurrentModification, NotFound
from domain.model.hostcalls import HostCalls
from domain.model.worker import Worker

from .ports import Instance, Lease, Markers, NoLease
from .worker_store import WorkerStore


def parse_ref(ref: str) -> tuple[str, str]:
    if ref.count("/") != 1 or not all(ref.split("/")):
        raise BadArguments(f"worker reference {ref!r} must look like COMPONENT/WORKER")
    component, name = ref.split("/")
    return component, name


@dataclass
class Live:
    worker: Worker
    instance: Instance | None = None
    host_calls: HostCalls = field(default_factory=HostCalls)
    checked_orphans: bool = False
    snapshot_version: int = 0


class LiveWorkers:
    """The workers this process holds, by stream id."""

    def __init__(self, store: WorkerStore, markers: Markers, read_only: bool, lease: Lease | None = None) -> None:
        self.store = store
        self.markers = markers
        self.read_only = read_only
        self.lease: Lease = lease or NoLease()
        self.by_id: dict[UUID, Live] = {}
        self._ids_by_ref: dict[str, UUID] = {}
        # Called once per worker loaded by a writing process: clears what a
        # killed process left pending (set by the update service).
        self.on_first_load: Callable[[Live], None] = lambda live: None

    def resolve_id(self, ref: str) -> UUID:
        cached = self._ids_by_ref.get(ref)
        if cached is not None:
            return cached
        component, name = parse_ref(ref)
        found, _ = self.store.generations(component, name)
        if found is None:
            raise NotFound(f"no worker {ref}; create it with `workerdesk worker new {component} {name}`")
        self._ids_by_ref[ref] = found
        return found

    def forget_ref(self, ref: str) -> None:
        self._ids_by_ref.pop(ref, None)

    def add(self, worker: Worker) -> Live:
        live = Live(worker, checked_orphans=True)
        self.by_id[worker.id] = live
        self._ids_by_ref[worker.ref] = worker.id
        return live

    def drop(self, worker: Worker) -> None:
        self.by_id.pop(worker.id, None)
        self._ids_by_ref.pop(worker.ref, None)

    def get(self, ref: str, fresh: bool = False) -> Live:
        wid = self.resolve_id(ref)
        live = self.by_id.get(wid)
        if live is not None and fresh and self.store.latest_position(wid) != live.worker.version:
            live = None  # another process appended: reload
        if live is None:
            w = self.store.load(wid)
            if w is None:
                raise NotFound(f"no worker {ref}")
            live = Live(w, snapshot_version=w.version)
            self.by_id[wid] = live
        if not live.checked_orphans and not self.read_only:
            live.checked_orphans = True
            self._record_orphans(live)
            try:
                self.on_first_load(live)
            except ConcurrentModification:
                live = self.get(ref)
        return live

    def save(self, live: Live) -> None:
        """Append the worker's new events; on a conflict the cached worker is dropped.

        The lease is checked first (an in-memory test unless it ran out): a
        process that lost it takes it again, and the stream's version then
        refuses its append if another process acted meanwhile.
        """
        self.lease.check()
        try:
            live.snapshot_version = self.store.append(live.worker, live.snapshot_version)
        except ConcurrentModification:
            self.by_id.pop(live.worker.id, None)
            raise

    def _record_orphans(self, live: Live) -> None:
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
                    self.save(live)
                except ConcurrentModification:
                    return
            self.markers.discard(path)

    def clear(self) -> None:
        self.by_id.clear()
        self._ids_by_ref.clear()

    def forget_instances(self) -> None:
        """Drop live instances (they are rebuilt from history on next use)."""
        for live in self.by_id.values():
            live.instance = None
