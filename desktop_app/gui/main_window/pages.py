"""The pages right of the navigator: a worker's tabs, and a component's versions."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.history import QtHistoryView
from desktop_app.gui.invoke import QtInvokeView
from desktop_app.gui.overview import QtOverview
from desktop_app.gui.time_travel import QtTimeTravelView
from desktop_app.gui.updates import QtUpdatesView
from desktop_app.gui.widgets.formats import count, short_time
from desktop_app.gui.widgets.labels import ElidedLabel, shrinkable
from desktop_app.gui.widgets.ops import Operations
from desktop_app.gui.widgets.style import STATUS_BADGE, mono_font, pill_style, set_role
from domain.services.components import ComponentInfo, Components
from domain.services.invocation import Invocations
from domain.services.workers import Workers


def placeholder(text: str, parent: QWidget | None = None) -> QWidget:
    """A centred grey message standing in for a view."""
    w = QWidget(parent)
    label = set_role(QLabel(text, w), "placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    lay = QVBoxLayout(w)
    lay.addWidget(label)
    w.setProperty("placeholder", True)
    return w


def _padded(view: QWidget) -> QWidget:
    """``view`` inside a margin, so it does not touch the tab frame."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(8, 8, 8, 6)
    lay.addWidget(view)
    return box


def _scrolling(page: QWidget) -> QScrollArea:
    """``page`` filling its tab, scrolling when the window is too short for it (so no tab sets its height)."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(page)
    scroll.setMinimumHeight(160)
    return scroll


def _pill(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.hide()
    return label


class QtWorkerPage(QWidget):
    """Overview, Invoke, History, Updates and Time travel of one worker."""

    OVERVIEW, INVOKE, HISTORY, UPDATES, TIME_TRAVEL = range(5)

    def __init__(
        self, workers: Workers, components: Components, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ref: str | None = None
        self._shown: dict[int, str | None] = {}

        header = QFrame(self)
        header.setObjectName("pageHeader")
        self.title = set_role(ElidedLabel("", header), "heading")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.version_pill = _pill(header)
        self.status_pill = _pill(header)
        head = QHBoxLayout(header)
        head.setContentsMargins(16, 10, 16, 10)
        head.setSpacing(8)
        head.addWidget(self.title, 1)
        head.addWidget(self.version_pill)
        head.addWidget(self.status_pill)

        self.overview = QtOverview(workers, ops)
        self.invoke = QtInvokeView(Invocations(workers, components), ops)
        self.history = QtHistoryView(workers, ops)
        self.updates = QtUpdatesView(workers, ops)
        self.time_travel = QtTimeTravelView(workers, ops)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(False)
        self._views: list[QWidget] = [self.overview, self.invoke, self.history, self.updates, self.time_travel]
        titles = ("Overview", "Invoke", "History", "Updates", "Time travel")
        for widget, text in zip(self._views, titles):
            self.tabs.addTab(_scrolling(widget if widget in (self.overview, self.invoke) else _padded(widget)), text)
        self.tabs.currentChanged.connect(self._on_tab)
        self.overview.loaded.connect(self._on_overview)
        self.updates.entry_link_activated.connect(self.open_entry)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(header)
        inner = QVBoxLayout()
        inner.setContentsMargins(10, 0, 10, 10)
        inner.addWidget(self.tabs, 1)
        layout.addLayout(inner, 1)

    @property
    def ref(self) -> str | None:
        return self._ref

    def views(self) -> list[QWidget]:
        """The view of each tab, in tab order."""
        return list(self._views)

    def show_worker(self, ref: str | None) -> None:
        """Show ``ref``; each tab learns about it when it is first looked at."""
        if ref != self._ref:
            self._ref = ref
            self.title.setText(ref or "")
            self.version_pill.hide()
            self.status_pill.hide()
        self._sync_tab(self.tabs.currentIndex())
        self._sync_tab(self.OVERVIEW)

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self._sync_tab(index)

    def open_entry(self, history_index: int) -> None:
        """The History tab, with entry ``history_index`` selected and scrolled to."""
        self.show_tab(self.HISTORY)
        self.history.show_entry(history_index)

    def open_update(self, update_id: str) -> None:
        """The Updates tab, with update ``update_id`` selected."""
        self.show_tab(self.UPDATES)
        self.updates.show_update(update_id)

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        self._sync_tab(index)

    def _sync_tab(self, index: int) -> None:
        if not 0 <= index < len(self._views) or self._shown.get(index, "\0") == self._ref:
            return
        widget = self._views[index]
        show = getattr(widget, "show_worker", None)
        if callable(show):
            try:
                show(self._ref)
            except Exception:  # noqa: BLE001 - one broken view must not break the others
                traceback.print_exc()
        self._shown[index] = self._ref

    @Slot(str)
    def _on_overview(self, ref: str) -> None:
        meta = self.overview.meta
        if ref != self._ref or meta is None:
            return
        self.version_pill.setText(f"version {meta['componentVersion']}")
        self.version_pill.setStyleSheet(pill_style("version"))
        self.version_pill.show()
        status = str(meta["status"])
        self.status_pill.setText(status)
        self.status_pill.setStyleSheet(pill_style(STATUS_BADGE.get(status, "muted")))
        self.status_pill.show()


class QtComponentPage(QWidget):
    """A component's versions (size, snapshot support, source) and each version's exports."""

    new_worker_requested = Signal(str, int)
    add_version_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info: ComponentInfo | None = None
        self._read_only = False

        header = QFrame(self)
        header.setObjectName("pageHeader")
        self.title = set_role(ElidedLabel("", header), "heading")
        self.subtitle = shrinkable(set_role(QLabel(header), "subtle"))
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_worker_button = QPushButton("New worker…", header)
        self.new_worker_button.setToolTip("Create a worker on the selected version")
        self.new_worker_button.clicked.connect(self._on_new_worker)
        self.add_version_button = QPushButton("Add version…", header)
        self.add_version_button.setToolTip("Upload a new .wasm (or .wat) as the next version")
        self.add_version_button.clicked.connect(self._on_add_version)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head = QHBoxLayout(header)
        head.setContentsMargins(16, 10, 16, 10)
        head.addLayout(titles, 1)
        head.addWidget(self.add_version_button)
        head.addWidget(self.new_worker_button)

        self.versions = QTableWidget(0, 7, self)
        self.versions.setHorizontalHeaderLabels(["Version", "Snapshot", "Workers", "Size", "Added", "SHA-256", "Source"])
        _table(self.versions)
        self.versions.itemSelectionChanged.connect(self._on_version_selected)
        self.exports_title = set_role(QLabel("Exports", self), "section")
        self.exports = QTableWidget(0, 2, self)
        self.exports.setHorizontalHeaderLabels(["Function", "Signature"])
        _table(self.exports)
        self.exports.setFont(mono_font())
        self.imports = set_role(QLabel(self), "subtle")
        self.imports.setWordWrap(True)
        self.imports.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QWidget(self)
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addWidget(set_role(QLabel("Versions", top), "section"))
        top_lay.addWidget(self.versions)
        bottom = QWidget(self)
        bottom_lay = QVBoxLayout(bottom)
        bottom_lay.setContentsMargins(0, 0, 0, 0)
        bottom_lay.addWidget(self.exports_title)
        bottom_lay.addWidget(self.exports, 1)
        bottom_lay.addWidget(self.imports)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        inner = QVBoxLayout()
        inner.setContentsMargins(16, 4, 16, 12)
        inner.addWidget(split, 1)
        layout.addLayout(inner, 1)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.new_worker_button.setEnabled(not read_only)
        self.add_version_button.setEnabled(not read_only)

    def show_component(
        self, info: ComponentInfo | None, version: int | None = None, workers_per_version: dict[int, int] | None = None
    ) -> None:
        """Show ``info``'s versions, each with how many workers run it, and ``version``'s exports."""
        self.info = info
        counts = workers_per_version or {}
        self.versions.setRowCount(0)
        self.exports.setRowCount(0)
        if info is None:
            self.title.clear()
            self.subtitle.clear()
            return
        self.title.setText(info.name)
        n = len(info.versions)
        w = sum(counts.values())
        self.subtitle.setText(
            f"{count(n, 'version')} · {count(w, 'worker')} · component id {info.id}"
        )
        self.versions.blockSignals(True)
        for v in reversed(info.versions):
            d = v.description
            snap = " + ".join(x for x, ok in (("save", d.exports_save), ("load", d.exports_load)) if ok) or "none"
            row = self.versions.rowCount()
            self.versions.insertRow(row)
            on = counts.get(v.version, 0)
            cells = [str(v.version), snap, f"{on:,}", f"{v.size:,} B", short_time(v.added_at), v.sha256[:16] + "…", v.source or "—"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, v.version)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setToolTip(f"{count(on, 'worker')} of {info.name} {'runs' if on == 1 else 'run'} version {v.version}")
                if col == 5:
                    item.setToolTip(v.sha256)
                    item.setFont(mono_font())
                if col == 1:
                    item.setToolTip(
                        "save-snapshot: " + (d.save_snapshot or "not exported") + "\nload-snapshot: " + (d.load_snapshot or "not exported")
                    )
                self.versions.setItem(row, col, item)
        self.versions.blockSignals(False)
        chosen = info.latest.version if version is None else version
        self.select_version(chosen)

    def select_version(self, version: int) -> None:
        for row in range(self.versions.rowCount()):
            item = self.versions.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == version:
                self.versions.selectRow(row)
                self._show_exports(version)
                return

    @property
    def selected_version(self) -> int | None:
        rows = self.versions.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.versions.item(rows[0].row(), 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _on_version_selected(self) -> None:
        v = self.selected_version
        if v is not None:
            self._show_exports(v)

    def _show_exports(self, version: int) -> None:
        if self.info is None:
            return
        v = self.info.versions[version]
        d = v.description
        self.exports_title.setText(f"Exports of version {version}")
        self.exports.setRowCount(0)
        for f in d.functions:
            row = self.exports.rowCount()
            self.exports.insertRow(row)
            name = QTableWidgetItem(f.qualified_name)
            name.setToolTip(f.qualified_name)
            sig = QTableWidgetItem(f.wit())
            sig.setToolTip(f.wit())
            self.exports.setItem(row, 0, name)
            self.exports.setItem(row, 1, sig)
        notes = []
        if d.imports:
            notes.append("Imports: " + ", ".join(d.imports))
        if d.unsupported_imports:
            notes.append("Unsupported imports (calls to them fail): " + ", ".join(d.unsupported_imports))
        self.imports.setText("\n".join(notes))
        self.imports.setVisible(bool(notes))

    @Slot()
    def _on_add_version(self) -> None:
        if self.info is not None:
            self.add_version_requested.emit(self.info.name)

    @Slot()
    def _on_new_worker(self) -> None:
        if self.info is not None:
            v = self.selected_version
            self.new_worker_requested.emit(self.info.name, self.info.latest.version if v is None else v)


def _table(t: QTableWidget) -> None:
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.setShowGrid(False)
    t.setWordWrap(False)
    h = t.horizontalHeader()
    h.setStretchLastSection(True)
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setSectionResizeMode(t.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
