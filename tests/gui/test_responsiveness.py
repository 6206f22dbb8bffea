"""Slow work stays off the UI thread: handlers, status bar, cancelling, and a watchdog on the event loop."""

from __future__ import annotations

import gc
import threading
from typing import Any, Callable

import pytest
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Slot

from desktop_app.gui.invoke.view import QtInvokeView
from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.main_window.pages import QtWorkerPage
from desktop_app.gui.navigator import QtNavigator
from desktop_app.gui.overview.view import QtOverview
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.status import QtStatus
from domain.bootstrap import Desk, open_desk
from tests.gui.conftest import BIG_INVOCATIONS

MAX_GAP_MS = 250


class Watchdog(QObject):
    """Ticks every 20 ms on the UI thread and remembers the longest gap between ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(20)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.gaps: list[int] = []

    def start(self) -> None:
        # Whatever earlier tests left on the heap would make a full garbage
        # collection (which pauses every thread) part of the measurement.
        gc.collect()
        gc.freeze()
        self.gaps.clear()
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.unfreeze()

    @Slot()
    def _tick(self) -> None:
        self.gaps.append(self.clock.restart())

    @property
    def max_gap(self) -> int:
        return max(self.gaps, default=0)


def _on_ui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _spy(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, seen: list[tuple[str, bool]]) -> None:
    """Record on which thread ``cls.name`` runs (patched before widgets connect to it)."""
    original: Callable[..., Any] = getattr(cls, name)

    def wrapper(self: Any, *args: Any) -> Any:
        seen.append((f"{cls.__name__}.{name}", _on_ui_thread()))
        return original(self, *args)

    monkeypatch.setattr(cls, name, wrapper)


def _until_cancelled(gate: threading.Event, progress: Callable[[int, int], None]) -> int:
    """Report busy progress every few milliseconds until cancelled (or the gate opens)."""
    n = 0
    while not gate.wait(0.005):
        n += 1
        progress(n, 0)
    return n


# --- threads -------------------------------------------------------------------------------------


def test_op_handlers_run_on_the_ui_thread(qtbot: Any, gui_ops: Operations) -> None:
    seen: list[tuple[str, bool]] = []

    class Receiver(QObject):
        @Slot(object)
        def on_succeeded(self, value: object) -> None:
            seen.append(("slot", _on_ui_thread()))

    receiver = Receiver()
    op = Op("Computing", lambda: threading.current_thread() is threading.main_thread())
    op.started.connect(lambda: seen.append(("lambda started", _on_ui_thread())))
    op.succeeded.connect(lambda value: seen.append(("lambda succeeded", _on_ui_thread())))
    op.succeeded.connect(receiver.on_succeeded)
    gui_ops.op_started.connect(lambda o: seen.append(("op_started", _on_ui_thread())))
    gui_ops.changed.connect(lambda what: seen.append(("changed", _on_ui_thread())))

    with qtbot.waitSignal(gui_ops.op_finished, timeout=10000):
        gui_ops.write(op, changes=("workers",))
    qtbot.waitUntil(lambda: any(name == "changed" for name, _ in seen), timeout=5000)

    assert op.result is False  # the function itself ran off the UI thread
    assert {name for name, _ in seen} == {"lambda started", "lambda succeeded", "slot", "op_started", "changed"}
    assert all(ui for _, ui in seen), seen


def test_widget_handlers_run_on_the_ui_thread(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, windows: Any, gui_desk: Desk
) -> None:
    seen: list[tuple[str, bool]] = []
    for cls, name in (
        (QtNavigator, "_on_loaded"),
        (QtOverview, "_on_loaded"),
        (QtInvokeView, "_on_loaded"),
        (QtInvokeView, "_on_invoked"),
        (QtStatus, "_on_started"),
        (QtStatus, "_on_finished"),
    ):
        _spy(monkeypatch, cls, name, seen)
    window = windows.open(gui_desk)
    window.navigator.select_key("worker:counter/w1")
    window.worker_page.show_tab(QtWorkerPage.INVOKE)
    view = window.worker_page.invoke
    qtbot.waitUntil(lambda: view.signature is not None, timeout=10000)
    view.form.editor("by").set_value(1)

    with qtbot.waitSignal(view.invoked, timeout=10000):
        view.invoke()

    names = {name for name, _ in seen}
    assert {"QtNavigator._on_loaded", "QtOverview._on_loaded", "QtInvokeView._on_invoked", "QtStatus._on_finished"} <= names
    assert all(ui for _, ui in seen), [n for n, ui in seen if not ui]


def test_no_event_store_or_wasm_work_runs_on_the_ui_thread(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, windows: Any, gui_desk: Desk, thread_probe: Any
) -> None:
    thread_probe.watch(gui_desk, monkeypatch)
    window = windows.open(gui_desk)

    # Browse: a worker's overview, its invoke tab, then every other tab
    window.navigator.select_key("worker:counter/w1")
    page = window.worker_page
    qtbot.waitUntil(lambda: page.overview.meta is not None, timeout=10000)
    page.show_tab(QtWorkerPage.INVOKE)
    qtbot.waitUntil(lambda: page.invoke.signature is not None, timeout=10000)
    # Invoke through the form
    page.invoke.form.editor("by").set_value(1)
    with qtbot.waitSignal(page.invoke.invoked, timeout=10000):
        page.invoke.invoke()
    for tab in (QtWorkerPage.HISTORY, QtWorkerPage.UPDATES, QtWorkerPage.TIME_TRAVEL, QtWorkerPage.OVERVIEW):
        page.show_tab(tab)
    window.navigator.select_key("version:counter:1")
    window.audit_action.trigger()
    # Commands: a new worker, a refresh
    with qtbot.waitSignal(window.navigator.loaded, timeout=10000):
        window.create_worker("counter", "w5", 1)
    refresh = window.refresh()
    # Not the navigator's next load: one may still come from the new worker, before the refresh ends
    qtbot.waitUntil(lambda: refresh.outcome is not None, timeout=10000)
    assert refresh.outcome == "succeeded"
    window.ops.wait_idle()

    labels = {label for label, _ in thread_probe.calls}
    assert {"runtime.instantiate", "workers.recorder.insert_events", "workers.recorder.select_notifications"} <= labels
    assert thread_probe.on_ui_thread == []


# --- the status bar ------------------------------------------------------------------------------------


def test_the_status_bar_shows_a_running_op_and_cancel_stops_it(qtbot: Any, window: QtMainWindow) -> None:
    status = window.status
    gate = threading.Event()
    op = Op("Spinning in the background", _until_cancelled, gate)
    assert op.cancellable
    window.ops.write(op)

    qtbot.waitUntil(lambda: status.current is op, timeout=10000)
    assert status.text.startswith("Spinning in the background")
    assert status.bar.isVisibleTo(status) and status.bar.maximum() == 0  # busy: total unknown
    assert status.cancel_button.isVisibleTo(status) and status.cancel_button.isEnabled()

    with qtbot.waitSignal(op.cancelled, timeout=10000):
        qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)

    gate.set()
    qtbot.waitUntil(lambda: status.current is None, timeout=10000)
    assert op.outcome == "cancelled"
    assert status.text == "Spinning in the background: cancelled"
    assert not status.cancel_button.isVisibleTo(status) and not status.bar.isVisibleTo(status)


def test_the_status_bar_shows_progress_and_a_cancel_button_only_when_it_can_cancel(qtbot: Any, window: QtMainWindow) -> None:
    status = window.status
    gate = threading.Event()

    def counted(gate: threading.Event, progress: Callable[[int, int], None]) -> None:
        progress(5, 10)
        gate.wait(30)

    plain = Op("Waiting", gate.wait, 30)
    assert not plain.cancellable
    window.ops.write(plain)
    qtbot.waitUntil(lambda: status.current is plain, timeout=10000)
    assert not status.cancel_button.isVisibleTo(status)
    gate.set()
    qtbot.waitUntil(lambda: status.current is None, timeout=10000)
    assert status.text == "Waiting: done"

    gate.clear()
    measured = Op("Measuring", counted, gate)
    window.ops.write(measured)
    qtbot.waitUntil(lambda: status.current is measured and status.bar.maximum() == 10, timeout=10000)
    assert status.bar.value() == 5
    gate.set()
    qtbot.waitUntil(lambda: status.current is None, timeout=10000)


def test_an_op_cancelled_while_queued_never_runs(qtbot: Any, gui_ops: Operations) -> None:
    gate = threading.Event()
    ran: list[bool] = []
    blocker = Op("Blocking", gate.wait, 30)
    queued = Op("Queued", lambda: ran.append(True))
    gui_ops.write(blocker)
    gui_ops.write(queued)
    queued.cancel()
    with qtbot.waitSignal(queued.finished, timeout=10000):
        gate.set()
    assert queued.outcome == "cancelled" and ran == []


def test_cancel_stops_the_recovery_of_a_long_history(qtbot: Any, windows: Any, big_desk: Desk) -> None:
    window = windows.open(big_desk)
    window.navigator.select_key("worker:counter/big")
    op = window.recover_worker("counter/big")
    assert op.cancellable

    # The status bar shows the replay's progress, then its Cancel button is clicked
    status = window.status
    qtbot.waitUntil(lambda: status.current is op and status.bar.maximum() > 0, timeout=30000)
    assert status.cancel_button.isVisible() and status.text.startswith("Recovering counter/big")
    with qtbot.waitSignal(op.finished, timeout=30000):
        qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)

    assert op.outcome == "cancelled"
    # Nothing was lost: the worker still answers from its full history
    check = Op("Reading", big_desk.workers.invoke, "counter/big", "get", [])
    with qtbot.waitSignal(check.finished, timeout=30000):
        window.ops.write(check)
    assert check.result.result_wave == str(BIG_INVOCATIONS)


# --- the watchdog --------------------------------------------------------------------------------------


def test_the_ui_keeps_ticking_while_a_long_history_is_replayed(qtbot: Any, windows: Any, big_desk: Desk) -> None:
    window = windows.open(big_desk)
    window.navigator.select_key("worker:counter/big")
    dog = Watchdog()
    clock = QElapsedTimer()

    dog.start()
    clock.start()
    op = window.recover_worker("counter/big")
    qtbot.waitUntil(lambda: op.outcome is not None, timeout=120000)
    elapsed = clock.elapsed()
    dog.stop()

    assert op.outcome == "succeeded" and op.result == BIG_INVOCATIONS
    assert elapsed > 200, "the replay was too short to tell anything"
    assert len(dog.gaps) >= elapsed / 20 / 3
    assert dog.max_gap < MAX_GAP_MS, dog.max_gap


def test_the_ui_keeps_ticking_while_wasm_runs_until_its_time_limit(qtbot: Any, windows: Any, gui_home: Any) -> None:
    desk = open_desk(gui_home, time_limit=1.0)
    try:
        window = windows.open(desk)
        window.navigator.select_key("worker:counter/w1")
        window.focus_invoke()
        view = window.worker_page.invoke
        qtbot.waitUntil(lambda: view.signature is not None, timeout=10000)
        view.select_function("spin")
        dog = Watchdog()
        clock = QElapsedTimer()

        dog.start()
        clock.start()
        with qtbot.waitSignal(view.invoke_failed, timeout=60000):
            view.invoke()
        elapsed = clock.elapsed()
        dog.stop()

        assert elapsed >= 900
        assert "time" in view.error.lower()
        assert dog.max_gap < MAX_GAP_MS, dog.max_gap
        qtbot.waitUntil(lambda: window.status.current is None, timeout=10000)
        assert window.status.text.startswith("Invoking spin on counter/w1 failed")
    finally:
        windows.close_all()
        desk.close()
