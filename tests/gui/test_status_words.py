"""The status bar ends every command the user gave with its outcome in words.

Background reads end without a word (their view shows what they read); a
command never ends as a bare "<title>: done".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from PySide6.QtCore import Qt

from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.main_window.pages import QtWorkerPage
from desktop_app.gui.time_travel.view import QtTimeTravelView
from desktop_app.gui.updates.view import QtUpdatesView
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.status import QtStatus
from domain.bootstrap import Desk
from tests import wat
from tests.gui.fixtures_updates import counter_desk, desk, ops  # noqa: F401

REF = "counter/w1"


def _ended(qtbot: Any, operations: Operations, status: QtStatus, op: Op | None) -> str:
    """The status bar's words once ``op`` (submitted, its end not yet delivered) has ended."""
    assert op is not None
    ended: list[Op] = []
    # Connected after the status bar, so this runs once the bar has shown the end.
    operations.op_finished.connect(ended.append)
    qtbot.waitUntil(lambda: op in ended and status.current is None, timeout=20000)
    assert op.outcome == "succeeded", op.error
    text = status.text
    assert not text.endswith(": done"), text
    return text


def test_refresh_says_what_the_folder_holds(qtbot: Any, window: QtMainWindow) -> None:
    text = _ended(qtbot, window.ops, window.status, window.refresh())
    assert text == "Refreshed: 1 component, 2 workers"


def test_adding_a_file_names_the_version_it_became(
    qtbot: Any, window: QtMainWindow, to_wasm: Callable[[str], bytes], tmp_path: Path
) -> None:
    path = tmp_path / "counter-v3.wasm"
    path.write_bytes(to_wasm(wat.counter(factor=3)))
    text = _ended(qtbot, window.ops, window.status, window.add_file(path, "counter"))
    assert text == "Added counter-v3.wasm to counter as version 3"


def test_recovery_says_how_many_invocations_it_replayed(qtbot: Any, window: QtMainWindow) -> None:
    text = _ended(qtbot, window.ops, window.status, window.recover_worker(REF))
    assert text == "Recovered counter/w1: replayed 2 invocations"


def test_the_demo_step_on_a_folder_with_data_says_it_created_nothing(qtbot: Any, window: QtMainWindow) -> None:
    pytest.importorskip("domain.demo")
    text = _ended(qtbot, window.ops, window.status, window.create_demo())
    assert "already has components or workers" in text and "failed" not in text


def test_a_history_export_runs_as_a_read_yet_reports_its_outcome(qtbot: Any, window: QtMainWindow, tmp_path: Path) -> None:
    window.navigator.select_key(f"worker:{REF}")
    window.worker_page.show_tab(QtWorkerPage.HISTORY)
    history = window.worker_page.history
    qtbot.waitUntil(lambda: history.model.rowCount() == 3, timeout=10000)
    path = tmp_path / "w1.json"
    op = history.export_json(str(path))
    assert op is not None and op.lane == "read"
    text = _ended(qtbot, window.ops, window.status, op)
    assert text == f"Exported 3 history entries of {REF} to {path}"
    assert len(json.loads(path.read_text())) == 3


def test_an_audit_export_reports_its_outcome(qtbot: Any, window: QtMainWindow, gui_desk: Desk, tmp_path: Path) -> None:
    gui_desk.workers.update(REF, "auto", 1)
    with qtbot.waitSignal(window.audit.refreshed, timeout=10000):
        window.audit.refresh()
    path = tmp_path / "audit.csv"
    text = _ended(qtbot, window.ops, window.status, window.audit.export("csv", str(path)))
    assert text == f"Exported 1 update attempt as CSV to {path}"


def test_a_background_read_ends_without_a_word(qtbot: Any, window: QtMainWindow) -> None:
    window.status.show_message("Earlier words")
    op = window.ops.read(Op("Reading something", lambda: 1))
    qtbot.waitUntil(lambda: op.outcome == "succeeded", timeout=10000)
    qtbot.wait(50)
    assert window.status.text == "Earlier words"


def test_cancelling_a_pending_update_says_which(qtbot: Any, counter_desk: Desk, ops: Any) -> None:  # noqa: F811
    status = QtStatus(ops)
    qtbot.addWidget(status)
    counter_desk.workers.request_update(REF, "auto", 1)
    view = QtUpdatesView(counter_desk.workers, ops)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_worker(REF)
    text = _ended(qtbot, ops, status, view.cancel_selected())
    assert text == "Cancelled the pending update of counter/w1 to version 1"


def test_time_travel_commands_say_what_they_found(qtbot: Any, counter_desk: Desk, ops: Any) -> None:  # noqa: F811
    status = QtStatus(ops)
    qtbot.addWidget(status)
    view = QtTimeTravelView(counter_desk.workers, ops)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.length_known, timeout=10000):
        view.show_worker(REF)
    view.set_position(2)
    with qtbot.waitSignal(view.travelled, timeout=10000):
        qtbot.mouseClick(view.travel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.current is None, timeout=10000)
    assert status.text == "Rebuilt counter/w1 as it was right after entry 2; nothing was written"

    assert view.select_function("get")
    text = _ended(qtbot, ops, status, view.call())
    assert text == "Called get on counter/w1 as of entry 2: 5"

    text = _ended(qtbot, ops, status, view.compare_with_now())
    assert text == "Compared get on counter/w1 then (entry 2) and now: the results differ"
