"""Filtering and searching a worker's history: the one query both front ends run.

The GUI's History tab picks kinds and a text (plain or a regular expression,
either case) that it looks for in each entry's readable fields. The CLI's
``worker oplog --query REGEX`` looks, case-sensitively, in each entry's summary
and its recorded data as JSON (as ``--json`` prints it). Both are a
:class:`HistoryQuery`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence
from uuid import UUID

from .history import OplogEntry
from .workers import Workers

# Every kind of history entry, in the order the GUI lists them.
KINDS: tuple[str, ...] = (
    "create",
    "startup",
    "invocation",
    "invocation-failed",
    "interrupted",
    "update-requested",
    "update-started",
    "snapshot-saved",
    "snapshot-loaded",
    "update-succeeded",
    "update-failed",
    "reverted",
    "update-cancelled",
    "deleted",
)


@dataclass(frozen=True)
class HistoryQuery:
    """Which entries to show: a set of kinds and a text or regular expression.

    ``whole_record`` looks in the summary and the entry's data as JSON instead
    of its readable fields (function, arguments, result, message, reason).
    """

    kinds: frozenset[str] | None = None
    text: str = ""
    regex: bool = False
    ignore_case: bool = True
    whole_record: bool = False

    @classmethod
    def cli(cls, expression: str) -> "HistoryQuery":
        """``worker oplog --query``: a case-sensitive regular expression over the whole record."""
        return cls(text=expression, regex=True, ignore_case=False, whole_record=True)

    @property
    def active(self) -> bool:
        return (self.kinds is not None and set(self.kinds) != set(KINDS)) or bool(self.text)

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled text filter; raises ``re.error`` for a bad expression."""
        if not self.text:
            return None
        return re.compile(self.text if self.regex else re.escape(self.text), re.IGNORECASE if self.ignore_case else 0)

    def matcher(self) -> Callable[[OplogEntry], bool]:
        """A test of one entry, the pattern compiled once; raises ``re.error`` for a bad expression."""
        pattern = self.pattern()
        kinds = self.kinds
        fields = _record_fields if self.whole_record else searchable_fields

        def matches(entry: OplogEntry) -> bool:
            if kinds is not None and entry.kind not in kinds:
                return False
            return pattern is None or any(pattern.search(f) for f in fields(entry))

        return matches


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


def _record_fields(entry: OplogEntry) -> list[str]:
    return [entry.summary(), json.dumps(entry.data, default=str)]


def filter_entries(entries: Iterable[OplogEntry], query: HistoryQuery) -> list[OplogEntry]:
    """The entries that pass ``query``; raises ``re.error`` for a bad expression."""
    matches = query.matcher()
    return [e for e in entries if matches(e)]


def scan(
    workers: Workers,
    wid: UUID,
    start: int,
    stop: int,
    query: HistoryQuery,
    progress: Callable[[int, int], None],
) -> tuple[int, list[int]]:
    """History indices in ``[start, stop]`` that pass ``query``; returns ``(stop, indices)``."""
    matches = query.matcher()
    total = max(0, stop - start + 1)
    found: list[int] = []
    for n, entry in enumerate(workers.iter_oplog(wid, start, total), 1):
        if matches(entry):
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
