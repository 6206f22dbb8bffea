"""The history view: a lazy oplog table with filters, version segments, markers, details and export."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QIcon

from desktop_app.gui.history import QtHistoryView
from desktop_app.gui.history.marks import HistoryRole
from desktop_app.gui.history.model import PLACEHOLDER, HistoryModel
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from domain.services.history_query import read_entries
from tests.gui.fixtures_updates import append_invocations, counter_desk, desk, ops  # noqa: F401

REF = "counter/w1"


def _view(qtbot, desk: Desk, ops: Operations) -> QtHistoryView:
    view = QtHistoryView(desk.workers, ops)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    return view


def _show(qtbot, view: QtHistoryView, ref: str = REF) -> None:
    with qtbot.waitSignal(view.located, timeout=10000):
        view.show_worker(ref)
    view.model.data(view.model.index(0, 0))
    qtbot.waitUntil(lambda: view.model.rowCount() == 0 or view.model.is_loaded(0), timeout=10000)


def _column(view: QtHistoryView, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    m = view.model
    return [m.data(m.index(r, col), role) for r in range(m.rowCount())]


def _load_all(qtbot, model: HistoryModel) -> None:
    for r in range(0, model.rowCount(), model.page_size):
        model.data(model.index(r, 0))
    qtbot.waitUntil(lambda: all(model.is_loaded(r) for r in range(model.rowCount())), timeout=10000)


def test_shows_each_entry_with_index_time_version_kind_and_summary(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given counter/w1 with history: created, increment(5), increment(7)
    view = _view(qtbot, counter_desk, ops)
    # When the view shows it
    _show(qtbot, view)
    # Then three rows appear in history order, with the producing version and a summary
    assert view.model.rowCount() == 3
    assert _column(view, HistoryModel.COL_INDEX) == ["1", "2", "3"]
    assert _column(view, HistoryModel.COL_VERSION) == ["0", "0", "0"]
    assert _column(view, HistoryModel.COL_KIND) == ["create", "invocation", "invocation"]
    assert _column(view, HistoryModel.COL_SUMMARY)[2] == "golem:component/api.{increment}(7) -> 12"
    assert "3 entries" in view._status.text()


def test_history_times_are_written_like_every_other_screen_with_milliseconds_in_the_tooltip(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    import re

    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    # The one time format of the GUI (the Overview, Updates and the audit use it too)
    assert view.model.headerData(HistoryModel.COL_TIME, Qt.Orientation.Horizontal) == "Time"
    shown = _column(view, HistoryModel.COL_TIME)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", t) for t in shown), shown
    tips = _column(view, HistoryModel.COL_TIME, Qt.ItemDataRole.ToolTipRole)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \(to the millisecond\)", tips[0]), tips[0]
    assert tips[0].startswith(shown[0][:19])


def test_lazy_model_passes_the_model_tester(qtbot, qtmodeltester, desk: Desk, ops: Operations) -> None:
    # Given a worker with 1,200 entries, read in pages of 100
    from tests.gui.fixtures_updates import add_counter_versions

    add_counter_versions(desk)
    desk.workers.create("counter", "big", version=1)
    append_invocations(desk, "counter/big", 1199)
    model = HistoryModel(desk.workers, ops, page_size=100, max_pages=3)
    w = desk.workers.worker("counter/big")
    model.set_source(w.id, desk.workers.history_length("counter/big"))
    # Then the model is a correct table model before its pages arrive ...
    qtmodeltester.check(model)
    assert model.rowCount() == 1200
    # ... while they arrive (the tester watches dataChanged) and once they are in
    qtbot.waitUntil(lambda: model.is_loaded(0), timeout=10000)
    qtmodeltester.check(model, force_py=True)
    for row in (150, 650, 1199):
        with qtbot.waitSignal(model.page_loaded, timeout=10000):
            model.data(model.index(row, HistoryModel.COL_SUMMARY))
    assert len(model.loaded_pages) == 3
    ops.wait_idle()


def test_reads_only_the_pages_it_is_asked_for(qtbot, desk: Desk, ops: Operations) -> None:
    # Given a worker with 3,000 entries and a view showing it
    from tests.gui.fixtures_updates import add_counter_versions

    add_counter_versions(desk)
    desk.workers.create("counter", "big", version=1)
    append_invocations(desk, "counter/big", 2999)
    view = _view(qtbot, desk, ops)
    _show(qtbot, view, "counter/big")
    model = view.model
    assert model.rowCount() == 3000
    # Then only the first page is in memory, and a far row is a placeholder until its page arrives
    assert model.loaded_pages == [0]
    far = model.index(2500, HistoryModel.COL_SUMMARY)
    with qtbot.waitSignal(model.dataChanged, timeout=10000) as changed:
        assert model.data(far) == PLACEHOLDER
        assert model.data(model.index(2500, HistoryModel.COL_INDEX)) == "2501"
    assert changed.args[0].row() == 2500 and changed.args[1].row() == 2999
    assert model.data(far) == "golem:component/api.{increment}(1) -> 2500"
    assert sorted(model.loaded_pages) == [0, 5]


def test_keeps_a_bounded_number_of_pages(qtbot, desk: Desk, ops: Operations) -> None:
    from tests.gui.fixtures_updates import add_counter_versions

    add_counter_versions(desk)
    desk.workers.create("counter", "big", version=1)
    append_invocations(desk, "counter/big", 999)
    model = HistoryModel(desk.workers, ops, page_size=100, max_pages=2)
    model.set_source(desk.workers.worker("counter/big").id, 1000)
    for page in (0, 3, 7):
        with qtbot.waitSignal(model.page_loaded, timeout=10000):
            model.data(model.index(page * 100, 1))
    # The least recently used page went first
    assert model.loaded_pages == [3, 7]
    assert model.entry(350).index == 351


def test_page_results_are_handled_on_the_ui_thread(qtbot, counter_desk: Desk, ops: Operations) -> None:
    model = HistoryModel(counter_desk.workers, ops)
    model.set_source(counter_desk.workers.worker(REF).id, 3)
    threads: list[bool] = []
    ui = threading.get_ident()
    model.page_loaded.connect(lambda _p: threads.append(threading.get_ident() == ui), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(model.page_loaded, timeout=10000):
        model.data(model.index(0, 1))
    assert threads == [True]


def test_kind_filter_shows_only_the_chosen_kinds(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.workers.update(REF, "auto", 1)
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    assert view.model.rowCount() == 6
    # When only update entries are chosen
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as applied:
        view.set_filter(kinds={"update-requested", "update-succeeded"})
    # Then only those rows are shown, still in history order
    assert applied.args == [2]
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_KIND) == ["update-requested", "update-succeeded"]
    assert _column(view, HistoryModel.COL_INDEX, HistoryRole.Index) == [4, 6]
    assert "Kinds: 2 of" in view._kinds_button.text()
    # And showing every kind again brings every row back
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view._show_all_kinds()
    assert view.model.rowCount() == 6 and not view.model.filtered


def test_text_and_regex_filters_search_functions_arguments_and_results(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.workers.invoke(REF, "get", [])
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    # A plain text filter matches function names
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as applied:
        view.set_filter(text="GET")
    assert applied.args == [1]
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_INDEX) == ["4"]
    # A regular expression matches an argument
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as applied:
        view.set_filter(text=r"^7$", regex=True)
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_INDEX) == ["3"]
    # ... and a result (12 is the result of entries 3 and 4)
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter(text=r"^1[0-9]$", regex=True)
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_INDEX) == ["3", "4"]
    # Kinds and text combine
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter(kinds={"create"}, text="increment")
    assert view.model.rowCount() == 0


def test_an_invalid_regex_is_reported_and_the_rows_stay(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    view.set_filter(text="(", regex=True)
    assert "Invalid regular expression" in view._status.text()
    assert view.model.rowCount() == 3


def test_sparse_filter_results_are_read_lazily(qtbot, desk: Desk, ops: Operations) -> None:
    # Given 3,000 entries, of which every hundredth result matches
    from tests.gui.fixtures_updates import add_counter_versions

    add_counter_versions(desk)
    desk.workers.create("counter", "big", version=1)
    append_invocations(desk, "counter/big", 2999)
    view = _view(qtbot, desk, ops)
    view.model.page_size = 10
    _show(qtbot, view, "counter/big")
    with qtbot.waitSignal(view.filter_applied, timeout=20000) as applied:
        view.set_filter(kinds={"invocation"}, text=r"-> \d*00$", regex=True)
    assert applied.args == [29]
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_SUMMARY)[-1] == "golem:component/api.{increment}(1) -> 2900"
    assert _column(view, HistoryModel.COL_INDEX, HistoryRole.Index)[:3] == [101, 201, 301]
    entries = list(read_entries(desk.workers, view.model.wid, [2, 3, 900, 2999]))
    assert [e.index for e in entries] == [2, 3, 900, 2999]


def test_version_segments_and_update_markers(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given a history with a successful update (0 -> 1), a failed manual update that
    # reverted (load rejected by v3), a failed automatic update (v2 diverges) and a pending one
    w = counter_desk.workers
    assert w.update(REF, "auto", 1).ok
    assert not w.update(REF, "manual", 3).ok
    assert not w.update(REF, "auto", 2).ok
    w.request_update(REF, "manual", 0)
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    kinds = _column(view, HistoryModel.COL_KIND)
    assert kinds == [
        "create", "invocation", "invocation",
        "update-requested", "update-started", "update-succeeded",
        "update-requested", "update-started", "snapshot-saved", "update-failed", "reverted",
        "update-requested", "update-started", "update-failed",
        "update-requested",
    ]  # fmt: skip
    versions = _column(view, 0, HistoryRole.Version)
    assert versions == [0] * 5 + [1] * 10
    # A new version segment starts at the creation and at the successful update
    starts = _column(view, 0, HistoryRole.SegmentStart)
    assert [i + 1 for i, s in enumerate(starts) if s] == [1, 6]
    # The two segments are tinted differently, and each segment start is bold in the version column
    bg = _column(view, 1, Qt.ItemDataRole.BackgroundRole)
    assert isinstance(bg[0], QBrush) and bg[0].color() == bg[4].color() != bg[5].color()
    assert view.model.data(view.model.index(5, HistoryModel.COL_VERSION), Qt.ItemDataRole.FontRole).bold()
    # Update markers: pending, succeeded, failed, reverted
    markers = _column(view, 0, HistoryRole.Marker)
    assert markers[3:6] == ["pending", "pending", "succeeded"]
    assert markers[9:11] == ["failed", "reverted"]
    assert markers[13:] == ["failed", "pending"]
    assert markers[:3] == [None, None, None]
    icons = _column(view, HistoryModel.COL_KIND, Qt.ItemDataRole.DecorationRole)
    assert isinstance(icons[9], QIcon) and icons[1] is None
    assert view.model.data(view.model.index(9, HistoryModel.COL_KIND), Qt.ItemDataRole.ToolTipRole) == "update failed"
    # And the view paints them without errors
    view.show()
    assert not view.grab().isNull()


def test_detail_pane_shows_arguments_result_host_calls_and_output(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    with qtbot.waitSignal(view.entry_selected) as selected:
        view.select_index(3)
    assert selected.args == [3]
    text = view.detail.toPlainText()
    assert "golem:component/api.{increment}" in text
    assert "Arguments" in text and "1. 7" in text
    assert "Result" in text and "12" in text
    assert "Host calls (0)" in text
    assert "stdout" in text and "stderr" in text
    view.select_index(1)
    assert "created on version 0" in view.detail.toPlainText()


def test_exports_the_shown_entries_as_json(qtbot, counter_desk: Desk, ops: Operations, tmp_path: Path) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter(kinds={"invocation"})
    target = tmp_path / "out" / "history.json"
    target.parent.mkdir()
    with qtbot.waitSignal(view.exported, timeout=10000) as done:
        view.export_json(str(target))
    assert done.args == [str(target)]
    data = json.loads(target.read_text())
    assert [d["index"] for d in data] == [2, 3]
    assert data[1]["function"] == "golem:component/api.{increment}" and data[1]["result"] == "12"
    assert data[0]["componentVersion"] == 0
    assert sorted(p.name for p in target.parent.iterdir()) == ["history.json"]


def test_export_to_an_unwritable_place_reports_failure(qtbot, counter_desk: Desk, ops: Operations, tmp_path: Path) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    with qtbot.waitSignal(view.export_failed, timeout=10000) as failed:
        view.export_json(str(tmp_path / "missing-dir" / "x.json"))
    assert "cannot write" in failed.args[0]


def test_new_entries_appear_when_the_worker_changes(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter(text="increment")
    assert view.model.rowCount() == 2
    # When the worker is invoked through the operations layer
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as applied:
        ops.write(Op("Invoke", counter_desk.workers.invoke, REF, "increment", ["1"]), changes=(f"worker:{REF}",))
    # Then the matching new entry is appended, and unfiltered the history grows
    assert applied.args == [3]
    assert view.model.history_length == 4
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter()
    assert view.model.rowCount() == 4
    with qtbot.waitSignal(view.model.rowsInserted, timeout=10000):
        ops.write(Op("Invoke", counter_desk.workers.invoke, REF, "get", []), changes=(f"worker:{REF}",))
    _load_all(qtbot, view.model)
    assert _column(view, HistoryModel.COL_SUMMARY)[-1] == "golem:component/api.{get}() -> 13"


def test_showing_no_worker_clears_the_view(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    _show(qtbot, view)
    view.show_worker(None)
    assert view.model.rowCount() == 0
    assert "No worker" in view._status.text()


@pytest.mark.parametrize("ref", ["counter/nope"])
def test_unknown_worker_is_reported(qtbot, counter_desk: Desk, ops: Operations, ref: str) -> None:
    view = _view(qtbot, counter_desk, ops)
    view.show_worker(ref)
    qtbot.waitUntil(lambda: "no worker" in view._status.text(), timeout=10000)
    assert view.model.rowCount() == 0


def test_the_widgets_never_use_the_event_store_or_wasm_on_the_ui_thread(
    qtbot, counter_desk: Desk, ops: Operations, monkeypatch, tmp_path: Path
) -> None:
    from desktop_app.gui.audit import QtAuditView
    from desktop_app.gui.time_travel import QtTimeTravelView
    from desktop_app.gui.updates import QtUpdateDialog, QtUpdatesView
    from tests.gui.fixtures_updates import UiThreadCalls

    assert not counter_desk.workers.update(REF, "manual", 3).ok  # v0 cannot save: a failed attempt
    calls = UiThreadCalls()
    calls.watch(counter_desk, monkeypatch)
    # History: open, filter, select, export
    history = _view(qtbot, counter_desk, ops)
    _show(qtbot, history)
    with qtbot.waitSignal(history.filter_applied, timeout=10000):
        history.set_filter(text="increment")
    _load_all(qtbot, history.model)
    history.select_index(2)
    with qtbot.waitSignal(history.exported, timeout=10000):
        history.export_json(str(tmp_path / "h.json"))
    # Updates view
    updates = QtUpdatesView(counter_desk.workers, ops)
    qtbot.addWidget(updates)
    with qtbot.waitSignal(updates.loaded, timeout=10000):
        updates.show_worker(REF)
    # Update dialog: report, dry run, update
    dialog = QtUpdateDialog(counter_desk.workers, counter_desk.components, ops, [REF])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "Version 0 →" in dialog.report_text(), timeout=10000)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        dialog.dry_run()
    with qtbot.waitSignal(dialog.update_finished, timeout=10000):
        dialog.start_update()
    # Time travel: rebuild, call, compare
    travel = QtTimeTravelView(counter_desk.workers, ops)
    qtbot.addWidget(travel)
    with qtbot.waitSignal(travel.length_known, timeout=10000):
        travel.show_worker(REF)
    travel.set_position(2)
    with qtbot.waitSignal(travel.travelled, timeout=10000):
        travel.travel()
    travel.select_function("get")
    with qtbot.waitSignal(travel.compared, timeout=10000):
        travel.compare_with_now()
    # Audit
    audit = QtAuditView(counter_desk.workers, ops)
    qtbot.addWidget(audit)
    with qtbot.waitSignal(audit.refreshed, timeout=10000):
        audit.refresh()
    ops.wait_idle()
    assert calls.total > 20
    assert calls.on_ui_thread == []


def test_a_page_read_before_the_history_grew_is_read_again(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given a model showing 3 entries whose first page is being read while the lane is busy
    model = HistoryModel(counter_desk.workers, ops, page_size=100)
    model.set_source(counter_desk.workers.worker(REF).id, 3)
    gate = threading.Event()
    for _ in range(2):
        ops.read(Op("Hold", gate.wait, 10))
    model.data(model.index(0, 1))
    # When two entries are appended and the model grows before that read comes back
    counter_desk.workers.invoke(REF, "increment", ["1"])
    counter_desk.workers.invoke(REF, "get", [])
    model.set_length(5)
    with qtbot.waitSignal(model.page_loaded, timeout=10000):
        gate.set()
    # Then the new rows are not left as placeholders: the page is read again
    assert model.data(model.index(4, HistoryModel.COL_SUMMARY)) == PLACEHOLDER
    qtbot.waitUntil(lambda: model.is_loaded(4), timeout=10000)
    assert model.data(model.index(4, HistoryModel.COL_SUMMARY)) == "golem:component/api.{get}() -> 13"
