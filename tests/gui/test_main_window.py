"""The main window: pages, actions, drag and drop, remembered layout, read-only folders, demo."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from desktop_app.gui.app import build_main_window, run_gui
from desktop_app.gui.main_window import QtMainWindow, QtNewWorkerDialog, QtReadOnlyWindow
from desktop_app.gui.main_window.files import name_from_file
from desktop_app.gui.main_window.pages import QtWorkerPage
from desktop_app.gui.settings.dialog import QtSettingsDialog
from domain.bootstrap import Desk, open_desk
from domain.storage.settings import StorageSettings
from tests import wat

HAS_UPDATE_DIALOG = importlib.util.find_spec("desktop_app.gui.updates.dialog") is not None
HAS_AUDIT = importlib.util.find_spec("desktop_app.gui.audit.view") is not None
HAS_DEMO = importlib.util.find_spec("domain.demo") is not None


def _drop(window: QtMainWindow, *paths: Path) -> tuple[bool, bool]:
    """Drag files over the window and drop them; (drag accepted, drop accepted)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


class _Prompt:
    """Stands in for the component-name prompt: records what it offered, answers ``answer``."""

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer
        self.items: list[str] = []

    def __call__(self, parent: Any, title: str, label: str, items: list[str], current: int, editable: bool) -> tuple[str, bool]:
        self.items = list(items)
        chosen = self.answer if self.answer is not None else items[current]
        return chosen, True


def test_the_title_names_the_data_folder(window: QtMainWindow, gui_desk: Desk) -> None:
    assert str(gui_desk.paths.data) in window.windowTitle()
    assert "read-only" not in window.windowTitle()


def test_actions_exist_with_their_shortcuts(window: QtMainWindow) -> None:
    expected = {
        window.add_component_action: "Ctrl+O",
        window.new_worker_action: "Ctrl+N",
        window.invoke_action: "Ctrl+I",
        window.update_action: "Ctrl+U",
        window.refresh_action: "F5",
        window.open_read_only_action: "Ctrl+Shift+O",
        window.settings_action: "Ctrl+,",
        window.quit_action: "Ctrl+Q",
    }
    for action, shortcut in expected.items():
        assert action.shortcut().toString() == shortcut, action.text()
        assert action in window.actions()
    menus = {a.text().replace("&", ""): [x.text() for x in a.menu().actions() if x.text()] for a in window.menuBar().actions()}
    assert "Add component…" in menus["File"] and "Quit" in menus["File"]
    assert "Invoke" in menus["Worker"] and "New worker…" in menus["Worker"]
    assert window.add_component_action in window.toolbar.actions()


def test_actions_follow_the_selection(qtbot: Any, window: QtMainWindow) -> None:
    assert not window.invoke_action.isEnabled() and not window.update_action.isEnabled()
    window.navigator.select_key("worker:counter/w1")
    assert window.invoke_action.isEnabled() and window.update_action.isEnabled()
    window.navigator.select_keys(["worker:counter/w1", "worker:counter/w2"])
    assert window.update_action.text() == "Update 2 workers…"
    window.navigator.select_key("component:counter")
    assert not window.invoke_action.isEnabled()


def test_a_worker_shows_its_tabs_and_a_version_shows_the_component_page(qtbot: Any, window: QtMainWindow) -> None:
    window.navigator.select_key("worker:counter/w2")
    assert window.stack.currentWidget() is window.worker_page
    page = window.worker_page
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Overview", "Invoke", "History", "Updates", "Time travel"]
    assert page.title.text() == "counter/w2"
    qtbot.waitUntil(lambda: page.status_pill.isVisibleTo(page), timeout=10000)
    assert page.status_pill.text() == "Idle" and page.version_pill.text() == "version 1"

    window.navigator.select_key("version:counter:0")
    cp = window.component_page
    assert window.stack.currentWidget() is cp
    assert cp.title.text() == "counter"
    assert cp.versions.rowCount() == 3
    assert cp.selected_version == 0
    assert cp.exports_title.text() == "Exports of version 0"
    functions = [cp.exports.item(r, 0).text() for r in range(cp.exports.rowCount())]
    assert "golem:component/api.{increment}" in functions
    assert cp.exports.item(functions.index("golem:component/api.{increment}"), 1).text() == "func(by: u32) -> u64"
    snapshot = {cp.versions.item(r, 0).text(): cp.versions.item(r, 1).text() for r in range(3)}
    assert snapshot == {"0": "none", "1": "save + load", "2": "save + load"}


