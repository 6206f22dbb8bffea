"""The version timeline above the history: read after the first page, refreshed, and a click jumps to the entry."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop_app.gui.history import QtHistoryView
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from tests.gui.fixtures_updates import append_invocations, counter_desk, desk, ops  # noqa: F401

REF = "counter/w1"


def _shown(qtbot, desk: Desk, ops: Operations, ref: str = REF) -> QtHistoryView:
    view = QtHistoryView(desk.workers, ops)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.timeline_loaded, timeout=15000):
        view.show_worker(ref)
    return view


def test_the_strip_is_read_after_the_first_page_of_the_table(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given the order in which the view's background reads start
    started: list[str] = []
    ops.op_started.connect(lambda op: started.append(op.title))
    # When a worker's history is shown
    view = _shown(qtbot, counter_desk, ops)
    # Then the strip covers the whole history, and was read only after a page of the table
    assert view.timeline.summary is not None and view.timeline.summary.length == 3
    assert (view.timeline.start, view.timeline.end) == (1, 3)
    assert "Reading history" in started and "Reading the timeline" in started
    assert started.index("Reading history") < started.index("Reading the timeline")


def test_a_click_on_the_strip_selects_and_scrolls_to_that_entry(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given a worker with 500 entries, shown from the top
    append_invocations(counter_desk, REF, 497, start_total=12)
    view = _shown(qtbot, counter_desk, ops)
    assert view.table.rowAt(5) == 0
    # When the user clicks near the right end of the strip
    x = view.timeline.width() - 2
    expected = view.timeline.entry_at(x)
    assert expected is not None and expected > 450
    with qtbot.waitSignal(view.entry_selected, timeout=5000) as selected:
        qtbot.mouseClick(view.timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, 15))
    # Then that entry is selected and scrolled into view, and its details are shown
    assert selected.args == [expected]
    assert view.table.currentIndex().row() == expected - 1
    assert view.table.rowAt(view.table.viewport().height() // 2) > 400
    qtbot.waitUntil(lambda: f"#{expected}" in view.detail.toPlainText() or str(expected) in view.detail.toPlainText(), timeout=5000)


def test_a_click_on_an_entry_hidden_by_the_filter_clears_the_filter(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _shown(qtbot, counter_desk, ops)
    # Given a filter that hides the creation entry
    with qtbot.waitSignal(view.filter_applied, timeout=5000):
        view.set_filter(kinds=["invocation"])
    assert view.model.row_of(1) is None
    # When the strip asks for entry 1
    with qtbot.waitSignal(view.entry_selected, timeout=5000) as selected:
        view.timeline.entry_clicked.emit(1)
    # Then the filter is cleared and entry 1 is selected
    assert selected.args == [1]
    assert not view.current_filter.active
    assert view.table.currentIndex().row() == 0


def test_new_entries_refresh_the_strip_keeping_the_zoom_and_following_the_end(qtbot, counter_desk: Desk, ops: Operations) -> None:
    append_invocations(counter_desk, REF, 97, start_total=12)
    view = _shown(qtbot, counter_desk, ops)
    # Given a strip zoomed on the end of a 100-entry history
    view.timeline.start, view.timeline.end = 76, 100
    start = 76
    # When the worker gets a new entry through the operations layer
    op = Op("Invoking", counter_desk.workers.invoke, REF, "increment", ["1"])
    with qtbot.waitSignal(view.timeline_loaded, timeout=15000):
        ops.write(op, changes=(f"worker:{REF}",))
    # Then the strip shows it, with the same start and the end followed
    assert view.timeline.summary is not None and view.timeline.summary.length == 101
    assert (view.timeline.start, view.timeline.end) == (start, 101)


def test_another_worker_replaces_the_strip(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.workers.create("counter", "w2", version=1)
    view = _shown(qtbot, counter_desk, ops)
    with qtbot.waitSignal(view.timeline_loaded, timeout=15000):
        view.show_worker("counter/w2")
    assert view.timeline.summary is not None and view.timeline.summary.length == 1
    assert (view.timeline.start, view.timeline.end) == (1, 1)


def test_a_hidden_view_reads_its_strip_only_once_shown(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given a history view that has been shown once and then hidden
    view = _shown(qtbot, counter_desk, ops)
    view.hide()
    started: list[str] = []
    ops.op_started.connect(lambda op: started.append(op.title))
    counter_desk.workers.create("counter", "w2", version=1)
    # When it is told to show another worker while hidden, and its first page is read
    with qtbot.waitSignal(view.located, timeout=10000):
        view.show_worker("counter/w2")
    view.model.data(view.model.index(0, 0))
    qtbot.waitUntil(lambda: view.model.is_loaded(0), timeout=10000)
    qtbot.wait(view.TIMELINE_DELAY_MS + 200)
    # Then the strip is not read until the view is shown again
    assert "Reading the timeline" not in started
    with qtbot.waitSignal(view.timeline_loaded, timeout=15000):
        view.show()
    assert view.timeline.summary is not None and view.timeline.summary.length == 1
