"""The one way the worker services read and append worker streams.

Everything below goes through the eventsourcing application's recorder,
mapper and repository; nothing else in the services touches them. Stored
events are read through the mapper (``to_domain_event``), so a cipher, a
compressor and the event classes' upcasters always apply.
"""

from __future__ import annotations

from typing import Any, Iterator
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.model.errors import ConcurrentModification, WorkerDeskError
from domain.model.worker import Worker, topics_of

from .streams import originators

# Aggregate snapshots (the library's cache, not state snapshots) every this many events.
SNAPSHOT_INTERVAL = 200
_BATCH = 2000

CREATED_TOPICS = topics_of(Worker.Created)
COMPLETED_TOPICS = frozenset(topics_of(Worker.InvocationCompleted))
DELETED_TOPICS = frozenset(topics_of(Worker.Deleted))


class WorkerStore:
    def __init__(self, app: Application, read_only: bool) -> None:
        self.recorder = app.recorder
        self.mapper = app.mapper
        self.repository = app.repository
        self.snapshots = app.snapshots
        self.read_only = read_only
        self.decode = app.mapper.to_domain_event

    # -- reading ---------------------------------------------------------------------

    def stored(self, wid: UUID, start: int = 1, limit: int | None = None) -> Iterator[Any]:
        """Stored events of one worker from position ``start``, in batches."""
        position = start - 1
        remaining = limit
        while True:
            size = _BATCH if remaining is None else min(_BATCH, remaining)
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

    def load(self, wid: UUID, at: int | None = None) -> Worker | None:
        try:
            return self.repository.get(wid, version=at)
        except AggregateNotFoundError:
            return None

    def latest_position(self, wid: UUID) -> int:
        rows = self.recorder.select_events(wid, desc=True, limit=1)
        return rows[0].originator_version if rows else 0

    def ends_deleted(self, wid: UUID) -> bool:
        last = self.recorder.select_events(wid, desc=True, limit=1)
        return bool(last) and last[0].topic in DELETED_TOPICS

    def generations(self, component: str, name: str) -> tuple[UUID | None, int]:
        """The stream of the newest worker with this name (None if never created)
        and the next free generation; a deleted name is reused by a new generation."""
        generation, found = 0, None
        while self.recorder.select_events(wid := Worker.create_id(component, name, generation), limit=1):
            found, generation = wid, generation + 1
        return found, generation

    def worker_ids(self) -> Iterator[UUID]:
        """Every worker stream ever created, deleted ones too, in creation order."""
        return originators(self.recorder, CREATED_TOPICS)

    # -- appending -------------------------------------------------------------------

    def append(self, worker: Worker, snapshot_version: int) -> int:
        """Append the worker's new events in one transaction; returns the position of
        its latest aggregate snapshot.

        The hot path of every invocation: events go straight to the recorder
        (``Application.save`` spends more than the insert itself on generic
        bookkeeping), and aggregate snapshots are taken from the aggregate in
        memory instead of being rebuilt from the store.
        """
        if self.read_only:
            raise WorkerDeskError("this data folder is open read-only")
        try:
            events = worker.collect_events()
            if not events:
                return snapshot_version
            self.recorder.insert_events([self.mapper.to_stored_event(e) for e in events])
        except IntegrityError:
            raise ConcurrentModification(f"worker {worker.ref} was changed by another process; retry") from None
        if self.snapshots is not None and worker.version - snapshot_version >= SNAPSHOT_INTERVAL:
            self.snapshots.put([type(worker).Snapshot.take(worker)])
            return worker.version
        return snapshot_version
