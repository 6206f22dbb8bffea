"""Time to first paint of the history view: a worker with 100,000 entries against one with 100.

Run with ``python -m tests.benchmarks.bench_history_paint``; ``main()`` returns the figures.
The target is a ratio of at most 2: the lazy model must not depend on the history length.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.widgets.ops import Operations  # noqa: E402
from desktop_app.gui.history import QtHistoryView  # noqa: E402
from domain.bootstrap import Desk, open_desk  # noqa: E402
from tests.gui.fixtures_updates import add_counter_versions, append_invocations  # noqa: E402

BIG = 100_000
SMALL = 100
REPEATS = 5
TARGET_RATIO = 2.0


def build(home: Path) -> float:
    """Create ``counter/big`` (100,000 entries) and ``counter/small`` (100); returns seconds taken."""
    started = time.perf_counter()
    desk = open_desk(home)
    try:
        add_counter_versions(desk)
        for name, entries in (("big", BIG), ("small", SMALL)):
            desk.workers.create("counter", name, version=1)
            append_invocations(desk, f"counter/{name}", entries - 1, batch=5000)
            assert desk.workers.history_length(f"counter/{name}") == entries
    finally:
        desk.close()
    return time.perf_counter() - started


def _wait(app: QApplication, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the history view did not paint in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)


def first_paint(app: QApplication, desk: Desk, ops: Operations, ref: str, expected_rows: int) -> float:
    """Seconds from creating the view to a painted first page of ``ref``'s history."""
    started = time.perf_counter()
    view = QtHistoryView(desk.workers, ops)
    view.resize(1200, 800)
    view.show()
    view.show_worker(ref)
    _wait(app, lambda: view.model.rowCount() == expected_rows)
    view.grab()
    visible = min(expected_rows, 20)
    _wait(app, lambda: all(view.model.is_loaded(r) for r in range(visible)))
    pixmap = view.grab()
    elapsed = time.perf_counter() - started
    assert not pixmap.isNull()
    view.close()
    view.deleteLater()
    ops.wait_idle()
    app.processEvents()
    return elapsed


def main() -> dict[str, Any]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="workerdesk-bench-") as tmp:
        home = Path(tmp) / "home"
        build_seconds = build(home)
        times: dict[str, list[float]] = {"big": [], "small": []}
        for i in range(REPEATS):
            desk = open_desk(home)
            ops = Operations()
            try:
                order = ("small", "big") if i % 2 == 0 else ("big", "small")
                for name in order:
                    rows = BIG if name == "big" else SMALL
                    times[name].append(first_paint(app, desk, ops, f"counter/{name}", rows))
            finally:
                ops.wait_idle()
                desk.close()
    big = statistics.median(times["big"])
    small = statistics.median(times["small"])
    ratio = big / small if small else float("inf")
    figures = {
        "entries_big": BIG,
        "entries_small": SMALL,
        "build_seconds": round(build_seconds, 2),
        "first_paint_big_ms": round(big * 1000, 1),
        "first_paint_small_ms": round(small * 1000, 1),
        "runs_big_ms": [round(t * 1000, 1) for t in times["big"]],
        "runs_small_ms": [round(t * 1000, 1) for t in times["small"]],
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "within_target": ratio <= TARGET_RATIO,
    }
    print(f"history first paint, {BIG:,} entries: {figures['first_paint_big_ms']} ms (median of {REPEATS})")
    print(f"history first paint, {SMALL:,} entries: {figures['first_paint_small_ms']} ms (median of {REPEATS})")
    print(f"ratio: {figures['ratio']} (target <= {TARGET_RATIO}) -> {'OK' if figures['within_target'] else 'TOO SLOW'}")
    print(f"building the histories took {figures['build_seconds']} s")
    return figures


if __name__ == "__main__":
    result = main()
    sys.exit(0 if result["within_target"] else 1)
