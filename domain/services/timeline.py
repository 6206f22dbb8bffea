"""A worker's whole life at a glance: version bands and markers, summarised per pixel.

The summary is built from the stored events' topics and positions — only
the few events that carry a version are decoded — and kept per worker, so
asking again after new entries reads just those. Bucketing it to any width
costs O(width · log n): a 1,000,000-entry history draws as fast as a small one.

A drain view does the same for a component: how many workers ran each
version over time, from the workers' creation, update and deletion times.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.utils import resolve_topic

from domain.model.vocabulary import HistoryKind, UpdateRecordType
from domain.model.worker import Worker

from .worker_store import WorkerStore

# The kinds drawn as markers on the strip; everything else is counted as activity.
MARKER_KINDS = (
    HistoryKind.UPDATE_REQUESTED,
    HistoryKind.UPDATE_SUCCEEDED,
    HistoryKind.UPDATE_FAILED,
    HistoryKind.REVERTED,
    HistoryKind.SNAPSHOT_SAVED,
    HistoryKind.INVOCATION_FAILED,
    HistoryKind.INTERRUPTED,
    HistoryKind.DELETED,
)


@dataclass(frozen=True)
class Band:
    """Entries ``start``..``end`` (inclusive) ran on ``version``."""

    start: int
    end: int
    version: int


@dataclass(frozen=True)
class Bucket:
    """One pixel column: entries ``start``..``end``, how many of each marker kind, and the versions run."""

    start: int
    end: int
    entries: int
    markers: dict[str, int]
    versions: tuple[int, ...]

    @property
    def first_marker(self) -> tuple[str, int] | None:
        """The most telling marker in the bucket (failures first), for colouring."""
        for kind in (HistoryKind.UPDATE_FAILED, HistoryKind.INVOCATION_FAILED, HistoryKind.INTERRUPTED,
                     HistoryKind.REVERTED, HistoryKind.UPDATE_SUCCEEDED, HistoryKind.SNAPSHOT_SAVED,
                     HistoryKind.UPDATE_REQUESTED, HistoryKind.DELETED):  # fmt: skip
            n = self.markers.get(kind.value, 0)
            if n:
                return kind.value, n
        return None


@dataclass
class TimelineSummary:
    length: int = 0
    bands: list[Band] = field(default_factory=list)
    # Sorted entry positions of each marker kind.
    markers: dict[str, array] = field(default_factory=lambda: {k.value: array("l") for k in MARKER_KINDS})

    def marker_entries(self, kind: str) -> list[int]:
        return list(self.markers.get(kind, ()))

    def bucket(self, width: int, start: int = 1, end: int | None = None) -> list[Bucket]:
        """At most ``width`` buckets over entries ``start``..``end`` (a zoomed view when narrower than the whole)."""
        end = self.length if end is None else min(end, self.length)
        if width <= 0 or end < start:
            return []
        span = end - start + 1
        n = min(width, span)
        out = []
        for i in range(n):
            lo = start + (span * i) // n
            hi = start + (span * (i + 1)) // n - 1
            counts = {}
            for kind, positions in self.markers.items():
                c = bisect.bisect_right(positions, hi) - bisect.bisect_left(positions, lo)
                if c:
                    counts[kind] = c
            out.append(Bucket(lo, hi, hi - lo + 1, counts, self._versions(lo, hi)))
        return out

    def entry_at(self, x: int, width: int, start: int = 1, end: int | None = None) -> int:
        """The entry a click at pixel ``x`` of a ``width``-pixel strip points at."""
        end = self.length if end is None else min(end, self.length)
        span = max(1, end - start + 1)
        x = min(max(0, x), max(0, width - 1))
        return min(end, start + (span * x) // max(1, width))

    def _versions(self, lo: int, hi: int) -> tuple[int, ...]:
        starts = [b.start for b in self.bands]
        i = max(0, bisect.bisect_right(starts, lo) - 1)
        found = []
        while i < len(self.bands) and self.bands[i].start <= hi:
            if self.bands[i].end >= lo and self.bands[i].version not in found:
                found.append(self.bands[i].version)
            i += 1
        return tuple(found)


class Timelines:
    """Timeline summaries of workers, kept up to date by reading only new entries."""

    def __init__(self, store: WorkerStore) -> None:
        self.store = store
        self._cache: dict[UUID, TimelineSummary] = {}
        self._kinds: dict[str, tuple[type, str]] = {}
        self._lock = threading.Lock()  # readers on several threads extend one cache

    def summary(self, wid: UUID) -> TimelineSummary:
        with self._lock:
            s = self._cache.get(wid)
            if s is None:
                s = self._cache[wid] = TimelineSummary()
            self._extend(wid, s)
            return s

    def _kind(self, topic: str) -> tuple[type, str]:
        found = self._kinds.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            found = self._kinds[topic] = (cls, cls.history_kind.value)
        return found

    def _extend(self, wid: UUID, s: TimelineSummary) -> None:
        decode = self.store.decode
        for stored in self.store.stored(wid, s.length + 1):
            entry = stored.originator_version
            cls, kind = self._kind(stored.topic)
            version = None
            if cls is Worker.Created:
                version = vars(decode(stored))["component_version"]
            elif cls is Worker.UpdateSucceeded:
                version = vars(decode(stored))["target_version"]
            if version is not None and (not s.bands or s.bands[-1].version != version):
                if s.bands:
                    last = s.bands[-1]
                    s.bands[-1] = Band(last.start, entry - 1, last.version)
                s.bands.append(Band(entry, entry, version))
            if kind in s.markers:
                s.markers[kind].append(entry)
            s.length = entry
        if s.bands:
            last = s.bands[-1]
            s.bands[-1] = Band(last.start, s.length, last.version)


@dataclass(frozen=True)
class DrainPoint:
    """From ``at`` on, ``counts[version]`` workers ran each version."""

    at: str
    counts: dict[int, int]


def drain(workers: Iterable[Worker]) -> list[DrainPoint]:
    """How many workers of a component ran each version over time (who is still on the old one)."""
    changes: list[tuple[str, int, int]] = []  # (time, version, +1/-1)
    for w in workers:
        version = None
        created = w.created_on.isoformat()
        # The version it was created on: before its first successful update, it ran the from-version.
        successes = [u for u in w.updates if u["type"] == UpdateRecordType.SUCCESSFUL]
        version = successes[0]["fromVersion"] if successes else w.component_version
        changes.append((created, version, +1))
        for u in successes:
            at = u.get("finishedAt") or u["timestamp"]
            changes.append((at, u["fromVersion"], -1))
            changes.append((at, u["targetVersion"], +1))
            version = u["targetVersion"]
        if w.deleted:
            changes.append((_deleted_at(w), version, -1))
    changes.sort(key=lambda c: _when(c[0]))
    counts: dict[int, int] = {}
    points: list[DrainPoint] = []
    for at, version, delta in changes:
        counts[version] = counts.get(version, 0) + delta
        if counts[version] == 0:
            del counts[version]
        if points and points[-1].at == at:
            points[-1] = DrainPoint(at, dict(counts))
        else:
            points.append(DrainPoint(at, dict(counts)))
    return points


def _deleted_at(w: Worker) -> str:
    modified: Any = w.modified_on
    return modified.isoformat() if hasattr(modified, "isoformat") else str(modified)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)
