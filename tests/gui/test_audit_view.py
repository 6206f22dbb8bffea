"""The audit view: every update attempt of every worker, filters, exports, read-only folders."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.gui.audit import QtAuditView
from desktop_app.gui.audit.model import AuditModel, row_date
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk, open_desk
from tests.gui.fixtures_updates import add_counter_versions, counter_desk, desk, folder_fingerprint, ops  # noqa: F401
from tests.wat import counter

REF = "counter/w1"


def _populate(desk: Desk) -> None:
    """counter/w1: succeeded, failed (reverted), failed; other/x: succeeded; counter/w2: pending."""
    assert desk.workers.update(REF, "auto", 1).ok
    assert not desk.workers.update(REF, "manual", 3).ok
    assert not desk.workers.update(REF, "auto", 2).ok
    desk.components.add("other", counter().encode())
    desk.components.add("other", counter().encode())
    desk.workers.create("other", "x", version=0)
    assert desk.workers.update("other/x", "manual", 1).ok
    desk.workers.create("counter", "w2", version=0)
    desk.workers.request_update("counter/w2", "auto", 1)


def _view(qtbot, desk: Desk, ops: Operations) -> QtAuditView:
    view = QtAuditView(desk.workers, ops)
    qtbot.addWidget(view)
    view.resize(1200, 500)
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    return view


def _column(view: QtAuditView, col: int) -> list[str]:
    p = view.proxy
    return [p.data(p.index(r, col)) for r in range(p.rowCount())]


def test_lists_every_update_attempt_of_every_worker(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    # Newest first
    assert _column(view, 1) == ["counter/w2", "other/x", REF, REF, REF]
    assert _column(view, 3) == ["? → 1", "0 → 1", "1 → 2", "1 → 3", "0 → 1"]
    assert _column(view, 5) == ["pending", "succeeded", "failed", "failed, reverted to 1", "succeeded"]
    assert _column(view, 6)[3] == "load" and _column(view, 7)[3] == "this version rejects snapshots"
    assert _column(view, 8)[1] == "8 B"
    assert view.status.text() == "5 update attempts"
    combo = view.component_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All components", "counter", "other"]


def test_filters_by_component_worker_and_outcome(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    view.set_filters(component="other")
    assert _column(view, 1) == ["other/x"]
    view.set_filters(worker="W2")
    assert _column(view, 1) == ["counter/w2"]
    view.set_filters(outcome="failed")
    assert _column(view, 3) == ["1 → 2", "1 → 3"]
    view.set_filters(component="counter", outcome="succeeded")
    assert _column(view, 1) == [REF]
    assert view.status.text() == "1 of 5 update attempts match"
    # The controls drive the same filter
    view.set_filters()
    view.outcome_combo.setCurrentIndex(view.outcome_combo.findData("pending"))
    assert _column(view, 1) == ["counter/w2"]


def test_filters_by_date_range(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    day = row_date(view.shown_rows()[0])
    assert view.date_from.date() == day and view.date_to.date() == day
    view.set_filters(date_from=day.addDays(1), date_to=day.addDays(5))
    assert view.proxy.rowCount() == 0
    view.set_filters(date_from=day.addDays(-3), date_to=day)
    assert view.proxy.rowCount() == 5
    view.set_filters(date_from=day.addDays(-3), date_to=day.addDays(-1))
    assert view.proxy.rowCount() == 0
    # Turning the dates off shows everything again
    view.dates_check.setChecked(False)
    assert view.proxy.rowCount() == 5
    assert not view.date_from.isEnabled()


def test_sorting_by_duration_uses_numbers(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    view.table.sortByColumn(9, Qt.SortOrder.DescendingOrder)
    durations = [r.durationSeconds if r.durationSeconds is not None else -1 for r in view.shown_rows()]
    assert durations == sorted(durations, reverse=True)
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [r.time for r in view.shown_rows()] == sorted(r.time for r in view.shown_rows())


def test_exports_the_shown_rows_as_csv_json_and_html(qtbot, counter_desk: Desk, ops: Operations, tmp_path: Path) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    view.set_filters(outcome="failed")
    out = tmp_path / "exports"
    out.mkdir()
    for fmt in ("csv", "json", "html"):
        with qtbot.waitSignal(view.exported, timeout=10000) as done:
            view.export(fmt, str(out / f"audit.{fmt}"))
        assert done.args == [str(out / f"audit.{fmt}")]
    rows = list(csv.DictReader(io.StringIO((out / "audit.csv").read_text())))
    assert [(r["worker"], r["toVersion"], r["outcome"], r["stage"]) for r in rows] == [
        (REF, "2", "failed", "replay"),
        (REF, "3", "failed", "load"),
    ]
    assert rows[1]["revertedTo"] == "1"
    data = json.loads((out / "audit.json").read_text())
    assert [d["toVersion"] for d in data] == [2, 3]
    assert data[0]["details"].startswith("entry #2")
    page = (out / "audit.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "2 update attempts" in page
    assert "this version rejects snapshots" in page
    assert "<link" not in page and "<script" not in page and "src=" not in page
    assert sorted(p.name for p in out.iterdir()) == ["audit.csv", "audit.html", "audit.json"]
    assert "Exported 2 update attempts" in view.status.text()


def test_the_export_menu_offers_every_format_and_asks_where_to_write(
    qtbot, counter_desk: Desk, ops: Operations, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    view = _view(qtbot, counter_desk, ops)
    assert [a.text() for a in view.export_button.menu().actions()] == ["CSV…", "JSON…", "HTML report…"]
    target = tmp_path / "chosen.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_actions["json"].trigger()
    assert isinstance(json.loads(target.read_text()), list)


def test_the_list_refreshes_after_an_update(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    assert view.model.rowCount() == 0
    with qtbot.waitSignal(view.refreshed, timeout=10000) as refreshed:
        ops.write(Op("Update", counter_desk.workers.update, REF, "auto", 1), changes=("audit",))
    assert refreshed.args == [1]


def test_read_only_data_folder_is_left_untouched(qtbot, ops: Operations, tmp_path: Path) -> None:
    # Given a data folder with update history, closed
    home = tmp_path / "archive"
    writer = open_desk(home)
    add_counter_versions(writer)
    writer.workers.create("counter", "w1", version=0)
    writer.workers.invoke("counter/w1", "increment", ["5"])
    assert writer.workers.update("counter/w1", "auto", 1).ok
    assert not writer.workers.update("counter/w1", "auto", 2).ok
    writer.close()
    before = folder_fingerprint(home)
    assert any(name.endswith((".db", ".sqlite", ".sqlite3")) for name in before), sorted(before)
    # When it is opened read-only, shown in the audit view, filtered and exported elsewhere
    reader = open_desk(home, read_only=True)
    try:
        view = _view(qtbot, reader, ops)
        assert view.model.rowCount() == 2
        assert "read-only" in view.status.text()
        view.set_filters(outcome="failed")
        exports = tmp_path / "exports"
        exports.mkdir()
        for fmt in ("csv", "json", "html"):
            with qtbot.waitSignal(view.exported, timeout=10000):
                view.export(fmt, str(exports / f"audit.{fmt}"))
        assert len(json.loads((exports / "audit.json").read_text())) == 1
        ops.wait_idle()
    finally:
        reader.close()
    # Then no file of the folder was added, removed or changed
    assert folder_fingerprint(home) == before


def test_model_roles(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _populate(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    idx = view.model.index(1, 7)
    assert view.model.data(idx, AuditModel.RowRole).updateId
    assert view.model.data(view.model.index(1, 5), Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert view.model.data(idx, Qt.ItemDataRole.ToolTipRole) == "this version rejects snapshots"
