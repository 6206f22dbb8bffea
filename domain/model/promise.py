"""Golem promises: a value a worker can wait for, completed once by anyone.

A promise belongs to the worker that created it (``golem:api/host``
``create-promise``) and is numbered within it from 1. Each promise is its
own small stream in the workers' event store, beside the worker's: a
completion written by another process (``workerdesk worker
complete-promise``) then never conflicts with the worker's own history,
and the worker's process, waiting in ``await-promise``, sees it by reading
the promise's stream. What the guest received is recorded in its
invocation's host calls, so replay never reads the promise again.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model.errors import NotFound, WorkerDeskError


class PromiseError(WorkerDeskError):
    pass


class Promise(Aggregate):
    class_version = 1

    @staticmethod
    def create_id(component_id: str, worker_name: str, index: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"workerdesk:/promises/{component_id}/{worker_name}/{index}")

    class Created(Aggregate.Created):
        class_version = 1
        component_id: str
        worker_name: str
        index: int

    class Completed(Aggregate.Event):
        class_version = 1
        data: str  # hex
        at: str

    class Deleted(Aggregate.Event):
        class_version = 1

    @event(Created)
    def __init__(self, component_id: str, worker_name: str, index: int) -> None:
        self.component_id = component_id
        self.worker_name = worker_name
        self.index = index
        self.data: str | None = None
        self.deleted = False

    @property
    def label(self) -> str:
        return f"promise {self.index} of worker {self.worker_name}"

    def complete(self, data: bytes, at: str) -> bool:
        """Complete with ``data``; False when it was already completed."""
        if self.deleted:
            raise NotFound(f"{self.label} was deleted")
        if self.data is not None:
            return False
        self._completed(data.hex(), at)
        return True

    @event(Completed)
    def _completed(self, data: str, at: str) -> None:
        self.data = data

    def delete(self) -> None:
        if not self.deleted:
            self._deleted()

    @event(Deleted)
    def _deleted(self) -> None:
        self.deleted = True

    @property
    def value(self) -> bytes | None:
        return None if self.data is None or self.deleted else bytes.fromhex(self.data)
