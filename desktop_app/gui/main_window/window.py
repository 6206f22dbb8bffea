"""The main window: navigator on the left, a worker's or component's page on the right.

Over 700 lines, and one thing: the window's chrome (actions, menus, banners)
and its commands (add a component, new worker, update, recover, delete, demo,
settings, open read-only), which all act on the same navigator, pages and
status bar. What stands on its own lives beside it: the audit dock
(``audit_dock.py``), the pages, the dialogs and the file jobs.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.audit import QtAuditView
from desktop_app.gui.main_window.audit_dock import QtAuditDock
from desktop_app.gui.main_window.files import (
    add_component_file,
    component_files,
    create_demo_if_empty,
    demo_available,
    demo_words,
    name_from_file,
    refresh_desk,
    versions_of,
)
from desktop_app.gui.main_window.new_worker import QtNewWorkerDialog
from desktop_app.gui.main_window.pages import QtComponentPage, QtWorkerPage, placeholder
from desktop_app.gui.main_window.read_only import QtReadOnlyWindow
from desktop_app.gui.navigator import QtNavigator
from desktop_app.gui.settings import settings_dialog
from desktop_app.gui.updates import QtUpdateDialog
from desktop_app.gui.widgets.formats import count
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.status import QtStatus
from desktop_app.gui.widgets.style import icon
from domain.bootstrap import Desk, open_desk
from domain.model.errors import WorkerDeskError, one_line
from domain.services.components import VersionInfo

APP_TITLE = "Worker Desk"
SELECT_OR_ADD = (
    "Select a component or a worker on the left.\n\n"
    "To add a component, drop a .wasm or .wat file on this window or press Ctrl+O."
)
SELECT_READ_ONLY = "Select a component or a worker on the left."
NOTHING_READ_ONLY = "There is nothing here: this data folder has no components and no workers."
READ_ONLY_BANNER = "Read-only: this data folder is opened for reading; nothing you do here is written."
READ_ONLY_BANNER_STYLE = (
    "QLabel#readOnlyBanner { background: #fff3cd; color: #664d03; border-bottom: 1px solid #e8c766;"
    " padding: 7px 14px; font-weight: 600; }"
)
class QtMainWindow(QMainWindow):
    """Navigator, pages, audit dock, toolbar, menus and the background-work status bar."""

    read_only_opened = Signal(object)  # QtReadOnlyWindow

    def __init__(self, desk: Desk, ops: Operations, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.settings = settings
        self.read_only_windows: list[QtReadOnlyWindow] = []
        self.exec_dialog: Callable[[QDialog], int] = lambda d: d.exec()
        self.last_message: QMessageBox | None = None
        self._first_load = True
        self.setAcceptDrops(True)
        # The application's name last: window systems append it to a title that does not end with it.
        self.setWindowTitle(f"{desk.paths.data}{' (read-only)' if desk.read_only else ''} — {APP_TITLE}")

        self.navigator = QtNavigator(desk.workers, desk.components, ops, self)
        self.navigator.setMinimumWidth(220)
        self.component_page = QtComponentPage(self)
        self.component_page.set_read_only(desk.read_only)
        self.component_page.new_worker_requested.connect(self.new_worker)
        self.component_page.add_version_requested.connect(self.add_component)
        self.worker_page = QtWorkerPage(desk.workers, desk.components, ops, self)
        self.empty_page = placeholder(SELECT_READ_ONLY if desk.read_only else SELECT_OR_ADD, self)
        self.empty_label = self.empty_page.findChild(QLabel)
        self.stack = QStackedWidget(self)
        for page in (self.empty_page, self.component_page, self.worker_page):
            self.stack.addWidget(page)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([320, 1000])

        self.banner = self._make_banner()
        self.demo_panel = self._make_demo_panel()
        self.read_only_banner = self._make_read_only_banner()
        self.read_only_banner.setVisible(desk.read_only)
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.read_only_banner)
        lay.addWidget(self.banner)
        lay.addWidget(self.demo_panel)
        lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.audit = QtAuditView(desk.workers, ops)
        self.audit_dock = QtAuditDock(self.audit, self, self._page_scroll)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit_dock)
        self.audit_dock.hide()
        self.audit_dock.visibilityChanged.connect(self._on_audit_visible)
        self.audit.update_opened.connect(self.open_worker_update)

        self.status = QtStatus(ops, self)
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(True)

        self._make_actions()
        self._make_menus_and_toolbar()

        self.navigator.set_worker_actions(
            [self.invoke_action, self.update_action, self.dry_run_action, self.time_travel_action, None, self.delete_action]
        )
        self.navigator.current_changed.connect(self._on_current)
        self.navigator.selection_changed.connect(self._update_actions)
        self.navigator.loaded.connect(self._on_loaded)
        ops.changed.connect(self._on_changed)

        self.resize(1280, 820)
        self._restore()
        self._update_actions()
        self.navigator.reload()

    # -- construction ---------------------------------------------------------------------------

    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey | None, slot: Callable[..., Any], tip: str, icon_name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip)
        action.setStatusTip(tip)
        if icon_name:
            action.setIcon(icon(icon_name))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.add_component_action = self._action(
            "Add component…", "Ctrl+O", self.add_component, "Add a component, or a new version of one, from a .wasm or .wat file", "add-component"
        )
        self.new_worker_action = self._action("New worker…", "Ctrl+N", self.new_worker, "Create a worker of a component version", "new-worker")
        self.invoke_action = self._action("Invoke", "Ctrl+I", self.focus_invoke, "Invoke a function of the selected worker", "invoke")
        self.update_action = self._action("Update…", "Ctrl+U", self.open_update_dialog, "Update the selected worker(s) to another version", "update")
        self.dry_run_action = self._action(
            "Dry run…", None, lambda: self.open_update_dialog(dry_run=True), "Try an update of the selected worker(s) without writing anything"
        )
        self.time_travel_action = self._action(
            "Time travel", None, self.focus_time_travel, "Look at the selected worker as it was at an earlier history entry"
        )
        self.delete_action = self._action("Delete worker…", None, self.delete_current, "Delete the selected worker (asks first)")
        self.find_action = self._action("Find", QKeySequence.StandardKey.Find, self.focus_filter, "Filter what this screen shows")
        self.recover_action = self._action("Recover from history", None, self.recover_current, "Rebuild the selected worker from its history now", "recover")
        self.refresh_action = self._action("Refresh", "F5", self.refresh, "Re-read components and workers from the data folder", "refresh")
        self.audit_action = self._action("Update audit", "Ctrl+Shift+A", self._toggle_audit, "Show every update attempt across all workers", "audit")
        self.audit_action.setCheckable(True)
        self.open_read_only_action = self._action(
            "Open data folder read-only…", "Ctrl+Shift+O", self.open_read_only, "Open another data folder's audit without changing it", "open-readonly"
        )
        self.settings_action = self._action("Settings…", "Ctrl+,", self.open_settings, "Limits and storage", "settings")
        self.open_folder_action = self._action("Show data folder", None, self.show_data_folder, "Open the data folder in the file manager")
        self.quit_action = self._action("Quit", "Ctrl+Q", self.close, "Quit Worker Desk")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)

    def _make_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.add_component_action, None, self.open_read_only_action, self.open_folder_action, None, self.settings_action, None, self.quit_action):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)
        worker_menu = bar.addMenu("&Worker")
        for a in (
            self.new_worker_action, None, self.invoke_action, self.update_action, self.dry_run_action,
            self.time_travel_action, self.recover_action, None, self.delete_action,
        ):  # fmt: skip
            worker_menu.addSeparator() if a is None else worker_menu.addAction(a)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.audit_action)

        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (
            self.add_component_action,
            self.new_worker_action,
            None,
            self.invoke_action,
            self.update_action,
            None,
            self.refresh_action,
            self.audit_action,
            None,
            self.open_read_only_action,
            self.settings_action,
        ):
            self.toolbar.addSeparator() if a is None else self.toolbar.addAction(a)
        self.addToolBar(self.toolbar)
        self._toolbar_wide = self.toolbar.sizeHint().width()  # with words beside the icons

    def _make_read_only_banner(self) -> QLabel:
        """The bar under the toolbar of a data folder opened read-only."""
        bar = QLabel(READ_ONLY_BANNER, self)
        bar.setObjectName("readOnlyBanner")
        bar.setStyleSheet(READ_ONLY_BANNER_STYLE)
        bar.setWordWrap(True)
        return bar

    def _make_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("banner")
        text = QLabel(
            "This data folder is empty. Add a component (Ctrl+O, or drop a .wasm file here), "
            "or start from a small demo workspace.",
            banner,
        )
        text.setWordWrap(True)
        self.demo_button = QPushButton("Create a demo workspace", banner)
        self.demo_button.setProperty("primary", True)
        self.demo_button.clicked.connect(self.create_demo)
        close = QPushButton("Dismiss", banner)
        close.clicked.connect(banner.hide)
        lay = QHBoxLayout(banner)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(10)
        lay.addWidget(text, 1)
        lay.addWidget(self.demo_button)
        lay.addWidget(close)
        outer = QFrame(self)
        outer_lay = QVBoxLayout(outer)
        outer_lay.setContentsMargins(10, 10, 10, 2)
        outer_lay.addWidget(banner)
        outer.hide()
        close.clicked.connect(outer.hide)
        return outer

    def _make_demo_panel(self) -> QFrame:
        """What to try in the demo workspace: stays until dismissed."""
        outer = QFrame(self)
        outer.setObjectName("demoPanel")
        panel = QFrame(outer)
        panel.setObjectName("banner")
        self.demo_text = QLabel(panel)
        self.demo_text.setWordWrap(True)
        self.demo_text.setTextFormat(Qt.TextFormat.RichText)
        self.demo_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_dismiss = QPushButton("Dismiss", panel)
        self.demo_dismiss.setToolTip("Hide these suggestions")
        self.demo_dismiss.clicked.connect(outer.hide)
        lay = QHBoxLayout(panel)
        lay.setContentsMargins(14, 8, 14, 8)
        lay.setSpacing(10)
        lay.addWidget(self.demo_text, 1)
        lay.addWidget(self.demo_dismiss, 0, Qt.AlignmentFlag.AlignTop)
        outer_lay = QVBoxLayout(outer)
        outer_lay.setContentsMargins(10, 8, 10, 2)
        outer_lay.addWidget(panel)
        outer.hide()
        return outer

    def show_demo_suggestions(self, notes: list[str]) -> None:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        self.demo_text.setText(
            "<b>The demo workspace is ready. Things to try:</b>"
            f"<ul style='margin-top:2px; margin-bottom:0px; margin-left:-20px'>{items}</ul>"
        )
        self.demo_panel.setVisible(bool(notes))

    # -- state ------------------------------------------------------------------------------------

    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, (QByteArray, bytes)):
            self.restoreGeometry(QByteArray(geometry))
        state = s.value("window/state")
        if isinstance(state, (QByteArray, bytes)):
            self.restoreState(QByteArray(state))
        splitter = s.value("window/splitter")
        if isinstance(splitter, (QByteArray, bytes)):
            self.splitter.restoreState(QByteArray(splitter))
        self.audit_action.setChecked(self.audit_dock.isVisibleTo(self) if self.isVisible() else bool(s.value("window/audit", False, bool)))
        if self.audit_action.isChecked():
            self.audit_dock.show()
        tab = s.value("worker/tab", 0, int)
        if isinstance(tab, int) and 0 <= tab < self.worker_page.tabs.count():
            self.worker_page.tabs.setCurrentIndex(tab)
        key = s.value("navigator/current", "", str)
        if key:
            self.navigator.select_key(str(key))

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/audit", self.audit_dock.isVisible())
        s.setValue("worker/tab", self.worker_page.tabs.currentIndex())
        s.setValue("navigator/current", self.navigator.current_key())
        s.sync()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_toolbar()
        if event.size().height() < event.oldSize().height():
            # After the layout has taken the new size: a dock resized now would be undone by it.
            QTimer.singleShot(0, self, lambda: self.audit_dock.fit(shrink_only=True))

    def _fit_toolbar(self) -> None:
        """Words beside the icons when they all fit, else icons only (their words in tooltips):
        nothing hides behind an overflow button that would unfold over the page."""
        wide = self.width() >= self._toolbar_wide + 16
        style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon if wide else Qt.ToolButtonStyle.ToolButtonIconOnly
        if self.toolbar.toolButtonStyle() != style:
            self.toolbar.setToolButtonStyle(style)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        for w in list(self.read_only_windows):
            w.close()
        self.ops.close()
        super().closeEvent(event)

    # -- navigation ---------------------------------------------------------------------------------

    @property
    def current_worker(self) -> str | None:
        kind, _, name = self.navigator.current_key().partition(":")
        return name if kind == "worker" else None

    @Slot(str)
    def _on_current(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "worker":
            self.worker_page.show_worker(name)
            self.stack.setCurrentWidget(self.worker_page)
        elif kind in ("component", "group", "version"):
            component, version = name, None
            if kind == "version":
                component, _, n = name.rpartition(":")
                version = int(n)
            self.component_page.show_component(
                self.navigator.components.get(component), version, self._workers_per_version(component)
            )
            self.stack.setCurrentWidget(self.component_page)
        else:
            self.stack.setCurrentWidget(self.empty_page)
        self.settings.setValue("navigator/current", key)
        self._update_actions()

    def _workers_per_version(self, component: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for meta in self.navigator.workers.values():
            version = meta.get("componentVersion")
            if meta["workerId"]["componentName"] == component and isinstance(version, int):
                counts[version] = counts.get(version, 0) + 1
        return counts

    @Slot()
    def _on_loaded(self) -> None:
        if self.stack.currentWidget() is self.component_page:
            self._on_current(self.navigator.current_key())
        empty = not self.navigator.components and not self.navigator.workers
        if self.desk.read_only and self.empty_label is not None:
            self.empty_label.setText(NOTHING_READ_ONLY if empty else SELECT_READ_ONLY)
        if self._first_load:
            self._first_load = False
            if empty and not self.desk.read_only:
                self.demo_button.setVisible(demo_available())
                self.banner.show()
        elif self.navigator.components:
            self.banner.hide()
        self._update_actions()

    @Slot()
    def _update_actions(self) -> None:
        writable = not self.desk.read_only
        worker = self.current_worker is not None
        self.add_component_action.setEnabled(writable)
        self.new_worker_action.setEnabled(writable and bool(self.navigator.components))
        self.invoke_action.setEnabled(worker)
        self.recover_action.setEnabled(writable and worker)
        self.time_travel_action.setEnabled(worker)
        self.delete_action.setEnabled(writable and worker)
        refs = self.navigator.selected_worker_refs()
        self.update_action.setEnabled(writable and bool(refs or worker))
        self.dry_run_action.setEnabled(bool(refs or worker))
        n = len(refs)
        self.update_action.setText(f"Update {n:,} workers…" if n > 1 else "Update…")

    @Slot(str)
    def _on_changed(self, what: str) -> None:
        if what in ("audit", "workers") and self.audit_dock.isVisible():
            self.audit.refresh()

    @Slot(bool)
    def _on_audit_visible(self, visible: bool) -> None:
        self.audit_action.setChecked(visible)
        if visible:
            self.audit.refresh()
            self.audit_dock.fit()

    def _page_scroll(self) -> QScrollArea | None:
        """The scroll area of the worker page's tab on show (the page the audit shares the height with)."""
        page = self.stack.currentWidget()
        tab = page.tabs.currentWidget() if isinstance(page, QtWorkerPage) else None
        return tab if isinstance(tab, QScrollArea) else None

    @Slot()
    def _toggle_audit(self) -> None:
        self.audit_dock.setVisible(self.audit_action.isChecked())
        if self.audit_dock.isVisible():
            self.audit_dock.raise_()

    # -- commands ---------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> Op:
        op = Op("Refreshing", refresh_desk, self.desk)
        op.done_words = lambda n: f"Refreshed: {count(n[0], 'component')}, {count(n[1], 'worker')}"
        return self.ops.write(op, changes=("components", "workers", "audit"))

    def add_component(self, component: str | None = None) -> Op | None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a component", str(Path.home()), "WebAssembly components (*.wasm *.wat);;All files (*)"
        )
        if not path:
            return None
        default = component or None
        return self.add_file(Path(path), default)

    def add_file(self, path: Path, name: str | None = None) -> Op | None:
        """Ask for the component name (unless given) and add ``path`` as its next version."""
        if name is None:
            name = self.ask_component_name(path)
            if not name:
                return None
        op = Op(f"Adding {path.name} to {name}", add_component_file, self.desk, name, path)
        op.done_words = lambda info: f"Added {path.name} to {info.component} as version {info.version}"
        op.succeeded.connect(self._on_added)
        op.setProperty("what", "Add component")
        op.failed.connect(self._on_op_failed)
        return self.ops.write(op, changes=("components",))

    def suggested_name(self, path: Path) -> str:
        """The component a file looks like a new version of (the selected one first), else a name from the file."""
        candidates = versions_of(path, self.navigator.components)
        selected = self.navigator.current_component()
        if selected in candidates:
            return selected
        return candidates[0] if candidates else name_from_file(path)

    def ask_component_name(self, path: Path) -> str | None:
        """The component ``path`` should be added to: a new name, or an existing one for a new version."""
        suggested = self.suggested_name(path)
        selected = self.navigator.current_component()
        others = [name_from_file(path), *([selected] if selected else []), *sorted(self.navigator.components)]
        items = list(dict.fromkeys([suggested, *others]))
        text, ok = QInputDialog.getItem(
            self,
            "Add component",
            f"Add {path.name} to component (an existing one gets a new version, a new name is a new component):",
            items,
            0,
            True,
        )
        text = text.strip()
        return text if ok and text else None

    @Slot(object)
    def _on_added(self, info: VersionInfo) -> None:
        self.navigator.select_key(f"version:{info.component}:{info.version}")

    def new_worker(self, component: str | None = None, version: int | None = None) -> Op | None:
        if not self.navigator.components:
            self.show_message("New worker", "Add a component first (Ctrl+O).")
            return None
        dialog = QtNewWorkerDialog(
            self.navigator.components,
            component or self.navigator.current_component(),
            version,
            self,
            workers=self.navigator.workers,
            create=self._worker_op,
            ops=self.ops,
        )
        accepted = self.exec_dialog(dialog) == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return None
        if dialog.op is not None:
            return dialog.op
        # Accepted without creating (an exec_dialog that answers for the user): create it now.
        return self.create_worker(*dialog.values())

    def create_worker(
        self, component: str, name: str, version: int | None = None, env: dict[str, str] | None = None, args: list[str] | None = None
    ) -> Op:
        """Create a worker in the background; a failure is shown in a message box."""
        op = self._worker_op(component, name, version, env, args)
        op.failed.connect(self._on_op_failed)
        return self.ops.write(op, changes=("workers",))

    def _worker_op(
        self, component: str, name: str, version: int | None = None, env: dict[str, str] | None = None, args: list[str] | None = None
    ) -> Op:
        """The (unsubmitted) op creating a worker; the worker is selected once it exists."""
        op = Op(f"Creating worker {component}/{name}", self.desk.workers.create, component, name, version, env or {}, args or [])
        op.setProperty("ref", f"{component}/{name}")
        op.setProperty("what", "New worker")
        op.done_words = lambda meta: f"Created worker {component}/{name} on version {meta['componentVersion']}"
        op.succeeded.connect(self._on_worker_created)
        return op

    @Slot(object)
    def _on_worker_created(self, meta: dict[str, Any]) -> None:
        ref = f"{meta['workerId']['componentName']}/{meta['workerId']['workerName']}"
        self.navigator.select_key(f"worker:{ref}")

    @Slot()
    def focus_invoke(self) -> None:
        if self.current_worker is None:
            return
        self.stack.setCurrentWidget(self.worker_page)
        self.worker_page.show_tab(QtWorkerPage.INVOKE)
        self.worker_page.invoke.focus_form()

    def open_update_dialog(self, dry_run: bool = False) -> QDialog | None:
        """The update dialog for the selected workers; with ``dry_run``, a dry run starts once the report is in."""
        refs = self.navigator.selected_worker_refs() or ([self.current_worker] if self.current_worker else [])
        if not refs:
            return None
        dialog = QtUpdateDialog(self.desk.workers, self.desk.components, self.ops, refs, self)
        if dry_run:
            started: list[bool] = []

            def start() -> None:
                if not started:
                    started.append(True)
                    dialog.dry_run()

            dialog.report_ready.connect(start)
        jump: list[tuple[str, int]] = []

        def look_at(ref: str, entry: int) -> None:
            jump.append((ref, entry))
            dialog.reject()

        dialog.entry_link_activated.connect(look_at)
        self.exec_dialog(dialog)
        if jump and not dialog.running:
            self.open_worker_entry(*jump[-1])
        return dialog

    def open_worker_entry(self, ref: str, entry: int) -> None:
        """Show worker ``ref``'s History tab with entry ``entry`` selected."""
        if ref not in self.navigator.workers:
            self.status.show_message(f"Worker {ref} is no longer in this data folder.")
            return
        self.navigator.select_key(f"worker:{ref}")
        self.stack.setCurrentWidget(self.worker_page)
        self.worker_page.open_entry(entry)

    @Slot()
    def focus_time_travel(self) -> None:
        if self.current_worker is None:
            return
        self.stack.setCurrentWidget(self.worker_page)
        self.worker_page.show_tab(QtWorkerPage.TIME_TRAVEL)

    def open_worker_update(self, ref: str, update_id: str) -> None:
        """Show worker ``ref``'s Updates tab with update ``update_id`` selected."""
        if ref not in self.navigator.workers:
            self.status.show_message(f"Worker {ref} is no longer in this data folder.")
            return
        self.navigator.select_key(f"worker:{ref}")
        self.stack.setCurrentWidget(self.worker_page)
        self.worker_page.open_update(update_id)

    @Slot()
    def focus_filter(self) -> QWidget:
        """Ctrl+F: the filter of the screen in use — the audit's, the History tab's, else the navigator's."""
        focused = QApplication.focusWidget()
        target: QWidget = self.navigator.filter_edit
        if self.audit_dock.isVisible() and focused is not None and self.audit_dock.isAncestorOf(focused):
            target = self.audit.worker_edit
        elif (
            self.stack.currentWidget() is self.worker_page
            and self.worker_page.tabs.currentIndex() == QtWorkerPage.HISTORY
            and not (focused is not None and self.navigator.isAncestorOf(focused))
        ):
            target = self.worker_page.history.filter_edit
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if isinstance(target, QLineEdit):
            target.selectAll()
        return target

    @Slot()
    def delete_current(self) -> Op | None:
        ref = self.current_worker
        return None if ref is None else self.delete_worker(ref)

    def delete_worker(self, ref: str) -> Op | None:
        """Ask, then delete worker ``ref`` in the background."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete worker",
            f"Delete worker {ref}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "It can no longer be invoked or updated and leaves the list of workers. "
            "Its history stays in the data folder for the audit. This cannot be undone."
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = self.exec_dialog(box)
        box.deleteLater()
        if answer != QMessageBox.StandardButton.Yes:
            self.status.show_message(f"Kept worker {ref}.")
            return None
        op = Op(f"Deleting worker {ref}", self.desk.workers.delete, ref)
        op.setProperty("what", "Delete worker")
        op.done_words = lambda _r: f"Deleted worker {ref}"
        op.failed.connect(self._on_op_failed)
        return self.ops.write(op, changes=("workers", "audit"))

    @Slot()
    def recover_current(self) -> Op | None:
        ref = self.current_worker
        return None if ref is None else self.recover_worker(ref)

    def recover_worker(self, ref: str) -> Op:
        """Rebuild ``ref`` from its history in the background (cancellable)."""
        op = Op(f"Recovering {ref}", self.desk.workers.recover, ref)
        op.setProperty("what", "Recover")
        op.setProperty("ref", ref)
        op.done_words = lambda n: f"Recovered {ref}: replayed {count(n, 'invocation')}"
        op.failed.connect(self._on_op_failed)
        return self.ops.write(op, changes=(f"worker:{ref}",))

    @Slot()
    def create_demo(self) -> Op | None:
        if not demo_available():
            self.show_message("Demo workspace", "The demo workspace is not available in this build.")
            return None
        self.banner.hide()
        op = Op("Creating the demo workspace", create_demo_if_empty, self.desk)
        op.done_words = demo_words
        op.succeeded.connect(self._on_demo)
        op.setProperty("what", "Demo workspace")
        op.failed.connect(self._on_op_failed)
        return self.ops.write(op, changes=("components", "workers", "audit"))

    @Slot(object)
    def _on_demo(self, summary: Any) -> None:
        if summary is None:
            return
        workers = list(getattr(summary, "workers", []) or [])
        if workers:
            self.navigator.select_key(f"worker:{workers[0]}")
        notes = list(getattr(summary, "notes", []) or [])
        self.show_demo_suggestions(notes)

    @Slot()
    def open_settings(self) -> None:
        """The Settings dialog; on a folder opened read-only it shows the values and saves nothing."""
        dialog = settings_dialog(self.desk.paths, self, read_only=self.desk.read_only)
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.status.show_message("Settings saved; they apply the next time Worker Desk starts.", 8000)
        dialog.deleteLater()

    @Slot()
    def show_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.desk.paths.data)))

    def open_read_only(self, folder: str | Path | None = None) -> QtReadOnlyWindow | None:
        """Open another data folder read-only and show its update audit in a new window."""
        if folder is None or isinstance(folder, bool):
            chosen = QFileDialog.getExistingDirectory(self, "Open a data folder read-only", str(Path.home()))
            if not chosen:
                return None
            folder = chosen
        path = Path(folder)
        home = path.parent if (path / "workerdesk.sqlite").exists() and path.name == "data" else path
        try:
            desk = open_desk(home, read_only=True)
        except WorkerDeskError as e:
            self.show_message("Open read-only", one_line(e))
            return None
        window = QtReadOnlyWindow(desk, path)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(self._on_read_only_closed)
        self.read_only_windows.append(window)
        window.show()
        self.read_only_opened.emit(window)
        return window

    @Slot(str)
    def _on_op_failed(self, message: str) -> None:
        op = self.sender()
        title = op.property("what") if isinstance(op, Op) else None
        self.show_message(str(title or "Worker Desk"), message)

    @Slot(object)
    def _on_read_only_closed(self, window: QtReadOnlyWindow) -> None:
        if window in self.read_only_windows:
            self.read_only_windows.remove(window)

    def show_message(self, title: str, message: str) -> QMessageBox:
        """A non-blocking warning box."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, one_line(message), QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()
        return box

    # -- drag and drop ---------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.desk.read_only and event.mimeData().hasUrls() and component_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self.desk.read_only and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = component_files(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        if not files or self.desk.read_only:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in files:
            self.add_file(path)
