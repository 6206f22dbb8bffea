"""Helpers shared by the benchmark scripts: timing and a temporary workspace."""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import wasmtime

from domain.bootstrap import Desk, open_desk
from tests import wat


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best wall time of ``repeat`` runs: the least disturbed by a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


@contextmanager
def temp_desk(**kwargs: object) -> Iterator[Desk]:
    with tempfile.TemporaryDirectory(prefix="workerdesk-bench-") as tmp:
        desk = open_desk(Path(tmp), **kwargs)
        try:
            yield desk
        finally:
            desk.close()


def counter_binary(**kwargs: object) -> bytes:
    return bytes(wasmtime.wat2wasm(wat.counter(**kwargs)))


def report(title: str, rows: list[tuple[str, float, str, str]]) -> None:
    """Print ``(name, ratio, target, detail)`` rows."""
    print(f"\n== {title}")
    for name, ratio, target, detail in rows:
        print(f"  {name:58} ratio {ratio:7.2f}  (target {target})  {detail}")
