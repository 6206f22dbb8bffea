"""Fixtures for the history, updates, time-travel and audit widgets.

Import the fixtures you need into a test module
(``from tests.gui.fixtures_updates import desk, ops, counter_desk``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from desktop_app.gui.widgets.ops import Operations
from domain.bootstrap import Desk, open_desk
from tests.wat import counter

INCREMENT = "golem:component/api.{increment}"
GET = "golem:component/api.{get}"

# The bytes ``{"n": 7}`` read as a little-endian i64: a counter multiplying by it
# saves that text as its state snapshot after ``increment(1)``.
JSON_FACTOR = int.from_bytes(b'{"n": 7}', "little")


def add_counter_versions(desk: Desk) -> None:
    """v0 without snapshots, v1 with them, v2 diverging (×2), v3 rejecting snapshots."""
    desk.components.add("counter", counter(save=False, load=False).encode())
    desk.components.add("counter", counter().encode())
    desk.components.add("counter", counter(factor=2).encode())
    desk.components.add("counter", counter(load_behaviour="err").encode())


def append_invocations(desk: Desk, ref: str, count: int, batch: int = 5000, start_total: int = 0) -> int:
    """Append ``count`` recorded ``increment(1)`` calls straight through the aggregate; returns the total."""
    total = start_total
    done = 0
    while done < count:
        w = desk.workers.worker(ref)
        n = min(batch, count - done)
        for _ in range(n):
            total += 1
            w.complete_invocation(INCREMENT, ["1"], str(total), 0.0001, [], "", "")
        desk.workers.save(w)
        done += n
    desk.workers.forget_instances()
    return total


def folder_fingerprint(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Relative path -> (sha256, size, mtime_ns) of every file under ``folder``."""
    out: dict[str, tuple[str, int, int]] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(root) / name
            st = p.stat()
            out[str(p.relative_to(folder))] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
    return out


class UiThreadCalls:
    """Records event-store and wasm-runtime calls made on the UI thread."""

    def __init__(self) -> None:
        self.on_ui_thread: list[str] = []
        self.total = 0
        self._lock = threading.Lock()

    def watch(self, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
        targets: list[tuple[Any, str, str]] = [
            (desk.workers.recorder, "select_events", "workers.recorder.select_events"),
            (desk.workers.recorder, "select_notifications", "workers.recorder.select_notifications"),
            (desk.workers.recorder, "insert_events", "workers.recorder.insert_events"),
            (desk.components.recorder, "select_events", "components.recorder.select_events"),
            (desk.runtime, "instantiate", "runtime.instantiate"),
            (desk.runtime, "load", "runtime.load"),
        ]
        for obj, name, label in targets:
            original = getattr(obj, name)
            monkeypatch.setattr(obj, name, self._wrap(original, label))

    def _wrap(self, original: Any, label: str) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.total += 1
                if threading.current_thread() is threading.main_thread():
                    self.on_ui_thread.append(label)
            return original(*args, **kwargs)

        return wrapper


@pytest.fixture
def desk(qapp: object, tmp_path: Path) -> Iterator[Desk]:
    d = open_desk(tmp_path / "home")
    yield d
    d.close()


@pytest.fixture
def ops(desk: Desk) -> Iterator[Operations]:
    """The operations layer; torn down before the desk closes: closed, so that a timer firing
    meanwhile cannot start a read on a desk being closed (closing a store under a running
    query can crash sqlite), then idle."""
    operations = Operations()
    yield operations
    operations.close()
    assert operations.wait_idle(), "an operation was still running at teardown"


@pytest.fixture
def counter_desk(desk: Desk) -> Desk:
    """Counter versions 0-3 and worker ``counter/w1`` on version 0 after increments 5 and 7."""
    add_counter_versions(desk)
    desk.workers.create("counter", "w1", version=0)
    desk.workers.invoke("counter/w1", "increment", ["5"])
    desk.workers.invoke("counter/w1", "increment", ["7"])
    return desk
