"""Links between screens, the workers' context menu, Ctrl+F, the status bar's words and one call per Invoke click."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.main_window.pages import QtWorkerPage
from desktop_app.gui.widgets.formats import held_by_text
from desktop_app.gui.widgets.ops import Op
from domain.bootstrap import Desk

W1 = "counter/w1"


def _select_worker(qtbot: Any, window: QtMainWindow, ref: str = W1) -> None:
    window.navigator.select_key(f"worker:{ref}")
    qtbot.waitUntil(lambda: window.current_worker == ref and window.stack.currentWidget() is window.worker_page)


def _calls(desk: Desk, ref: str = W1) -> list[tuple[str, list[str]]]:
    return [(e.data["function"], e.data["args"]) for e in desk.workers.oplog(ref) if e.kind.startswith("invocation")]


# -- links ---------------------------------------------------------------------------------


def test_an_audit_row_opens_that_update_of_the_worker(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    # Given w1 with a succeeded and then a failed update, and the audit open
    assert gui_desk.workers.update(W1, "auto", 1).ok
    assert not gui_desk.workers.update(W1, "auto", 2).ok
    first = gui_desk.workers.worker(W1).updates[0]["id"]
    window.navigator.reload()
    with qtbot.waitSignal(window.audit.refreshed, timeout=10000):
        window.audit_action.trigger()
    proxy = window.audit.proxy
    row = next(r for r in range(proxy.rowCount()) if window.audit.shown_rows()[r].updateId == first)
    # When the user activates (double-clicks) its row
    window.audit.table.activated.emit(proxy.index(row, 2))
    # Then the worker's Updates tab shows that update selected
    page = window.worker_page
    assert window.current_worker == W1 and page.tabs.currentIndex() == QtWorkerPage.UPDATES
    qtbot.waitUntil(lambda: (page.updates.selected_update() or {}).get("id") == first, timeout=10000)


def test_a_divergences_entry_link_jumps_to_that_history_entry(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    # Given w1's automatic update to v2 diverged, shown in the Updates tab
    assert not gui_desk.workers.update(W1, "auto", 2).ok
    _select_worker(qtbot, window)
    page = window.worker_page
    page.show_tab(QtWorkerPage.UPDATES)
    qtbot.waitUntil(lambda: page.updates.divergence_box.isVisible(), timeout=10000)
    where = page.updates.divergence_where.text()
    entry = int(where.split("href='entry:")[1].split("'")[0])
    assert entry == 2
    # When the user follows the link
    with qtbot.waitSignal(page.history.entry_selected, timeout=10000) as selected:
        page.updates.divergence_where.linkActivated.emit(f"entry:{entry}")
    # Then the History tab shows that entry selected
    assert selected.args == [2]
    assert page.tabs.currentIndex() == QtWorkerPage.HISTORY
    assert page.history.table.currentIndex().row() == 1


# -- the workers' context menu ---------------------------------------------------------------------


def _menu_texts(window: QtMainWindow, ref: str = W1) -> list[str]:
    menu = window.navigator.worker_menu(f"worker:{ref}")
    assert menu is not None
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_a_workers_context_menu_offers_its_commands(qtbot: Any, window: QtMainWindow) -> None:
    assert _menu_texts(window, "counter/w2") == ["Invoke", "Update…", "Dry run…", "Time travel", "Delete worker…"]
    assert window.current_worker == "counter/w2"  # the row right-clicked becomes current
    assert window.navigator.worker_menu("group:counter") is None
    # Time travel opens its tab
    window.time_travel_action.trigger()
    assert window.worker_page.tabs.currentIndex() == QtWorkerPage.TIME_TRAVEL


def test_dry_run_from_the_menu_opens_the_update_dialog_and_runs_one(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    _select_worker(qtbot, window)
    before = gui_desk.workers.history_length(W1)
    outcomes: list[list[Any]] = []

    def run(dialog: QDialog) -> int:
        dialog.dry_run_finished.connect(outcomes.append)
        qtbot.waitUntil(lambda: bool(outcomes), timeout=20000)
        return QDialog.DialogCode.Rejected

    window.exec_dialog = run
    window.dry_run_action.trigger()
    assert len(outcomes) == 1 and outcomes[0][0].outcome.dry_run
    assert gui_desk.workers.history_length(W1) == before  # nothing written


def test_delete_asks_first_and_cancel_keeps_the_worker(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    asked: list[str] = []
    window.exec_dialog = lambda box: asked.append(box.text()) or QMessageBox.StandardButton.Cancel
    _menu_texts(window)
    assert window.delete_current() is None
    assert asked == [f"Delete worker {W1}?"]
    assert gui_desk.workers.read_metadata(W1)["workerId"]["workerName"] == "w1"
    assert window.status.text == f"Kept worker {W1}."


def test_delete_from_the_context_menu_deletes_after_confirmation(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    asked: list[QMessageBox] = []

    def confirm(box: QMessageBox) -> int:
        asked.append(box)
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        return QMessageBox.StandardButton.Yes

    window.exec_dialog = confirm
    menu = window.navigator.worker_menu(f"worker:{W1}")
    assert menu is not None
    delete = next(a for a in menu.actions() if a.text() == "Delete worker…")
    delete.trigger()
    assert len(asked) == 1
    qtbot.waitUntil(lambda: W1 not in window.navigator.workers, timeout=10000)
    assert [m["workerId"]["workerName"] for m in gui_desk.workers.list("counter")] == ["w2"]
    window.ops.wait_idle()
    qtbot.wait(100)
    assert window.status.text == f"Deleted worker {W1}"


# -- Ctrl+F ------------------------------------------------------------------------------------------


def _ctrl_f(qtbot: Any, window: QtMainWindow) -> Any:
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    return QApplication.focusWidget()


def test_ctrl_f_focuses_the_filter_of_the_screen_in_use(qtbot: Any, window: QtMainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    # On a worker's Overview: the navigator's filter
    _select_worker(qtbot, window)
    window.worker_page.show_tab(QtWorkerPage.OVERVIEW)
    window.worker_page.overview.setFocus()
    assert _ctrl_f(qtbot, window) is window.navigator.filter_edit
    # On the History tab: the history's filter
    window.worker_page.show_tab(QtWorkerPage.HISTORY)
    window.worker_page.history.table.setFocus()
    assert _ctrl_f(qtbot, window) is window.worker_page.history.filter_edit
    # In the audit: the audit's filter
    window.audit_action.trigger()
    window.audit.table.setFocus()
    assert _ctrl_f(qtbot, window) is window.audit.worker_edit


# -- the status bar ------------------------------------------------------------------------------------


def test_the_status_bar_reports_the_action_and_not_background_reads(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    # Given w2's manual update saved a state snapshot (showing it is a background read)
    W2 = "counter/w2"
    assert gui_desk.workers.update(W2, "manual", 2).ok
    seen: list[str] = []
    window.status.shown.connect(lambda _op: seen.append(window.status.text))
    _select_worker(qtbot, window, W2)
    page = window.worker_page
    with qtbot.waitSignal(page.updates.snapshot_shown, timeout=10000):
        page.show_tab(QtWorkerPage.UPDATES)
    window.ops.wait_idle()
    qtbot.wait(50)
    # Then the status bar never reports those reads as done
    assert not any("done" in t or t.startswith("Reading") for t in seen + [window.status.text]), seen
    # When the user invokes a function
    window.focus_invoke()
    invoke = page.invoke
    qtbot.waitUntil(lambda: invoke.invoke_button.isEnabled() and invoke.form.signature is not None, timeout=10000)
    invoke.wave_toggle.setChecked(True)
    invoke.wave_edit.setPlainText("4")
    with qtbot.waitSignal(invoke.invoked, timeout=10000):
        qtbot.mouseClick(invoke.invoke_button, Qt.MouseButton.LeftButton)
    # Then the status bar says what was done and how it ended
    qtbot.waitUntil(lambda: window.status.text.startswith("Invoked "), timeout=10000)
    assert window.status.text == f"Invoked increment on {W2}: 8 (history entry #7)"  # v2 doubles


def test_held_by_says_which_process_holds_the_update_and_since_when() -> None:
    held = {"runner": "h:1:x", "host": "builder", "pid": 4242, "since": 0.0, "heartbeat": 100.0}
    assert held_by_text(held, now=103.0) == "process 4242 on builder, since 1970-01-01 00:00:00 UTC (last heartbeat 3 s ago)"
    assert "no longer holds its lease" in held_by_text({"runner": "h:1:x", "host": "builder"})
    assert held_by_text(None) == ""


def test_the_overview_shows_who_holds_an_update_in_progress(qtbot: Any, window: QtMainWindow, gui_desk: Desk, monkeypatch: Any) -> None:
    real = gui_desk.workers.read_metadata

    def held(ref: str) -> dict[str, Any]:
        meta = real(ref)
        if ref == W1:
            meta["heldBy"] = {"runner": "r", "host": "builder", "pid": 77, "since": 1.0e9, "heartbeat": 1.0e9}
        return meta

    monkeypatch.setattr(gui_desk.workers, "read_metadata", held)
    _select_worker(qtbot, window, "counter/w2")
    overview = window.worker_page.overview
    qtbot.waitUntil(lambda: overview.meta is not None and overview.ref == "counter/w2", timeout=10000)
    assert overview.held_by.isHidden()
    _select_worker(qtbot, window)
    qtbot.waitUntil(lambda: overview.held_by.isVisible(), timeout=10000)
    assert overview.held_by.text().startswith("process 77 on builder, since 2001-09-09 01:46:40 UTC")


# -- one call per click ----------------------------------------------------------------------------------


def test_each_click_of_invoke_is_its_own_call_and_a_retried_op_runs_once(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    _select_worker(qtbot, window)
    window.focus_invoke()
    invoke = window.worker_page.invoke
    qtbot.waitUntil(lambda: invoke.invoke_button.isEnabled() and invoke.form.signature is not None, timeout=10000)
    invoke.wave_toggle.setChecked(True)
    invoke.wave_edit.setPlainText("1")
    before = len(_calls(gui_desk))
    ops: list[Op] = []
    window.ops.op_started.connect(lambda op: ops.append(op) if op.title.startswith("Invoking") else None)
    # Two clicks: two calls, each with its own key
    for _ in range(2):
        with qtbot.waitSignal(invoke.invoked, timeout=10000):
            qtbot.mouseClick(invoke.invoke_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: invoke.invoke_button.isEnabled(), timeout=10000)
    assert len(_calls(gui_desk)) == before + 2
    keys = [op.property("idempotency_key") for op in ops]
    assert len(keys) == 2 and keys[0] != keys[1] and all(keys)
    # The first click's op retried with its key: the call is not made again, and the same result comes back
    first = ops[0]
    again = Op(first.title, first.fn, *first.args, **first.kwargs)
    with qtbot.waitSignal(again.finished, timeout=10000):
        window.ops.write(again)
    assert again.outcome == "succeeded" and again.result.result == first.result.result
    assert len(_calls(gui_desk)) == before + 2


def test_the_update_dialogs_divergence_links_to_the_entry_in_the_history(qtbot: Any, window: QtMainWindow) -> None:
    _select_worker(qtbot, window)
    followed: list[str] = []

    def run(dialog: QDialog) -> int:
        # A dry run of the automatic update to v2, which diverges at entry #2
        qtbot.waitUntil(lambda: dialog.target() is not None, timeout=10000)
        dialog.set_mode("auto")
        dialog.set_target(2)
        with qtbot.waitSignal(dialog.dry_run_finished, timeout=20000):
            qtbot.waitUntil(lambda: dialog.dry_run() is not None, timeout=10000)
        where = dialog.divergence_where.text()
        link = where.split("href='")[1].split("'")[0]
        followed.append(link)
        dialog.divergence_where.linkActivated.emit(link)
        return QDialog.DialogCode.Rejected

    window.exec_dialog = run
    with qtbot.waitSignal(window.worker_page.history.entry_selected, timeout=10000) as selected:
        window.open_update_dialog()
    assert followed == ["entry:2"]
    assert selected.args == [2]
    assert window.worker_page.tabs.currentIndex() == QtWorkerPage.HISTORY
