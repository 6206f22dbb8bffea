"""The history view's background jobs: page reads, locating a worker, export.

They run on the operations layer's read lane, never on the UI thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence
from uuid import UUID

from desktop_app.gui.widgets.files import write_bytes
from domain.services.history_query import read_entries
from domain.services.workers import OplogEntry, Workers


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