def test_dropping_a_wasm_file_adds_a_version_of_the_selected_component(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk, to_wasm: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "counter v3.wasm"
    path.write_bytes(to_wasm(wat.counter(factor=3)))
    prompt = _Prompt()
    monkeypatch.setattr(QInputDialog, "getItem", prompt)
    window.navigator.select_key("worker:counter/w1")

    accepted = _drop(window, path)

    # The file is named as a version of the selected component: the prompt offered
    # that component first, then a name from the file
    assert accepted == (True, True)
    assert prompt.items[:2] == ["counter", "counter-v3"]
    qtbot.waitUntil(lambda: window.navigator.current_key() == "version:counter:3", timeout=15000)
    info = gui_desk.components.get("counter")
    assert [v.version for v in info.versions] == [0, 1, 2, 3]
    assert info.versions[3].source == "counter v3.wasm"
    assert window.stack.currentWidget() is window.component_page


def test_dropping_a_wat_file_under_a_new_name_creates_a_component(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hello.wat"
    path.write_text(wat.counter())
    monkeypatch.setattr(QInputDialog, "getItem", _Prompt("hello"))

    _drop(window, path)

    qtbot.waitUntil(lambda: window.navigator.index_for("version:hello:0").isValid(), timeout=15000)
    assert [c.name for c in gui_desk.components.list()] == ["counter", "hello"]


def test_an_unrelated_file_is_offered_as_a_new_component_not_as_the_selected_one(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hello world.wat"
    path.write_text(wat.counter())
    prompt = _Prompt()
    monkeypatch.setattr(QInputDialog, "getItem", prompt)
    window.navigator.select_key("worker:counter/w1")

    _drop(window, path)

    # The name from the file comes first; the selected component is one pick away
    assert prompt.items[:2] == ["hello-world", "counter"]
    qtbot.waitUntil(lambda: window.navigator.current_key() == "version:hello-world:0", timeout=15000)
    assert len(gui_desk.components.get("counter").versions) == 3


def test_a_file_is_suggested_for_the_component_it_is_a_new_version_of(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk, to_wasm: Any
) -> None:
    gui_desk.components.add("greeter", to_wasm(wat.counter(factor=5)), source="app.wasm")
    with qtbot.waitSignal(window.navigator.loaded, timeout=10000):
        window.refresh()
    window.navigator.select_key("component:counter")

    # A file of the same name as one of greeter's versions: a rebuild of greeter
    assert window.suggested_name(Path("/build/app.wasm")) == "greeter"
    # Named like a component, with or without a version suffix
    assert window.suggested_name(Path("greeter.wasm")) == "greeter"
    assert window.suggested_name(Path("greeter-v2.wasm")) == "greeter"
    assert window.suggested_name(Path("counter_1.2.wat")) == "counter"
    # Anything else: a new component named after the file, whatever is selected
    assert window.suggested_name(Path("greeterish.wasm")) == "greeterish"
    assert window.suggested_name(Path("tool.wasm")) == "tool"
    # The selected component wins among those the file could be a version of
    window.navigator.select_key("component:greeter")
    assert window.suggested_name(Path("counter-v0.wasm")) == "counter"  # counter's own file
    assert window.suggested_name(Path("app.wasm")) == "greeter"


def test_other_files_are_not_accepted(window: QtMainWindow, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert _drop(window, path) == (False, False)


def test_a_broken_component_is_reported_and_nothing_is_added(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.wasm"
    path.write_bytes(b"\0asm garbage")
    monkeypatch.setattr(QInputDialog, "getItem", _Prompt("counter"))

    _drop(window, path)

    qtbot.waitUntil(lambda: window.last_message is not None, timeout=15000)
    assert window.last_message is not None and window.last_message.text()
    assert len(gui_desk.components.get("counter").versions) == 3


def test_names_from_files_are_valid_component_names() -> None:
    assert name_from_file(Path("My Counter (v2).wasm")) == "My-Counter-v2"
    assert name_from_file(Path("...wasm")) == "component"


def test_layout_and_selection_are_restored_in_the_next_window(qtbot: Any, windows: Any, gui_desk: Desk) -> None:
    first = windows.open(gui_desk)
    first.resize(760, 540)
    first.splitter.setSizes([300, 460])
    first.navigator.select_key("worker:counter/w2")
    first.worker_page.show_tab(QtWorkerPage.HISTORY)
    sizes = first.splitter.sizes()
    windows.close(first)

    second = windows.open(gui_desk)

    assert (second.width(), second.height()) == (760, 540)
    assert second.splitter.sizes() == sizes
    qtbot.waitUntil(lambda: second.navigator.current_key() == "worker:counter/w2", timeout=10000)
    assert second.stack.currentWidget() is second.worker_page
    assert second.worker_page.tabs.currentIndex() == QtWorkerPage.HISTORY


def test_invoke_action_opens_the_invoke_tab_of_the_selected_worker(qtbot: Any, window: QtMainWindow) -> None:
    window.navigator.select_key("worker:counter/w1")
    window.invoke_action.trigger()
    assert window.worker_page.tabs.currentIndex() == QtWorkerPage.INVOKE
    qtbot.waitUntil(lambda: window.worker_page.invoke.signature is not None, timeout=10000)


def test_new_worker_dialog_creates_the_worker_and_selects_it(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, QtNewWorkerDialog)
        assert dialog.component.currentText() == "counter"
        dialog.name.setText("w9")
        dialog.version.setCurrentIndex(dialog.version.findData(2))
        dialog.env.setPlainText("A=1\nB=two")
        dialog.args.setPlainText("--x")
        return QDialog.DialogCode.Accepted

    window.exec_dialog = fill
    window.navigator.select_key("component:counter")
    window.new_worker_action.trigger()

    qtbot.waitUntil(lambda: window.navigator.current_key() == "worker:counter/w9", timeout=15000)
    meta = gui_desk.workers.get("counter/w9")
    assert (meta["componentVersion"], meta["env"], meta["args"]) == (2, {"A": "1", "B": "two"}, ["--x"])


def test_the_component_page_starts_a_worker_on_its_selected_version(qtbot: Any, window: QtMainWindow) -> None:
    seen: list[tuple[str, int]] = []

    def cancel(dialog: QDialog) -> int:
        assert isinstance(dialog, QtNewWorkerDialog)
        seen.append((dialog.component.currentText(), int(dialog.version.currentData())))
        return QDialog.DialogCode.Rejected

    window.exec_dialog = cancel
    window.navigator.select_key("version:counter:1")
    qtbot.mouseClick(window.component_page.new_worker_button, Qt.MouseButton.LeftButton)
    assert seen == [("counter", 1)]


def test_new_worker_dialog_checks_its_fields(qtbot: Any, window: QtMainWindow) -> None:
    dialog = QtNewWorkerDialog(window.navigator.components, "counter", 1, window)
    qtbot.addWidget(dialog)
    assert dialog.version.currentData() == 1
    dialog.accept()
    assert dialog.error.text() == "enter a worker name"
    dialog.name.setText("x")
    dialog.env.setPlainText("oops")
    dialog.accept()
    assert "KEY=VALUE" in dialog.error.text()


def _new_worker_dialog(qtbot: Any, window: QtMainWindow, answer: Any) -> list[QtNewWorkerDialog]:
    """Run the New worker dialog as the user would: ``answer(dialog)`` fills it and clicks."""
    seen: list[QtNewWorkerDialog] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, QtNewWorkerDialog)
        seen.append(dialog)
        dialog.show()
        answer(dialog)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15000)
        return dialog.result()

    window.exec_dialog = run
    return seen


def test_a_taken_worker_name_is_reported_in_the_new_worker_dialog_keeping_what_was_typed(
    qtbot: Any, window: QtMainWindow, gui_desk: Desk
) -> None:
    errors: list[str] = []

    def answer(dialog: QtNewWorkerDialog) -> None:
        dialog.name.setText("w1")
        dialog.env.setPlainText("A=1")
        dialog.args.setPlainText("--x")
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
        # Still open, saying why, with everything kept
        assert dialog.isVisible()
        errors.append(dialog.error.text())
        assert dialog.error.isVisible()
        assert (dialog.name.text(), dialog.env.toPlainText(), dialog.args.toPlainText()) == ("w1", "A=1", "--x")
        assert dialog.op is None  # nothing was submitted
        # Another name is then accepted
        dialog.name.setText("w7")
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    seen = _new_worker_dialog(qtbot, window, answer)
    window.navigator.select_key("worker:counter/w1")
    window.new_worker_action.trigger()

    assert errors == ["counter already has a worker named w1: choose another name"]
    assert len(seen) == 1 and window.last_message is None
    qtbot.waitUntil(lambda: window.navigator.current_key() == "worker:counter/w7", timeout=15000)
    assert gui_desk.workers.get("counter/w7")["env"] == {"A": "1"}


def test_a_worker_created_elsewhere_meanwhile_is_reported_in_the_dialog_too(
    qtbot: Any, window: QtMainWindow, gui_home: Path
) -> None:
    other = open_desk(gui_home)
    try:
        other.workers.create("counter", "late", version=1)  # not in the window's list yet
    finally:
        other.close()
    assert "counter/late" not in window.navigator.workers

    def answer(dialog: QtNewWorkerDialog) -> None:
        dialog.name.setText("late")
        dialog.args.setPlainText("--y")
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.op is not None and dialog.op.outcome is not None, timeout=15000)
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
        assert dialog.isVisible() and dialog.create_button.isEnabled()
        assert "already exists" in dialog.error.text() and "\n" not in dialog.error.text()
        assert (dialog.name.text(), dialog.args.toPlainText()) == ("late", "--y")
        dialog.reject()

    seen = _new_worker_dialog(qtbot, window, answer)
    window.navigator.select_key("component:counter")
    assert window.new_worker() is None

    assert len(seen) == 1
    assert window.last_message is None  # reported once, in the dialog


@pytest.mark.skipif(not HAS_UPDATE_DIALOG, reason="the update dialog is not in this build")
def test_update_opens_the_update_dialog_for_every_selected_worker(qtbot: Any, window: QtMainWindow) -> None:
    opened: list[QDialog] = []
    window.exec_dialog = lambda d: opened.append(d) or QDialog.DialogCode.Rejected
    window.navigator.select_keys(["worker:counter/w1", "worker:counter/w2"])

    window.update_action.trigger()

    assert len(opened) == 1
    assert type(opened[0]).__name__ == "QtUpdateDialog"
    assert getattr(opened[0], "refs", None) == ["counter/w1", "counter/w2"]
    opened[0].close()


def test_refresh_shows_what_another_process_added(qtbot: Any, window: QtMainWindow, gui_home: Path) -> None:
    other = open_desk(gui_home)
    try:
        other.workers.create("counter", "elsewhere", version=1)
    finally:
        other.close()
    assert not window.navigator.index_for("worker:counter/elsewhere").isValid()

    window.refresh_action.trigger()

    qtbot.waitUntil(lambda: window.navigator.index_for("worker:counter/elsewhere").isValid(), timeout=10000)


def test_a_data_folder_opened_read_only_shows_its_audit_in_its_own_window(
    qtbot: Any, window: QtMainWindow, gui_template: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "theirs"
    shutil.copytree(gui_template, folder, symlinks=True)
    before = sorted(p.name for p in (folder / "data").iterdir())

    other = window.open_read_only(folder)

    assert isinstance(other, QtReadOnlyWindow)
    assert str(folder) in other.windowTitle() and "read-only" in other.windowTitle()
    assert other.desk.read_only
    if HAS_AUDIT:
        assert type(other.audit).__name__ == "QtAuditView"
    other.close()
    qtbot.waitUntil(lambda: other not in window.read_only_windows, timeout=5000)
    assert sorted(p.name for p in (folder / "data").iterdir()) == before


def test_a_folder_without_data_is_reported(qtbot: Any, window: QtMainWindow, tmp_path: Path) -> None:
    assert window.open_read_only(tmp_path / "nothing-here") is None
    assert window.last_message is not None
    assert "no Worker Desk data" in window.last_message.text()


def test_an_empty_data_folder_offers_a_demo(qtbot: Any, windows: Any, empty_desk: Desk) -> None:
    window = windows.open(empty_desk)
    assert window.banner.isVisibleTo(window)
    if not HAS_DEMO:
        return
    assert window.demo_button.isVisibleTo(window)

    qtbot.mouseClick(window.demo_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: bool(window.navigator.components), timeout=30000)
    assert not window.banner.isVisibleTo(window)
    qtbot.waitUntil(lambda: window.navigator.current_key().startswith("worker:"), timeout=10000)


def test_a_data_folder_with_data_gets_no_banner(window: QtMainWindow) -> None:
    assert not window.banner.isVisibleTo(window)


def test_the_demo_never_touches_a_folder_with_data(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    if not HAS_DEMO:
        pytest.skip("no demo in this build")
    op = window.create_demo()
    assert op is not None
    qtbot.waitUntil(lambda: op.outcome is not None, timeout=10000)
    assert op.outcome == "succeeded" and op.result is None
    assert [c.name for c in gui_desk.components.list()] == ["counter"]


def test_the_audit_dock_toggles(qtbot: Any, window: QtMainWindow) -> None:
    assert not window.audit_dock.isVisible()
    window.audit_action.trigger()
    assert window.audit_dock.isVisible() and window.audit_action.isChecked()
    window.audit_action.trigger()
    assert not window.audit_dock.isVisible()


def test_the_audit_dock_says_in_its_title_what_its_status_line_would(qtbot: Any, window: QtMainWindow, gui_desk: Desk) -> None:
    gui_desk.workers.update("counter/w1", "auto", 1)
    with qtbot.waitSignal(window.audit.refreshed, timeout=10000):
        window.audit_action.trigger()
    # The line under the table is hidden in the dock: its words are in the title bar instead
    assert not window.audit.status.isVisibleTo(window.audit)
    assert window.audit_dock.windowTitle() == "Update audit — 1 update attempt"
    window.audit.set_filters(outcome="failed")
    assert window.audit_dock.windowTitle() == "Update audit — 0 of 1 update attempts match"


def test_settings_are_saved_for_the_next_start(qtbot: Any, gui_desk: Desk) -> None:
    dialog = QtSettingsDialog(gui_desk.paths, StorageSettings())
    qtbot.addWidget(dialog)
    assert not dialog.postgres_box.isVisibleTo(dialog)
    dialog.time_limit.setValue(2.5)
    dialog.memory_limit.setValue(256)
    dialog.storage.setCurrentIndex(1)
    assert dialog.postgres_box.isVisibleTo(dialog)
    dialog.host.setText("db.example")
    dialog.port.setValue(6543)
    dialog.schema.setText("team")

    dialog.accept()

    saved = json.loads(gui_desk.paths.settings_file.read_text())
    assert saved["time_limit"] == 2.5 and saved["memory_limit_mib"] == 256
    assert saved["storage"] == "postgres"
    assert saved["postgres"]["host"] == "db.example" and saved["postgres"]["port"] == 6543
    assert saved["postgres"]["schema"] == "team"
    assert StorageSettings.load(gui_desk.paths).time_limit == 2.5


def test_run_gui_opens_the_window_and_keeps_its_settings_in_the_config_folder(qtbot: Any, gui_home: Path) -> None:
    seen: list[str] = []

    def close_when_shown() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QtMainWindow) and w.isVisible() and w.navigator.has_loaded and str(gui_home) in w.windowTitle():
                seen.append(w.windowTitle())
                w.close()  # the last window: the app's event loop ends by itself
                return
        QTimer.singleShot(50, close_when_shown)

    QTimer.singleShot(50, close_when_shown)
    assert run_gui(home=str(gui_home)) == 0
    assert seen
    assert (gui_home / "config" / "gui.ini").exists()
    assert QApplication.applicationName() == "Worker Desk"
    assert QApplication.organizationName() == "workerdesk"


@pytest.mark.skipif(not HAS_DEMO, reason="no demo in this build")
def test_run_gui_with_demo_fills_an_empty_data_folder(qtbot: Any, empty_home: Path) -> None:
    found: list[list[str]] = []

    def close_when_filled() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QtMainWindow) and w.isVisible() and str(empty_home) in w.windowTitle():
                if w.navigator.workers and not w.ops.running:
                    found.append(sorted(w.navigator.workers))
                    w.close()
                    return
        QTimer.singleShot(50, close_when_filled)

    QTimer.singleShot(50, close_when_filled)
    assert run_gui(home=str(empty_home), demo=True) == 0
    assert found and found[0]
    desk = open_desk(empty_home, read_only=True)
    try:
        assert [c.name for c in desk.components.list()] == ["counter"]
    finally:
        desk.close()


def test_build_main_window_uses_the_given_settings_file(qtbot: Any, gui_desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.ini"
    window = build_main_window(gui_desk, path)
    try:
        window.save_state()
        assert path.exists()
        assert window.settings.fileName() == str(path)
    finally:
        window.close()
        window.ops.wait_idle()


def test_closing_a_read_only_window_never_closes_its_store_under_a_running_read(
    qtbot: Any, window: QtMainWindow, gui_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading

    from desktop_app.gui.widgets.ops import Op

    folder = tmp_path / "theirs"
    shutil.copytree(gui_template, folder, symlinks=True)
    other = window.open_read_only(folder)
    assert other is not None
    other.ops.wait_idle()
    closed: list[bool] = []
    real_close = other.desk.close
    monkeypatch.setattr(other.desk, "close", lambda: closed.append(True))
    monkeypatch.setattr(QtReadOnlyWindow, "CLOSE_WAIT_MS", 200)
    gate = threading.Event()
    # Given a read that is still running when the window closes
    other.ops.read(Op("Reading slowly", gate.wait, 30))
    qtbot.waitUntil(lambda: bool(other.ops.running), timeout=5000)
    other.close()
    # Then the store stays open (it ends with the process); once idle, closing is safe again
    assert closed == []
    gate.set()
    assert other.ops.wait_idle(10000)
    real_close()
