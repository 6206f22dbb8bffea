"""The Overview tab: status, version, dates, environment, counts, last error and update records."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.gui.overview.view import QtOverview
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from domain.model.errors import NotFound


def _overview(qtbot: Any, desk: Desk, ops: Operations, ref: str) -> QtOverview:
    view = QtOverview(desk.workers, ops)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_worker(ref)
    return view


def _cell(view: QtOverview, row: int, col: int) -> str:
    item = view.updates.item(row, col)
    return item.text() if item is not None else ""


def test_shows_status_version_dates_environment_and_counts(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = _overview(qtbot, gui_desk, gui_ops, "counter/w2")
    assert view.status.text() == "Idle"
    assert view.version.text().startswith("1 ")
    assert "UTC" in view.created.text()
    assert view.env.text() == "GREETING=hi"
    assert view.args.text() == "--fast"
    assert view.invocations.text() == "0 succeeded · 0 failed · 0 interrupted"
    assert view.history.text() == "1"
    assert view.last_error.text() == "none"
    assert view.no_updates.isVisibleTo(view) and not view.updates.isVisibleTo(view)


def test_counts_and_last_error_follow_invocations(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = _overview(qtbot, gui_desk, gui_ops, "counter/w1")
    assert view.invocations.text().startswith("2 succeeded")

    # A trap in the write lane; the overview refreshes when told the worker changed
    with qtbot.waitSignal(view.loaded, timeout=10000):
        gui_ops.write(Op("Invoking", gui_desk.workers.invoke, "counter/w1", "boom", []), changes=("worker:counter/w1",))

    assert view.invocations.text() == "2 succeeded · 1 failed · 0 interrupted"
    assert "trapped" in view.last_error.text()
    assert view.last_error.property("role") == "error"
    assert view.history.text() == "4"


def test_update_records_show_outcome_time_target_and_details(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    # w1 on v0: an automatic update to v1 succeeds, then one to v2 diverges
    assert gui_desk.workers.update("counter/w1", "auto", 1).ok
    assert not gui_desk.workers.update("counter/w1", "auto", 2).ok

    view = _overview(qtbot, gui_desk, gui_ops, "counter/w1")

    assert view.version.text().startswith("1 ")
    assert view.updates.rowCount() == 2
    # Newest first
    assert [_cell(view, 0, c) for c in (1, 2, 3, 4)] == ["failed", "automatic", "1", "2"]
    assert "returned" in _cell(view, 0, 5)
    assert [_cell(view, 1, c) for c in (1, 2, 3, 4)] == ["succeeded", "automatic", "0", "1"]
    assert "UTC" in _cell(view, 1, 0)


def test_an_unknown_worker_is_reported(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = QtOverview(gui_desk.workers, gui_ops)
    qtbot.addWidget(view)
    view.show_worker("counter/nobody")
    qtbot.waitUntil(lambda: view.message.isVisibleTo(view), timeout=10000)
    assert "no worker counter/nobody" in view.message.text()


def test_metadata_is_read_without_touching_live_workers(gui_desk: Desk) -> None:
    gui_desk.workers.invoke("counter/w1", "increment", ["1"])
    live_before = dict(gui_desk.workers._live)

    meta = gui_desk.workers.read_metadata("counter/w1")

    assert meta["invocationCount"] == 3
    assert meta == gui_desk.workers.get("counter/w1")
    assert gui_desk.workers._live.keys() == live_before.keys()
    with pytest.raises(NotFound):
        gui_desk.workers.read_metadata("counter/nobody")


def test_access_says_what_the_worker_reaches(qtbot: Any, gui_desk: Desk, gui_ops: Operations, tmp_path: Any) -> None:
    view = _overview(qtbot, gui_desk, gui_ops, "counter/w2")
    assert view.grants.text() == "its own private files, no network"
    folder = tmp_path / "shared"
    folder.mkdir()
    gui_desk.workers.create("counter", "granted", grants={"dir": str(folder), "http": True})
    view = _overview(qtbot, gui_desk, gui_ops, "counter/granted")
    assert view.grants.text() == f"its own private files (started from a copy of {folder}), outgoing HTTP"
