"""Time travel: rebuild a worker at a history entry, call it, and compare with now."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from desktop_app.gui.history import QtHistoryView
from desktop_app.gui.time_travel.view import QtTimeTravelView
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from tests.gui.fixtures_updates import counter_desk, desk, ops  # noqa: F401

REF = "counter/w1"


def _view(qtbot, desk: Desk, ops: Operations) -> QtTimeTravelView:
    view = QtTimeTravelView(desk.workers, ops)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.length_known, timeout=10000):
        view.show_worker(REF)
    return view


def _travel(qtbot, view: QtTimeTravelView, position: int) -> None:
    view.set_position(position)
    with qtbot.waitSignal(view.travelled, timeout=10000) as done:
        qtbot.mouseClick(view.travel_button, Qt.MouseButton.LeftButton)
    assert done.args == [position]


def test_a_past_entry_gives_the_past_value_and_records_nothing(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given increments 5 and 7 (entries 2 and 3)
    view = _view(qtbot, counter_desk, ops)
    assert view.position.maximum() == 3 and view.position.value() == 3
    # When the worker is rebuilt as it was right after entry 2 and get() is called
    _travel(qtbot, view, 2)
    assert "right after entry <b>2</b>" in view.status.text() and "version 0" in view.status.text()
    assert view.select_function("get")
    with qtbot.waitSignal(view.call_finished, timeout=10000) as called:
        qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
    # Then the past value comes back, and the live worker's history is unchanged
    assert called.args == ["5"]
    assert view.then_result.toPlainText() == "5"
    assert counter_desk.workers.history_length(REF) == 3
    assert counter_desk.workers.invoke(REF, "get", []).result_wave == "12"


def test_compare_with_now_shows_both_results_side_by_side(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _travel(qtbot, view, 2)
    view.select_function("get")
    with qtbot.waitSignal(view.compared, timeout=10000) as compared:
        qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    assert compared.args == ["5", "12"]
    assert view.then_result.toPlainText() == "5" and view.now_result.toPlainText() == "12"
    assert "after entry 3" in view.now_title.text()
    assert "differ" in view.verdict.text()
    assert counter_desk.workers.history_length(REF) == 3
    # The creation entry knows nothing yet; at the latest entry both sides agree
    _travel(qtbot, view, 3)
    with qtbot.waitSignal(view.compared, timeout=10000) as compared:
        view.compare_with_now()
    assert compared.args == ["12", "12"]
    assert "The same result" in view.verdict.text()


def test_calls_with_arguments_change_only_the_scratch_copy(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _travel(qtbot, view, 1)
    view.select_function("increment")
    view.args_edit.setText("4")
    with qtbot.waitSignal(view.call_finished, timeout=10000) as called:
        view.call()
    assert called.args == ["4"]
    assert counter_desk.workers.history_length(REF) == 3
    assert counter_desk.workers.invoke(REF, "get", []).result_wave == "12"


def test_bad_arguments_and_traps_are_reported(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _travel(qtbot, view, 3)
    view.select_function("increment")
    view.args_edit.setText('"five"')
    with qtbot.waitSignal(view.failed, timeout=10000) as failed:
        view.call()
    assert "bad arguments" in failed.args[0]
    view.select_function("boom")
    view.args_edit.clear()
    with qtbot.waitSignal(view.failed, timeout=10000):
        view.call()
    # After a trap the past worker is rebuilt for the next call
    view.select_function("get")
    with qtbot.waitSignal(view.call_finished, timeout=10000) as called:
        view.call()
    assert called.args == ["12"]


def test_the_position_follows_the_history_selection(qtbot, counter_desk: Desk, ops: Operations) -> None:
    history = QtHistoryView(counter_desk.workers, ops)
    qtbot.addWidget(history)
    view = _view(qtbot, counter_desk, ops)
    history.entry_selected.connect(view.set_position)
    with qtbot.waitSignal(history.located, timeout=10000):
        history.show_worker(REF)
    qtbot.waitUntil(lambda: history.model.is_loaded(0) or bool(history.model.data(history.model.index(0, 1))), timeout=10000)
    history.select_index(2)
    assert view.position.value() == 2


def test_a_slow_rebuild_can_be_cancelled(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    gate = threading.Event()
    ops.write(Op("Hold", gate.wait, 10))
    view.set_position(2)
    op = view.travel()
    assert op is not None and view.cancel_button.isVisibleTo(view)
    assert not view.travel_button.isEnabled()
    view.cancel()
    assert "cancelled" in view.status.text()
    assert view.travel_button.isEnabled()
    travelled: list[int] = []
    view.travelled.connect(travelled.append)
    with qtbot.waitSignal(op.finished, timeout=10000):
        gate.set()
    assert travelled == [] and view.past_position is None


def test_the_range_grows_with_the_history(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    with qtbot.waitSignal(view.length_known, timeout=10000) as known:
        ops.write(Op("Invoke", counter_desk.workers.invoke, REF, "increment", ["1"]), changes=(f"worker:{REF}",))
    assert known.args == [4] and view.position.maximum() == 4

