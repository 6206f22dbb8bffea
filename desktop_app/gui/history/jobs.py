"""The history view's background jobs: filter scans, page reads, locating a worker, export.

They run on the operations layer's read lane, never on the UI thread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence
from uuid import UUID

from desktop_app.gui.history.marks import KINDS
from desktop_app.gui.widgets.files import write_bytes
from domain.services.workers import OplogEntry, Workers


@dataclass(frozen=True)
class HistoryFilter:
    """Which entries to show: a set of kinds and a text or regular expression."""

    kinds: frozenset[str] | None = None
    text: str = ""
    regex: bool = False

    @property
    def active(self) -> bool:
        return (self.kinds is not None and set(self.kinds) != set(KINDS)) or bool(self.text)

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled text filter; raises ``re.error`` for a bad expression."""
        if not self.text:
            return None
        return re.compile(self.text if self.regex else re.escape(self.text), re.IGNORECASE)


def searchable_fields(entry: OplogEntry) -> list[str]:
    """The texts a filter looks at: function names, arguments, results and the summary."""
    d = entry.data
    fields = [entry.summary()]
    function = d.get("function")
    if function:
        fields.append(function)
        short = re.search(r"\{([^}]*)\}$", function)
        if short:
            fields.append(short.group(1))
    fields.extend(str(a) for a in d.get("args") or ())
    for key in ("result", "message", "reason"):
        value = d.get(key)
        if value is not None:
            fields.append(str(value))
    return fields


def entry_matches(entry: OplogEntry, kinds: frozenset[str] | None, pattern: re.Pattern[str] | None) -> bool:
    if kinds is not None and entry.kind not in kinds:
        return False
    return pattern is None or any(pattern.search(f) for f in searchable_fields(entry))


def scan_history(
    workers: Workers,
    wid: UUID,
    start: int,
    stop: int,
    kinds: frozenset[str] | None,
    pattern: re.Pattern[str] | None,
    progress: Callable[[int, int], None],
) -> tuple[int, list[int]]:
    """History indices in ``[start, stop]`` that pass the filter; returns ``(stop, indices)``."""
    total = max(0, stop - start + 1)
    found: list[int] = []
    for n, entry in enumerate(workers.iter_oplog(wid, start, total), 1):
        if entry_matches(entry, kinds, pattern):
            found.append(entry.index)
        if n % 2000 == 0:
            progress(n, total)
    progress(total, total)
    return stop, found


def _runs(indices: Sequence[int], gap: int = 64) -> list[tuple[int, int]]:
    """Group sorted indices into ranges, bridging gaps shorter than ``gap``."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i - runs[-1][1] <= gap:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b) for a, b in runs]


def read_entries(workers: Workers, wid: UUID, indices: Sequence[int]) -> Iterator[OplogEntry]:
    """The entries at ``indices`` (ascending), read in as few event-store scans as possible."""
    if not indices:
        return
    if isinstance(indices, range) and indices.step == 1:
        yield from workers.iter_oplog(wid, indices.start, len(indices))
        return
    wanted = set(indices)
    for a, b in _runs(indices):
        for entry in workers.iter_oplog(wid, a, b - a + 1):
            if entry.index in wanted:
                yield entry


@dataclass
class PageResult:
    generation: int
    epoch: int
    page: int
    entries: list[OplogEntry]


def read_page(workers: Workers, wid: UUID, indices: Sequence[int], generation: int, epoch: int, page: int) -> PageResult:
    return PageResult(generation, epoch, page, list(read_entries(workers, wid, indices)))


@dataclass(frozen=True)
class Located:
    ref: str
    wid: UUID
    length: int


def locate(workers: Workers, ref: str) -> Located:
    """The worker's stream id and length: pure event-store reads."""
    return Located(ref, workers.worker_id(ref), workers.history_length(ref))


def export_entries(
    workers: Workers, wid: UUID, indices: Sequence[int], path: str, progress: Callable[[int, int], None]
) -> int:
    """Write the entries at ``indices`` to ``path`` as a JSON array; returns how many."""
    total = len(indices)
    count = 0

    def chunks() -> Iterator[bytes]:
        nonlocal count
        yield b"["
        for entry in read_entries(workers, wid, indices):
            yield (",\n  " if count else "\n  ").encode() + json.dumps(entry.to_json(), ensure_ascii=False).encode()
            count += 1
            if count % 2000 == 0:
                progress(count, total)
        yield b"\n]\n"

    write_bytes(path, chunks())
    return count
