"""Desks for the main-window tests: counter versions and workers in a temporary home.

The data folders are built once per session and copied for each test, so a
test may change its copy freely.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from desktop_app.gui.app import build_main_window
from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.widgets.ops import Operations
from domain.bootstrap import Desk, open_desk
from tests import wat
from tests.conftest import SHARED_COMPILED

INCREMENT = "golem:component/api.{increment}"
BIG_INVOCATIONS = 20_000


def _new_home(root: Path) -> Path:
    """A home whose compiled-component cache is shared by the session."""
    (root / "cache").mkdir(parents=True)
    SHARED_COMPILED.mkdir(parents=True, exist_ok=True)
    (root / "cache" / "compiled").symlink_to(SHARED_COMPILED, target_is_directory=True)
    return root


def append_invocations(desk: Desk, ref: str, count: int) -> None:
    """Record ``count`` calls of ``increment(1)`` in one transaction, as the service would record them."""
    w = desk.workers.worker(ref)
    total = 0
    for _ in range(count):
        total += 1
        w.complete_invocation(INCREMENT, ["1"], str(total), 0.0001, [], "", "")
    desk.workers.save(w)
    desk.workers.forget_instances()


@pytest.fixture(scope="session")
def gui_template(tmp_path_factory: pytest.TempPathFactory, to_wasm: Callable[[str], bytes]) -> Path:
    """counter v0 (no snapshot), v1 (save + load), v2 (diverging); w1 on v0, w2 on v1."""
    home = _new_home(tmp_path_factory.mktemp("gui-template") / "home")
    desk = open_desk(home)
    try:
        desk.components.add("counter", to_wasm(wat.counter(save=False, load=False)), source="counter-v0.wasm")
        desk.components.add("counter", to_wasm(wat.counter()), source="counter-v1.wasm")
        desk.components.add("counter", to_wasm(wat.counter(factor=2)), source="counter-v2.wasm")
        desk.workers.create("counter", "w1", version=0)
        desk.workers.invoke("counter/w1", "increment", ["5"])
        desk.workers.invoke("counter/w1", "increment", ["7"])
        desk.workers.create("counter", "w2", version=1, env={"GREETING": "hi"}, args=["--fast"])
    finally:
        desk.close()
    return home


@pytest.fixture(scope="session")
def big_template(tmp_path_factory: pytest.TempPathFactory, to_wasm: Callable[[str], bytes]) -> Path:
    """counter v0 and v1 and a worker ``counter/big`` with a long history to replay."""
    home = _new_home(tmp_path_factory.mktemp("big-template") / "home")
    desk = open_desk(home)
    try:
        desk.components.add("counter", to_wasm(wat.counter(save=False, load=False)), source="counter-v0.wasm")
        desk.components.add("counter", to_wasm(wat.counter()), source="counter-v1.wasm")
        desk.workers.create("counter", "big", version=0)
        append_invocations(desk, "counter/big", BIG_INVOCATIONS)
        desk.workers.create("counter", "small", version=0)
    finally:
        desk.close()
    return home


def _copy(template: Path, tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(template, dst, symlinks=True)
    return dst


@pytest.fixture
def gui_home(gui_template: Path, tmp_path: Path) -> Path:
    return _copy(gui_template, tmp_path, "home")


def _close(desk: Desk) -> None:
    """Close the windows still open on ``desk`` (after their work ends), then the desk."""
    Windows.close_on(desk)
    desk.close()


@pytest.fixture
def gui_desk(gui_home: Path) -> Iterator[Desk]:
    desk = open_desk(gui_home)
    yield desk
    _close(desk)


@pytest.fixture
def big_desk(big_template: Path, tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(_copy(big_template, tmp_path, "big"))
    yield desk
    _close(desk)


@pytest.fixture
def empty_home(tmp_path: Path) -> Path:
    return _new_home(tmp_path / "empty")


@pytest.fixture
def empty_desk(empty_home: Path) -> Iterator[Desk]:
    desk = open_desk(empty_home)
    yield desk
    _close(desk)


@pytest.fixture
def gui_ops(qapp: Any) -> Iterator[Operations]:
    ops = Operations()
    yield ops
    ops.close()  # see fixtures_updates.ops
    assert ops.wait_idle(), "an operation was still running at teardown"


class Windows:
    """Opens main windows on a desk and closes them (after their work ends) at teardown."""

    all_open: list[QtMainWindow] = []

    def __init__(self, qtbot: Any, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.settings = tmp_path / "gui.ini"
        self.opened: list[QtMainWindow] = []

    def open(self, desk: Desk, settings: Path | None = None, wait: bool = True) -> QtMainWindow:
        window = build_main_window(desk, settings or self.settings)
        self.opened.append(window)
        Windows.all_open.append(window)
        window.show()
        if wait:
            self.qtbot.waitUntil(lambda: window.navigator.has_loaded, timeout=10000)
        return window

    def close(self, window: QtMainWindow) -> None:
        if window in self.opened:
            self.opened.remove(window)
        if window in Windows.all_open:
            Windows.all_open.remove(window)
            window.close()
            window.ops.wait_idle()

    @classmethod
    def close_on(cls, desk: Desk) -> None:
        for window in list(cls.all_open):
            if window.desk is desk:
                window.close()
                window.ops.wait_idle()
                cls.all_open.remove(window)

    def close_all(self) -> None:
        for window in list(self.opened):
            self.close(window)


@pytest.fixture
def windows(qtbot: Any, tmp_path: Path) -> Iterator[Windows]:
    w = Windows(qtbot, tmp_path)
    yield w
    w.close_all()


@pytest.fixture
def window(windows: Windows, gui_desk: Desk) -> QtMainWindow:
    return windows.open(gui_desk)


class ThreadProbe:
    """Records whether the event store and the wasm runtime are ever called on the UI thread."""

    RECORDER_METHODS = ("select_events", "select_notifications", "insert_events", "max_notification_id")
    RUNTIME_METHODS = ("load", "instantiate", "to_binary")

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self._lock = threading.Lock()

    def watch(self, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
        for app_name, app in (("workers", desk.workers), ("components", desk.components)):
            for name in self.RECORDER_METHODS:
                self._wrap(monkeypatch, app.recorder, name, f"{app_name}.recorder.{name}")
        for name in self.RUNTIME_METHODS:
            self._wrap(monkeypatch, desk.runtime, name, f"runtime.{name}")

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, obj: Any, name: str, label: str) -> None:
        original = getattr(obj, name, None)
        if original is None:
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls.append((label, threading.current_thread() is threading.main_thread()))
            return original(*args, **kwargs)

        monkeypatch.setattr(obj, name, wrapper)

    @property
    def on_ui_thread(self) -> list[str]:
        return [label for label, main in self.calls if main]


@pytest.fixture
def thread_probe() -> ThreadProbe:
    return ThreadProbe()
