"""The one way the worker services read and append worker streams.

Everything below goes through the eventsourcing application's recorder,
mapper and repository; nothing else in the services touches them. Stored
events are read through the mapper (``to_domain_event``), so a cipher, a
compressor and the event classes' upcasters always apply.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterator
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import OriginatorVersionError
from eventsourcing.persistence import IntegrityError, MapperDeserialisationError
from eventsourcing.utils import TopicError

from domain.model.errors import ConcurrentModification, WorkerDeskError, one_line
from domain.model.worker import Worker, topics_of

from .streams import originators

# Aggregate snapshots (the library's cache, not state snapshots) every this many events.
SNAPSHOT_INTERVAL = 200
_BATCH = 2000

CREATED_TOPICS = topics_of(Worker.Created)
CREATED_TOPIC_SET = frozenset(CREATED_TOPICS)
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

    def count(self) -> int:
        """How many workers exist (created and not deleted), from the notification index alone."""
        return len(set(self.worker_ids()) - set(originators(self.recorder, list(DELETED_TOPICS))))

    # -- damage ------------------------------------------------------------------------

    def load_or_damage(self, wid: UUID) -> Worker | None:
        """Like :meth:`load`, but a stream that cannot be read raises :class:`DamagedStream`
        naming what is wrong with it (a missing entry, an entry that does not decode)."""
        try:
            return self.load(wid)
        except Exception as e:  # noqa: BLE001 - any failure to rebuild the aggregate is damage to report
            raise DamagedStream(wid, self.diagnose(wid) or describe_store_error(e)) from None

    def diagnose(self, wid: UUID) -> str | None:
        """What is wrong with one stream's stored entries (None if each is there and decodes)."""
        expected = 1
        for stored in self.stored(wid):
            if stored.originator_version != expected:
                return _missing(expected, stored.originator_version)
            try:
                self.decode(stored)
            except MapperDeserialisationError as e:
                return describe_store_error(e)
            except Exception as e:  # noqa: BLE001 - reported, not raised
                return f"history entry #{expected} cannot be decoded ({describe_store_error(e)})"
            expected += 1
        return None

    def created_ref(self, wid: UUID) -> str | None:
        """``component/worker`` as the stream's first entry names it (None if it cannot be read)."""
        try:
            first = self.recorder.select_events(wid, limit=1)
            if not first or first[0].originator_version != 1 or first[0].topic not in CREATED_TOPIC_SET:
                return None
            event: Any = self.decode(first[0])
            return f"{event.component_name}/{event.name}"
        except Exception:  # noqa: BLE001 - the caller shows the stream id instead
            return None

    def all_stored(self, page: int = 500) -> Iterator[Any]:
        """Every stored event of every stream in this store, in the order recorded."""
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=page)
            if not batch:
                return
            yield from batch
            start = batch[-1].id + 1

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


class DamagedStream(WorkerDeskError):
    """A stream whose stored entries cannot be read back (a missing or garbled row)."""

    def __init__(self, wid: UUID, reason: str) -> None:
        super().__init__(f"stream {wid} is damaged: {reason}")
        self.wid = wid
        self.reason = reason

    def named(self, ref: str) -> "DamagedStream":
        """The same damage, told of the worker ``ref``."""
        named = DamagedStream(self.wid, self.reason)
        named.args = (f"worker {ref} cannot be read: {self.reason}",)
        return named


def _missing(expected: int, found: int) -> str:
    if found == expected + 1:
        return f"history entry #{expected} is missing"
    return f"history entries #{expected} to #{found - 1} are missing"


def is_store_read_error(error: BaseException) -> bool:
    """Whether ``error`` came from reading stored events back (a missing, garbled or
    misplaced row), not from anything else a command does."""
    if isinstance(error, STORE_READ_ERRORS):
        return True
    return isinstance(error, AssertionError) and _raised_in_eventsourcing(error)


def _raised_in_eventsourcing(error: BaseException) -> bool:
    # eventsourcing asserts that a stream starts with its creation.
    tb, last = error.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and f"{os.sep}eventsourcing{os.sep}" in last.tb_frame.f_code.co_filename


def describe_store_error(error: BaseException) -> str:
    """One line for an error raised while reading stored events back."""
    if isinstance(error, AssertionError) and _raised_in_eventsourcing(error):
        return "its history does not start with its creation (history entry #1 is missing or out of place)"
    if isinstance(error, OriginatorVersionError) and len(error.args) == 2:
        found, expected = error.args
        if isinstance(found, int) and isinstance(expected, int) and found > expected:
            return _missing(expected, found)
        return f"history entry #{found} is out of order (expected #{expected})"
    message = one_line(error) or type(error).__name__
    if isinstance(error, MapperDeserialisationError):
        position = re.search(r"originator_version (\d+)", message)
        cause = error.__cause__ or error.__context__
        why = one_line(cause) if cause is not None else message
        entry = f"history entry #{position.group(1)}" if position else "a history entry"
        return f"{entry} cannot be decoded ({why})"
    return f"{type(error).__name__}: {message}"


STORE_READ_ERRORS: tuple[type[BaseException], ...] = (OriginatorVersionError, MapperDeserialisationError, TopicError)
