"""The history (oplog) of one worker: a lazy table that stays fast for 100,000 entries.

Filters run as a background scan of the event store that yields the matching
indices; the table then shows just those rows, still read page by page.

Over 400 lines: one view that coordinates its table model, the filter scan,
the detail pane and the timeline strip (loaded after the first page, and
jumping to an entry through the same selection code as a link does).
"""

from __future__ import annotations

import re
from typing import Iterable

from PySide6.QtCore import (
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.history.detail import HistoryDelegate, entry_html
from desktop_app.gui.history.jobs import (
    Located,
    export_entries,
    locate,
)
from desktop_app.gui.history.marks import MARKERS, marker_icon
from desktop_app.gui.history.model import HistoryModel
from desktop_app.gui.timeline import TimelineStrip
from desktop_app.gui.widgets.formats import count
from desktop_app.gui.widgets.labels import shrinkable
from desktop_app.gui.widgets.ops import Op, Operations
from domain.services.history_query import KINDS, HistoryQuery, scan
from domain.services.timeline import TimelineSummary
from domain.services.workers import Workers


class QtHistoryView(QWidget):
    """A worker's history with kind and text filters, version segments, update markers and details."""

    TIMELINE_DELAY_MS = 300
    MIN_ROWS = 5  # the table never shrinks below this many rows: the page scrolls instead

    entry_selected = Signal(int)
    filter_applied = Signal(int)
    exported = Signal(str)
    export_failed = Signal(str)
    located = Signal(str)
    timeline_loaded = Signal(str)

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self._ref: str | None = None
        self._filter = HistoryQuery()
        self._filter_op: Op | None = None
        self._scanned_to = 0
        self.model = HistoryModel(workers, ops, self)
        self.timeline = TimelineStrip(self)
        self.timeline.setToolTip("")
        self.timeline.entry_clicked.connect(self.show_entry)
        # The strip is read a moment after the table's first page, so it never delays the first paint.
        self._timeline_wanted = False
        self._timeline_timer = QTimer(self)
        self._timeline_timer.setSingleShot(True)
        self._timeline_timer.setInterval(self.TIMELINE_DELAY_MS)
        self._timeline_timer.timeout.connect(self._on_timeline_due)
        self._timeline_op: Op | None = None
        self._timeline_again = False
        self._pending_entry: int | None = None

        self._kinds_button = QToolButton(self)
        self._kinds_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._kinds_menu = QMenu(self._kinds_button)
        self._all_kinds = QAction("Show every kind", self._kinds_menu)
        self._all_kinds.triggered.connect(self._show_all_kinds)
        self._kinds_menu.addAction(self._all_kinds)
        self._kinds_menu.addSeparator()
        self._kind_actions: dict[str, QAction] = {}
        for kind in KINDS:
            action = QAction(kind, self._kinds_menu)
            action.setCheckable(True)
            action.setChecked(True)
            marker = MARKERS.get(kind)
            if marker:
                action.setIcon(marker_icon(marker))
            action.toggled.connect(self._on_kinds_toggled)
            self._kinds_menu.addAction(action)
            self._kind_actions[kind] = action
        self._kinds_button.setMenu(self._kinds_menu)
        self._kinds_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("Kinds: 13 of 13") + 36)

        self._text = QLineEdit(self)
        self._text.setPlaceholderText("Filter by function, arguments or results…")
        self._text.setClearButtonEnabled(True)
        self._regex = QCheckBox("Regex", self)
        self._regex.setToolTip("Treat the filter text as a regular expression")
        self._status = shrinkable(QLabel(self))
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._export = QPushButton("Export JSON…", self)
        self._export.setToolTip("Write the entries shown (after filtering) to a JSON file")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_filter)
        self._text.textChanged.connect(self._debounce.start)
        self._text.returnPressed.connect(self.apply_filter)
        self._regex.toggled.connect(self.apply_filter)
        self._export.clicked.connect(self._on_export_clicked)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(HistoryDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setIconSize(QSize(12, 12))
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        fm = self.fontMetrics()
        for col, sample in (
            (HistoryModel.COL_INDEX, "  1000000 "),
            (HistoryModel.COL_TIME, "  2026-01-01 00:00:00 UTC  "),
            (HistoryModel.COL_VERSION, " Version  "),
            (HistoryModel.COL_KIND, "     invocation-failed   "),
        ):
            self.table.setColumnWidth(col, fm.horizontalAdvance(sample) + 12)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.dataChanged.connect(self._on_data_changed)
        self.model.modelReset.connect(self._update_status)
        self.model.rowsInserted.connect(self._update_status)
        self.model.page_failed.connect(self._on_page_failed)
        self.model.page_loaded.connect(self._on_page_loaded)

        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.setMinimumHeight(self.fontMetrics().height() * 2)
        self.detail.setPlaceholderText("Select an entry to see its arguments, result, host calls and output.")

        bar = QHBoxLayout()
        bar.addWidget(self._kinds_button)
        bar.addWidget(self._text, 1)
        bar.addWidget(self._regex)
        bar.addWidget(self._export)
        # The table keeps room for MIN_ROWS rows; in a short window the detail pane gives way first.
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + self.MIN_ROWS * vh.defaultSectionSize() + 4)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setCollapsible(0, False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.timeline)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._status)
        self._update_kinds_button()
        self._update_status()
        ops.changed.connect(self._on_changed)

    # -- public -----------------------------------------------------------------------

    @property
    def ref(self) -> str | None:
        return self._ref

    @property
    def filter_edit(self) -> QLineEdit:
        """The text filter (Ctrl+F focuses it)."""
        return self._text

    @property
    def current_filter(self) -> HistoryQuery:
        return self._filter

    def show_worker(self, ref: str | None) -> None:
        """Show the history of ``ref`` (or nothing)."""
        if ref != self._ref:
            self._cancel_filter()
            self._ref = ref
            self._scanned_to = 0
            self.model.set_source(None, 0)
            self.detail.clear()
            self.timeline.set_summary(None)
            self._timeline_timer.stop()
            self._timeline_wanted = False
            self._timeline_again = False
            self._pending_entry = None
        if ref is None:
            self._update_status()
            return
        self.locate()

    def set_filter(self, kinds: Iterable[str] | None = None, text: str = "", regex: bool = False) -> None:
        """Set the filter controls and apply them at once."""
        chosen = set(KINDS) if kinds is None else set(kinds)
        for kind, action in self._kind_actions.items():
            action.blockSignals(True)
            action.setChecked(kind in chosen)
            action.blockSignals(False)
        for w, value in ((self._text, text), (self._regex, regex)):
            w.blockSignals(True)
            if isinstance(w, QLineEdit):
                w.setText(str(value))
            else:
                w.setChecked(bool(value))
            w.blockSignals(False)
        self._update_kinds_button()
        self.apply_filter()

    def apply_filter(self) -> None:
        """Run the filter of the controls as a background scan of the history."""
        self._debounce.stop()
        checked = frozenset(k for k, a in self._kind_actions.items() if a.isChecked())
        wanted = HistoryQuery(None if checked == frozenset(KINDS) else checked, self._text.text(), self._regex.isChecked())
        try:
            wanted.pattern()
        except re.error as e:
            self._status.setText(f"Invalid regular expression: {e}")
            return
        self._filter = wanted
        self._cancel_filter()
        self._scanned_to = 0
        if not wanted.active:
            if self.model.filtered:
                self.model.set_rows(None)
            self.filter_applied.emit(self.model.rowCount())
            self._show_pending_entry()
            return
        if self.model.wid is None:
            return
        self._scan(1, self.model.history_length, fresh=True)

    def select_index(self, history_index: int) -> bool:
        """Select the row that shows ``history_index``; False when it is filtered out."""
        row = self.model.row_of(history_index)
        if row is None:
            return False
        idx = self.model.index(row, 0)
        self.table.setCurrentIndex(idx)
        self.table.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def show_entry(self, history_index: int) -> bool:
        """Select and scroll to entry ``history_index``; shown as soon as the history is open.

        An entry hidden by the filter clears the filter first.
        """
        if self.model.wid is None:
            self._pending_entry = history_index
            return False
        if not 1 <= history_index <= self.model.history_length:
            self._status.setText(f"{self._ref} has no entry #{history_index:,}")
            return False
        if self.select_index(history_index):
            self.table.setFocus()
            return True
        if self._filter.active:
            self._pending_entry = history_index
            self.set_filter()
        return False

    def export_json(self, path: str | None = None) -> Op | None:
        """Export the entries shown (after filtering) as a JSON array."""
        wid = self.model.wid
        if wid is None:
            return None
        if path is None:
            suggested = (self._ref or "history").replace("/", "-") + "-history.json"
            path, _ = QFileDialog.getSaveFileName(self, "Export history as JSON", suggested, "JSON (*.json)")
            if not path:
                return None
        op = Op("Exporting history", export_entries, self._workers, wid, self.model.shown_indices(), path)
        op.setProperty("path", path)
        ref = self._ref
        op.done_words = lambda n: f"Exported {count(n, 'history entry', 'history entries')} of {ref} to {path}"
        op.succeeded.connect(self._on_exported)
        op.failed.connect(self._on_export_failed)
        self._status.setText(f"Exporting {self.model.rowCount():,} entries…")
        return self._ops.read(op)

    # -- worker location and growth ---------------------------------------------------

    def locate(self) -> None:
        if self._ref is None:
            return
        op = Op("Opening history", locate, self._workers, self._ref)
        op.succeeded.connect(self._on_located)
        op.failed.connect(self._on_locate_failed)
        self._ops.read(op)

    def _on_located(self, loc: Located) -> None:
        if loc.ref != self._ref:
            return
        if self.model.wid != loc.wid:
            self.model.set_source(loc.wid, loc.length)
            self._timeline_wanted = True
            if self._filter.active:
                self._scan(1, loc.length, fresh=True)
        else:
            self.model.set_length(loc.length)
            if self._filter.active and self._filter_op is None and loc.length > self._scanned_to:
                self._scan(self._scanned_to + 1, loc.length, fresh=False)
            if not self._timeline_wanted:
                self.load_timeline()
        self._update_status()
        self.located.emit(loc.ref)
        self._show_pending_entry()

    def _show_pending_entry(self) -> None:
        entry, self._pending_entry = self._pending_entry, None
        if entry is not None and self.model.wid is not None:
            self.show_entry(entry)

    # -- the timeline strip -----------------------------------------------------------

    def load_timeline(self) -> Op | None:
        """Read the worker's timeline summary in the background (only new entries after the first time)."""
        if self._ref is None:
            return None
        self._timeline_wanted = False
        self._timeline_timer.stop()
        if self._timeline_op is not None:
            self._timeline_again = True
            return self._timeline_op
        op = Op("Reading the timeline", self._workers.timeline, self._ref)
        op.setProperty("ref", self._ref)
        op.succeeded.connect(self._on_timeline)
        op.finished.connect(self._on_timeline_finished)
        self._timeline_op = op
        return self._ops.read(op)

    def _on_timeline_due(self) -> None:
        if self.isVisible():
            self.load_timeline()  # a closed or hidden view reads it when shown again

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._timeline_wanted and self.model.wid is not None and not self._timeline_timer.isActive():
            self._timeline_timer.start()

    def _on_timeline(self, summary: TimelineSummary) -> None:
        op = self.sender()
        if not isinstance(op, Op) or op.property("ref") != self._ref:
            return
        self.timeline.set_summary(summary, keep_window=self.timeline.summary is not None)
        self.timeline_loaded.emit(self._ref or "")

    def _on_timeline_finished(self) -> None:
        if self.sender() is not self._timeline_op:
            return
        self._timeline_op = None
        if self._timeline_again:
            self._timeline_again = False
            self.load_timeline()

    def _on_locate_failed(self, message: str) -> None:
        self._status.setText(message)

    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers"):
            self.locate()

    # -- filtering --------------------------------------------------------------------

    def _scan(self, start: int, stop: int, fresh: bool) -> None:
        wid = self.model.wid
        if wid is None:
            return
        f = self._filter
        op = Op("Filtering history", scan, self._workers, wid, start, stop, f)
        op.setProperty("fresh", fresh)
        op.succeeded.connect(self._on_scanned)
        op.failed.connect(self._on_scan_failed)
        op.progressed.connect(self._on_scan_progress)
        op.finished.connect(self._on_scan_finished)
        self._filter_op = op
        self._status.setText("Filtering…")
        self._ops.read(op)

    def _on_scanned(self, result: tuple[int, list[int]]) -> None:
        op = self.sender()
        if op is not self._filter_op:
            return
        self._filter_op = None
        stop, indices = result
        if op.property("fresh"):
            self.model.set_rows(indices)
        else:
            self.model.append_rows(indices)
        self._scanned_to = stop
        self._update_status()
        self.filter_applied.emit(self.model.rowCount())
        if op.property("fresh"):
            self._show_pending_entry()
        if self._filter.active and self.model.history_length > self._scanned_to and self.model.filtered:
            self._scan(self._scanned_to + 1, self.model.history_length, fresh=False)

    def _on_scan_progress(self, done: int, total: int) -> None:
        if self.sender() is self._filter_op and total:
            self._status.setText(f"Filtering… {100 * done // total}%")

    def _on_scan_failed(self, message: str) -> None:
        if self.sender() is self._filter_op:
            self._filter_op = None
            self._status.setText(f"Filtering failed: {message}")

    def _on_scan_finished(self) -> None:
        if self.sender() is self._filter_op:
            self._filter_op = None

    def _cancel_filter(self) -> None:
        if self._filter_op is not None:
            self._filter_op.cancel()
            self._filter_op = None

    def _on_kinds_toggled(self) -> None:
        self._update_kinds_button()
        self.apply_filter()

    def _show_all_kinds(self) -> None:
        for action in self._kind_actions.values():
            action.blockSignals(True)
            action.setChecked(True)
            action.blockSignals(False)
        self._on_kinds_toggled()

    def _update_kinds_button(self) -> None:
        n = sum(a.isChecked() for a in self._kind_actions.values())
        self._kinds_button.setText("Kinds: all" if n == len(KINDS) else f"Kinds: {n} of {len(KINDS)}")

    # -- selection, status, export ----------------------------------------------------

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current.row() if current.isValid() else -1)
        if current.isValid():
            self.entry_selected.emit(self.model.history_index(current.row()))

    def _on_page_loaded(self, _page: int) -> None:
        if self._timeline_wanted and not self._timeline_timer.isActive():
            self._timeline_timer.start()

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        current = self.table.currentIndex()
        if current.isValid() and top_left.row() <= current.row() <= bottom_right.row():
            self._show_detail(current.row())

    def _show_detail(self, row: int) -> None:
        entry = self.model.entry(row) if row >= 0 else None
        if entry is None:
            if row >= 0:
                self.detail.setHtml(f"<p>Loading entry #{self.model.history_index(row)}…</p>")
            else:
                self.detail.clear()
            return
        self.detail.setHtml(entry_html(entry))

    def _update_status(self) -> None:
        if self._filter_op is not None:
            return
        if self._ref is None:
            self._status.setText("No worker selected")
            return
        total = self.model.history_length
        if self.model.filtered:
            self._status.setText(f"{self._ref}: {self.model.rowCount():,} of {total:,} entries match the filter")
        else:
            self._status.setText(f"{self._ref}: {total:,} entries")

    def _on_page_failed(self, message: str) -> None:
        self._status.setText(f"Reading history failed: {message}")

    def _on_export_clicked(self) -> None:
        self.export_json()

    def _on_exported(self, count: int) -> None:
        op = self.sender()
        path = str(op.property("path")) if isinstance(op, Op) else ""
        self._status.setText(f"Exported {count:,} entries to {path}")
        self.exported.emit(path)

    def _on_export_failed(self, message: str) -> None:
        self._status.setText(f"Export failed: {message}")
        self.export_failed.emit(message)
